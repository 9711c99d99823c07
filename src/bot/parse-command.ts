import { trimTrailing } from '../shared/trim-text-end.js';
import { POST_KINDS, type PostKind } from '../config/config-schema.js';

/** What a member asked the bot to do. */
export type Command =
  | { type: 'help' }
  | { type: 'events' }
  | { type: 'digest' }
  | { type: 'digest-send' }
  | { type: 'reload' }
  | { type: 'status' }
  | { type: 'unanswered' }
  /** An admin subscribes this group to scheduled posts, or unsubscribes it (all kinds when none is named). */
  | { type: 'subscribe' | 'unsubscribe'; kinds: PostKind[] }
  /** What this group is subscribed to. */
  | { type: 'subscriptions' }
  | { type: 'latest-release'; project: string }
  | { type: 'release'; project: string; version: string }
  | { type: 'small-talk'; kind: SmallTalk }
  /** A reply to a "did you mean" list: the 1-based number of the item picked. */
  | { type: 'pick'; index: number }
  | { type: 'question'; text: string };

/** Messages with nothing to look up: a greeting (or a bare @mention), thanks, praise or only emoji. */
export type SmallTalk = 'greeting' | 'thanks' | 'praise';

/**
 * The longest message read, in UTF-16 units; the rest is ignored before any parsing. Questions are
 * a few dozen characters and a pasted stack trace is read for its first lines: this bounds what
 * every parser after it can cost on a hostile message.
 */
export const MAX_MESSAGE_CHARS = 4000;

// Filler a member wraps a command in: a leading mention the platform left, greetings, "请问".
const LEADING_NOISE = /^(?:\s*@\S+(?:\s+|$)|\s*(?:请问|麻烦|你好|您好|hi|hello)[,，:：\s]*)+/i;

// The whole message, after its mention and trailing punctuation, is only this: a reply that says
// "I found nothing" to 谢谢大佬 reads as a broken bot. Anything more is a question.
const ADDRESSEE = '(?:各位|大家|大佬们?|老师们?|朋友们?|同学们?|小伙伴们?|你|您|机器人|bot|\\s){0,3}';
const SIGN_OFF = '[~～啦呀哈呢哦喔吖了\\s]*';
const GREETING = new RegExp(`^(?:你好|您好|大家好|早上好|早安|上午好|中午好|下午好|晚上好|晚安|嗨|哈喽|哈罗|在吗|在不在|hi|hello|hey|morning)${ADDRESSEE}${SIGN_OFF}$`, 'iu');
const THANKS = new RegExp(`^(?:(?:非常|十分)?(?:谢谢|感谢|多谢|谢啦|谢了|辛苦了?)|thanks?(?: you)?|thx|ty)${ADDRESSEE}${SIGN_OFF}$`, 'iu');
const PRAISE = new RegExp(`^(?:${ADDRESSEE}(?:太?厉害了?|太?牛了?|牛逼|赞|点赞|太棒了|好棒|真棒|666+|nb|nice|great|awesome|cool|good))${ADDRESSEE}${SIGN_OFF}$`, 'iu');
// No letter or digit at all: emoji, stickers' text placeholders, punctuation.
const NOTHING_TO_READ = /^[^\p{L}\p{N}]*$|^(?:\[[^\]]{1,6}\]\s*)+$/u;

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

// What `订阅 …` / `subscribe …` may name; anything else makes the message a question.
const KIND_WORDS: Readonly<Record<string, readonly PostKind[]>> = {
  周报: ['digest'],
  digest: ['digest'],
  weekly: ['digest'],
  提醒: ['reminders'],
  活动提醒: ['reminders'],
  reminder: ['reminders'],
  reminders: ['reminders'],
  管理: ['admin'],
  管理通知: ['admin'],
  admin: ['admin'],
  全部: POST_KINDS,
  all: POST_KINDS,
};
const SUBSCRIBE = /^\/?(订阅|subscribe|退订|取消订阅|unsubscribe)(?:\s+(.+))?$/i;

/** `订阅 周报 提醒`, `退订 管理`, `subscribe digest`, `订阅` alone; undefined when it is not one. */
function parseSubscription(compact: string): Command | undefined {
  const match = SUBSCRIBE.exec(compact);
  if (!match?.[1]) return undefined;
  const verb = match[1].toLowerCase();
  const unsubscribe = verb === '退订' || verb === '取消订阅' || verb === 'unsubscribe';
  const words = (match[2] ?? '').split(/[\s,，、+]+/).filter(Boolean);
  if (words.length === 0) return unsubscribe ? { type: 'unsubscribe', kinds: [...POST_KINDS] } : { type: 'subscriptions' };
  const kinds = new Set<PostKind>();
  for (const word of words) {
    const named = KIND_WORDS[word.toLowerCase()];
    if (!named) return undefined;
    for (const kind of named) kinds.add(kind);
  }
  return { type: unsubscribe ? 'unsubscribe' : 'subscribe', kinds: POST_KINDS.filter((kind) => kinds.has(kind)) };
}

/** Reads a message's text as a command; anything that is not a command is a question. */
export function parseCommand(raw: string): Command {
  const text = raw.replace(LEADING_NOISE, '').trim();
  const compact = trimTrailing(text, '?？!！。.～~');
  if (/^(?:帮助|help|\/help|菜单|使用说明)$/i.test(compact) || /^[?？]+$/.test(text)) return { type: 'help' };
  // "你好" and a bare @mention are all filler: nothing is left of them.
  if (compact === '' || GREETING.test(compact)) return { type: 'small-talk', kind: 'greeting' };
  if (THANKS.test(compact)) return { type: 'small-talk', kind: 'thanks' };
  if (PRAISE.test(compact) || NOTHING_TO_READ.test(compact)) return { type: 'small-talk', kind: 'praise' };
  if (/^(?:活动|直播|近期活动|最近活动|活动预告|直播预告|events?)$/i.test(compact)) return { type: 'events' };
  if (/^(?:周报|本周周报|weekly|digest)$/i.test(compact)) return { type: 'digest' };
  if (/^(?:周报|weekly|digest)\s*(?:发送|send)$/i.test(compact)) return { type: 'digest-send' };
  // The admins' commands (handleMessage checks who asks).
  if (/^\/?(?:重新加载|重载|reload)$/i.test(compact)) return { type: 'reload' };
  if (/^\/?(?:状态|status)$/i.test(compact)) return { type: 'status' };
  if (/^\/?(?:待回答|未回答|unanswered)$/i.test(compact)) return { type: 'unanswered' };
  const subscription = parseSubscription(compact);
  if (subscription) return subscription;
  const pick = PICK.exec(compact);
  if (pick?.[1]) return { type: 'pick', index: pickIndex(pick[1]) };
  const latest = /^(?:最新版本|latest)\s+(\S.*)$/i.exec(compact);
  if (latest?.[1]) return { type: 'latest-release', project: latest[1].trim() };
  const release = /^(\S+)\s+(v?\d+(?:\.\d+){1,3})$/i.exec(compact);
  if (release?.[1] && release[2]) return { type: 'release', project: release[1], version: release[2] };
  return { type: 'question', text };
}
