import { trimTrailing } from '../shared/trim-text-end.js';

/** What a member asked the bot to do. */
export type Command =
  | { type: 'help' }
  | { type: 'events' }
  | { type: 'digest' }
  | { type: 'digest-send' }
  | { type: 'reload' }
  | { type: 'status' }
  | { type: 'unanswered' }
  | { type: 'latest-release'; project: string }
  | { type: 'release'; project: string; version: string }
  /** A reply to a "did you mean" list: the 1-based number of the item picked. */
  | { type: 'pick'; index: number }
  | { type: 'question'; text: string };

/**
 * The longest message read, in UTF-16 units; the rest is ignored before any parsing. Questions are
 * a few dozen characters and a pasted stack trace is read for its first lines: this bounds what
 * every parser after it can cost on a hostile message.
 */
export const MAX_MESSAGE_CHARS = 4000;

// Filler a member wraps a command in: a leading mention the platform left, greetings, "请问".
const LEADING_NOISE = /^(?:\s*@\S+\s+|\s*(?:请问|麻烦|你好|您好|hi|hello)[,，:：\s]*)+/i;

// A number picking an item of a "did you mean" list: `1`, `１`, `第一个`, `第1条`, `选1`, `选第二个`.
const PICK = /^(?:选择?\s*)?(?:第\s*)?([1-9１-９一二三四五六七八九])\s*(?:个|条|项|项目)?$/;
const CHINESE_DIGITS = '一二三四五六七八九';

function pickIndex(digit: string): number {
  const chinese = CHINESE_DIGITS.indexOf(digit);
  if (chinese >= 0) return chinese + 1;
  // A full-width digit is U+FF10 + its value.
  const code = digit.charCodeAt(0);
  return code >= 0xff10 ? code - 0xff10 : code - 0x30;
}

/** Reads a message's text as a command; anything that is not a command is a question. */
export function parseCommand(raw: string): Command {
  const text = raw.replace(LEADING_NOISE, '').trim();
  const compact = trimTrailing(text, '?？!！。.');
  if (/^(?:帮助|help|\/help|菜单|使用说明|\?|？)$/i.test(compact)) return { type: 'help' };
  if (/^(?:活动|直播|近期活动|最近活动|活动预告|直播预告|events?)$/i.test(compact)) return { type: 'events' };
  if (/^(?:周报|本周周报|weekly|digest)$/i.test(compact)) return { type: 'digest' };
  if (/^(?:周报|weekly|digest)\s*(?:发送|send)$/i.test(compact)) return { type: 'digest-send' };
  // The admins' commands (handleMessage checks who asks).
  if (/^\/?(?:重新加载|重载|reload)$/i.test(compact)) return { type: 'reload' };
  if (/^\/?(?:状态|status)$/i.test(compact)) return { type: 'status' };
  if (/^\/?(?:待回答|未回答|unanswered)$/i.test(compact)) return { type: 'unanswered' };
  const pick = PICK.exec(compact);
  if (pick?.[1]) return { type: 'pick', index: pickIndex(pick[1]) };
  const latest = /^(?:最新版本|latest)\s+(\S.*)$/i.exec(compact);
  if (latest?.[1]) return { type: 'latest-release', project: latest[1].trim() };
  const release = /^(\S+)\s+(v?\d+(?:\.\d+){1,3})$/i.exec(compact);
  if (release?.[1] && release[2]) return { type: 'release', project: release[1], version: release[2] };
  return { type: 'question', text };
}
