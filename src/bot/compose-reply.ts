import type { AnswerResult } from '../search/answer-types.js';
import type { Entry, Link } from '../knowledge/entry.js';
import { sanitizeMarkdown } from '../shared/sanitize-markdown.js';
import { cutToBytes } from '../shared/trim-text-end.js';

/** A reply as values; the transport turns it into DingTalk's wire format. */
export interface BotReply {
  /** Shown in the chat list and notification. */
  title: string;
  /** DingTalk's Markdown subset: headings, bold, links, lists, quotes. The transport sanitises it (sanitizeMarkdown). */
  markdown: string;
  /** Staff ids to @; their `@id` is already at the end of the text, as DingTalk needs. */
  atUserIds: string[];
}

export interface ReplyContext {
  /** @ the asker in groups when their staff id is known. */
  mentionStaffId?: string;
  /** Where to ask when the bot has no answer. */
  askAt: { label: string; url: string };
  /** Byte budget for the Markdown text; the whole message must stay under DingTalk's 20,000 bytes. */
  maxBytes: number;
  /** Make each "did you mean" entry a link that sends its number (1:1 chats, when configured). */
  pickLinks?: boolean;
  /** When the question was asked: a release's date is shown with how long ago it was. */
  now?: Date;
  /** An answer dated longer ago than this many years says how old it is. */
  staleAfterYears?: number;
}

export const HELP_TEXT = [
  '我是社区问答机器人，@我 并直接提问即可，例如：',
  '',
  '- jraft 支持 multi raft 吗',
  '- 最新版本 Seata',
  '- SOFARPC 5.7.6（某个版本更新了什么）',
  '- 1、2、3（我列出“你想问的是不是”后，回复编号看那一条的答案）',
  '- 活动 或 直播（近期活动）',
  '- 周报（本周周报预览；管理员发送“周报 发送”立即发到群里）',
  '- 管理员：重新加载（立即重读知识库）、状态、待回答（没答上的问题）',
  '- 管理员：订阅 周报 / 提醒 / 管理（本群接收周报、活动提醒、管理通知），退订 …，订阅（查看本群订阅）',
  '- 帮助（显示本说明）',
].join('\n');

// A bare GitHub repository (or organisation) home page: the archive's project-link lines, which
// merely name the project, sometimes another one than the answer is about.
const REPO_HOME = /^https?:\/\/github\.com\/+[^/?#\s]+(?:\/[^/?#\s]+)?\/?$/i;

const when = (entry: Entry) => (entry.kind === 'event' ? entry.start.slice(0, 16).replace('T', ' ') : '');
const label = (entry: Entry) => (entry.kind === 'event' ? `${entry.title}（${when(entry)}）` : entry.title);
// An archived entry whose own url only names a project's repository links to its post instead.
const target = (entry: Entry) => (entry.origin && (!entry.url || REPO_HOME.test(entry.url)) ? entry.origin.url : entry.url);
const linked = (entry: Entry) => {
  const url = target(entry);
  return url ? `[${escapeLinkText(label(entry))}](${url})` : label(entry);
};

/** Composes the reply to a question from the engine's result. */
export function composeAnswerReply(result: AnswerResult, context: ReplyContext): BotReply {
  const [top, ...rest] = result.matches;
  if (result.outcome === 'answer' && top) {
    if (result.intent === 'event') {
      return finish('近期活动', ['**近期活动**', '', ...result.matches.map((m) => `- ${linked(m.entry)}`)].join('\n'), context);
    }
    if (result.intent === 'reading') {
      const items = result.matches.map((m) => `- ${linked(m.entry)}${m.entry.date ? `（${m.entry.date}）` : ''}`);
      return finish('相关文章', cutToBytes(['**相关文章**', '', ...items].join('\n'), context.maxBytes - 200), context);
    }
    const sources = sourcesOf(top.entry);
    const { origin } = top.entry;
    const footer: string[] = [];
    if (sources.length > 0) footer.push('', `来源：${sources.map((l) => `[${escapeLinkText(l.title)}](${l.url})`).join(' · ')}`);
    if (rest.length > 0) footer.push('', '相关问题：', ...rest.map((m) => `- ${linked(m.entry)}`));
    // Last, so an archived answer always ends with the post it was given in, and when.
    if (origin) footer.push('', `来自 [${escapeLinkText(origin.title)}](${origin.url})`);
    const dated =
      top.entry.kind !== 'release'
        ? staleLine(top.entry.date, context)
        : `${result.intent === 'unknown-release' ? '知识库里没有你问的这个版本。' : ''}${releaseDateLine(top.entry.date, result.intent === 'latest-release' || result.intent === 'unknown-release', context.now) ?? ''}`;
    const head = `**${escapeInline(label(top.entry))}**${dated ? `\n\n${dated}` : ''}`;
    // A release's changes are one per line: show them as a list.
    const text = top.entry.kind === 'release' ? top.entry.body.split('\n').filter((l) => l.trim()).map((l) => (BLOCK_LINE.test(l) ? l : `- ${l}`)).join('\n') : top.entry.body;
    // Measured as it will be sent: sanitising turns each `<` of a tag into a 3-byte `＜`.
    const body = sanitizeMarkdown(toDingTalkMarkdown(text)) || '（详情见链接）';
    return finish(truncateTitle(label(top.entry)), fit(head, body, footer.join('\n'), origin?.url ?? sources[0]?.url, context), context);
  }
  if (result.outcome === 'suggest' && top) {
    // One short line per item, so the member can pick by its number (handleMessage keeps the ids).
    const numbers = result.matches.map((_, i) => String(i + 1)).join('、');
    const items = result.matches.map((m, i) => {
      const title = escapeInline(shortTitle(label(m.entry)));
      return `${i + 1}. ${context.pickLinks ? `[${escapeLinkText(title)}](${sendMessageLink(String(i + 1))})` : title}`;
    });
    const lines = ['我不太确定，你想问的是不是：', '', ...items, '', `回复编号（${numbers}）看答案，或者换个说法再问一次。`];
    return finish('你想问的是不是', cutToBytes(lines.join('\n'), context.maxBytes - 200), context);
  }
  if (result.intent === 'event') return finish('近期活动', '近期还没有已公布的直播或活动。', context);
  return finish(
    '没有找到答案',
    `抱歉，我在社区的问答、发布记录和活动里没有找到答案。可以换个说法再问，或者到 [${context.askAt.label}](${context.askAt.url}) 提问。`,
    context,
  );
}

/** For an answer older than `staleAfterYears`: when it was given, so the member weighs it. */
function staleLine(date: string | undefined, { now, staleAfterYears }: ReplyContext): string | undefined {
  if (!date || !now || !staleAfterYears) return undefined;
  const years = Math.floor((now.getTime() - Date.parse(`${date}T00:00:00Z`)) / (365.25 * 86_400_000));
  return years >= staleAfterYears ? `> 这是 ${date} 的回答，距今约 ${years} 年，项目可能已有变化。` : undefined;
}

/**
 * When a release came out, and for "最新版本" that it is the newest the knowledge holds: the
 * archive ends in 2023, so "latest" without a date would mislead.
 */
function releaseDateLine(date: string | undefined, latest: boolean, now: Date | undefined): string | undefined {
  if (!date) return latest ? '这是知识库里记录的最新版本（发布日期未记录）。' : undefined;
  const days = now ? Math.floor((now.getTime() - Date.parse(`${date}T00:00:00Z`)) / 86_400_000) : NaN;
  const ago = !(days >= 0) ? '' : days < 60 ? `，${days} 天前` : days < 730 ? `，约 ${Math.round(days / 30.4)} 个月前` : `，约 ${Math.floor(days / 365.25)} 年前`;
  return latest ? `这是知识库里记录的最新版本，发布于 ${date}${ago}；之后的版本请看项目的发布页。` : `发布于 ${date}${ago}。`;
}

/**
 * The entry's own links shown as "来源". An archived entry cites its post (`origin`) instead of a
 * repository home page; links to something specific (an issue, a doc page, a release) stay.
 */
function sourcesOf(entry: Entry): Link[] {
  const own = entry.links.length > 0 ? entry.links : entry.url ? [{ title: entry.title, url: entry.url }] : [];
  return entry.origin ? own.filter((l) => !REPO_HOME.test(l.url)) : own;
}

/** Wraps fixed text (help, notices) as a reply. */
export function composeTextReply(title: string, markdown: string, context: ReplyContext): BotReply {
  return finish(title, markdown, context);
}

function finish(title: string, markdown: string, context: ReplyContext): BotReply {
  const mention = context.mentionStaffId;
  return mention ? { title, markdown: `${markdown}\n\n@${mention}`, atUserIds: [mention] } : { title, markdown, atUserIds: [] };
}

/**
 * Keeps head + body + footer within the byte budget by cutting the body at a line or character
 * boundary and pointing to the full text.
 */
function fit(head: string, body: string, footer: string, fullTextUrl: string | undefined, context: ReplyContext): string {
  const budget = context.maxBytes - 200; // room for the mention and the JSON envelope
  const whole = `${head}\n\n${body}${footer ? `\n${footer}` : ''}`;
  if (Buffer.byteLength(whole) <= budget) return whole;
  const note = fullTextUrl ? `\n\n……（内容较长，完整内容见[原文](${fullTextUrl})）` : '\n\n……（内容较长，已截断）';
  const fixed = Buffer.byteLength(`${head}\n\n${note}${footer ? `\n${footer}` : ''}`);
  const room = Math.max(0, budget - fixed);
  const cut = cutToBytes(body, room);
  const atLine = cut.lastIndexOf('\n');
  const trimmed = atLine > cut.length / 2 ? cut.slice(0, atLine) : cut;
  const result = `${head}\n\n${trimmed}${note}${footer ? `\n${footer}` : ''}`;
  return Buffer.byteLength(result) <= budget ? result : cutToBytes(result, budget);
}


const BLOCK_LINE = /^\s*(?:[-*+]\s|\d+[.、)]\s?|>|#)/;

/**
 * Adapts Markdown to DingTalk's subset: fenced code becomes quoted lines (every client shows
 * quotes), and consecutive plain lines get a blank line between them, because DingTalk does not
 * always show a single line break.
 */
function toDingTalkMarkdown(text: string): string {
  const out: string[] = [];
  let inFence = false;
  let previous = '';
  for (const raw of text.split('\n')) {
    if (/^\s*```/.test(raw)) {
      inFence = !inFence;
      continue;
    }
    const line = inFence ? `> ${raw}` : raw;
    if (line.trim() !== '' && previous.trim() !== '' && !BLOCK_LINE.test(line) && !inFence) out.push('');
    out.push(line);
    previous = line;
  }
  return out.join('\n').trim();
}

/** DingTalk's client action that sends `text` in the chat as the member. */
function sendMessageLink(text: string): string {
  return `dtmd://dingtalkclient/sendMessage?content=${encodeURIComponent(text)}`;
}

/** A title as one line of at most 60 characters: its first line, spaces collapsed. */
function shortTitle(title: string): string {
  const line = title.trim().split('\n')[0]?.replace(/\s+/g, ' ') ?? '';
  return truncateTitle(line);
}

function truncateTitle(title: string): string {
  return title.length > 60 ? `${title.slice(0, 59)}…` : title;
}

function escapeLinkText(text: string): string {
  return text.replace(/[[\]]/g, (c) => (c === '[' ? '【' : '】'));
}

function escapeInline(text: string): string {
  return text.replace(/\*\*/g, '*');
}
