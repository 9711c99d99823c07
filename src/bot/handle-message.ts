import { DateTime } from 'luxon';
import type { Entry } from '../knowledge/entry.js';
import { COMMUNITY_REPOSITORY, mentionedProject, repositoryOf } from '../knowledge/projects.js';
import { upcomingEvents } from '../knowledge/upcoming-events.js';
import type { AnswerSource } from '../search/answer-types.js';
import { composeAnswerReply, composeTextReply, HELP_TEXT, type BotReply, type ReplyContext } from './compose-reply.js';
import { MAX_MESSAGE_CHARS, parseCommand, type SmallTalk } from './parse-command.js';
import { questionOf } from './question-of.js';
import { composeDigest, isEmptyDigest } from '../schedule/compose-digest.js';
import type { AdminAction, SubscriptionRequest } from './admin-report.js';

/** A member's message, as the platform-free core sees it. */
export interface ChatMessage {
  text: string;
  /** DingTalk's msgtype; only text-bearing types can be answered. */
  msgtype: string;
  isGroup: boolean;
  senderStaffId?: string;
  /** DingTalk says the sender administers the organisation. */
  isAdmin?: boolean;
  /** The chat's id (a group's openConversationId) and, in a group, its name: what `订阅` records. */
  conversationId?: string;
  conversationTitle?: string;
}

export interface BotContext {
  answerer: AnswerSource;
  entries: readonly Entry[];
  now: Date;
  /** Byte budget of a reply's Markdown. */
  maxReplyBytes: number;
  /** How many upcoming events the `活动` command lists. */
  eventsShown?: number;
  /** For the `周报` preview. */
  digest: { zone: string; eventsAheadDays: number };
  /** Staff ids allowed to run admin commands, besides DingTalk admins. */
  admins: readonly string[];
  /** When this week's digest was already sent (the scheduler's record); absent where nothing is sent. */
  digestSentAt?: () => Promise<string | undefined>;
  /**
   * The entry ids of the "did you mean" list last shown to this member in this chat, still open
   * (undefined: none); asked only when the message picks a number. Absent where nothing is kept
   * (the command line, the playground).
   */
  pendingSuggestions?: () => Promise<readonly string[] | undefined>;
  /** `search.pickLinks`: in 1:1 chats, "did you mean" entries are links that send their number. */
  pickLinks?: boolean;
  /** `search.staleAfterYears`: an answer dated longer ago than this says how old it is. */
  staleAfterYears?: number;
}

/** What happened, for logs and metrics: every value, so the metrics can show each from zero. */
export const HANDLED_AS = [
  'help',
  'small-talk',
  'events',
  'digest',
  'digest-send',
  'admin-reload',
  'admin-status',
  'admin-unanswered',
  'admin-subscriptions',
  'refused',
  'unsupported',
  'answer',
  'suggest',
  'pick',
  'pick-none',
  'pick-gone',
  'abstain',
  'failed',
] as const;
export type HandledAs = (typeof HANDLED_AS)[number];

/**
 * Something the transport must do: `send-digest` besides replying; an admin action instead of the
 * reply (composeAdminReply words its report), since only the running bot knows the answer.
 */
export type BotAction = 'send-digest' | AdminAction;

export interface Handled {
  reply: BotReply;
  handledAs: HandledAs;
  action?: BotAction;
  /** The question put to the engine (after the @mention and filler), for the unanswered log. */
  question?: string;
  /** The entry ids of a "did you mean" list shown: the transport keeps them for a numbered reply. */
  suggested?: string[];
  /** With the `subscriptions` action: what to change in which group. */
  subscription?: SubscriptionRequest;
}

const TEXT_TYPES = new Set(['text', 'richText', 'audio']);

/** True for the message types the bot can read; others get a note saying what it understands. */
export const isReadable = (msgtype: string) => TEXT_TYPES.has(msgtype);

// Shown when an admin command reaches a bot that cannot run it (the command line, a test rig).
const ADMIN_UNAVAILABLE = '这个管理命令需要在运行中的机器人里使用。';

/** How a reply to the message is addressed and bounded; the transport uses it for admin replies too. */
export function replyContextFor(message: ChatMessage, maxReplyBytes: number): ReplyContext {
  return {
    ...(message.isGroup && message.senderStaffId ? { mentionStaffId: message.senderStaffId } : {}),
    askAt: whereToAsk(message.text),
    maxBytes: maxReplyBytes,
  };
}

/** Decides the reply to one message. Pure apart from the engine it is given: no I/O. */
export async function handleMessage(received: ChatMessage, context: BotContext): Promise<Handled> {
  const message = { ...received, text: received.text.slice(0, MAX_MESSAGE_CHARS) };
  const replyContext = {
    ...replyContextFor(message, context.maxReplyBytes),
    now: context.now,
    ...(context.staleAfterYears ? { staleAfterYears: context.staleAfterYears } : {}),
    ...(context.pickLinks && !message.isGroup ? { pickLinks: true } : {}),
  };
  const isAdmin = message.isAdmin === true || (message.senderStaffId !== undefined && context.admins.includes(message.senderStaffId));
  if (!isReadable(message.msgtype)) {
    return { handledAs: 'unsupported', reply: composeTextReply('只支持文字消息', `我目前只能读懂文字消息。${HELP_TEXT}`, replyContext) };
  }
  const command = parseCommand(message.text);
  switch (command.type) {
    case 'help':
      return { handledAs: 'help', reply: composeTextReply('使用说明', HELP_TEXT, replyContext) };
    case 'small-talk': {
      const { title, text } = SMALL_TALK_REPLIES[command.kind];
      return { handledAs: 'small-talk', reply: composeTextReply(title, text, replyContext) };
    }
    case 'events': {
      const events = upcomingEvents(context.entries, context.now).slice(0, context.eventsShown ?? 5);
      const result = { outcome: events.length > 0 ? 'answer' : 'abstain', intent: 'event', matches: events.map((entry) => ({ entry, score: 1 })) } as const;
      return { handledAs: 'events', reply: composeAnswerReply(result, replyContext) };
    }
    case 'digest': {
      const digest = composeDigest(context.entries, {
        now: context.now.toISOString(),
        zone: context.digest.zone,
        eventsAheadDays: context.digest.eventsAheadDays,
        maxBytes: context.maxReplyBytes - 500,
      });
      return { handledAs: 'digest', reply: composeTextReply(digest.title, digest.markdown, replyContext) };
    }
    case 'digest-send': {
      if (!isAdmin) {
        return { handledAs: 'refused', reply: composeTextReply('需要管理员权限', '抱歉，只有管理员可以发送周报。发送“周报”可以预览本周周报。', replyContext) };
      }
      const { zone, eventsAheadDays } = context.digest;
      if (isEmptyDigest(composeDigest(context.entries, { now: context.now.toISOString(), zone, eventsAheadDays, maxBytes: context.maxReplyBytes }))) {
        return { handledAs: 'digest-send', reply: composeTextReply('周报发送', '本周没有新的发布、问答、阅读，也没有近期活动：周报不发送。', replyContext) };
      }
      const sentAt = await context.digestSentAt?.();
      if (sentAt) {
        const when = DateTime.fromISO(sentAt).setZone(zone).toFormat('M 月 d 日 HH:mm');
        return { handledAs: 'digest-send', reply: composeTextReply('周报发送', `本周周报已在 ${when} 发送过，同一周不会重复发出。`, replyContext) };
      }
      return {
        handledAs: 'digest-send',
        action: 'send-digest',
        reply: composeTextReply('周报发送', '好的，本周周报马上发送到配置的群；同一周重复发送不会重复发出。', replyContext),
      };
    }
    case 'reload':
    case 'status':
    case 'unanswered': {
      if (!isAdmin) {
        return { handledAs: 'refused', reply: composeTextReply('需要管理员权限', '抱歉，这个命令只有管理员可以使用。发送“帮助”看看我能做什么。', replyContext) };
      }
      return { handledAs: `admin-${command.type}`, action: command.type, reply: composeTextReply('管理命令', ADMIN_UNAVAILABLE, replyContext) };
    }
    case 'subscribe':
    case 'unsubscribe':
    case 'subscriptions': {
      if (!isAdmin) {
        return { handledAs: 'refused', reply: composeTextReply('需要管理员权限', '抱歉，只有管理员可以设置本群接收哪些推送。发送“帮助”看看我能做什么。', replyContext) };
      }
      if (!message.isGroup || !message.conversationId) {
        return { handledAs: 'admin-subscriptions', reply: composeTextReply('订阅', '订阅按群设置：请在要接收推送的群里 @我 发送“订阅 周报”“订阅 提醒”或“订阅 管理”。', replyContext) };
      }
      const change = command.type === 'subscriptions' ? 'list' : command.type;
      const kinds = command.type === 'subscriptions' ? [] : command.kinds;
      const group = { openConversationId: message.conversationId, title: message.conversationTitle ?? '' };
      return { handledAs: 'admin-subscriptions', action: 'subscriptions', subscription: { change, kinds, group }, reply: composeTextReply('管理命令', ADMIN_UNAVAILABLE, replyContext) };
    }
    case 'pick': {
      const id = (await context.pendingSuggestions?.())?.[command.index - 1];
      if (id === undefined) return { handledAs: 'pick-none', reply: composeTextReply('没有可选的问题', PICK_NONE_TEXT, replyContext) };
      const entry = context.entries.find((e) => e.id === id);
      if (!entry) return { handledAs: 'pick-gone', reply: composeTextReply('这一条已不在', PICK_GONE_TEXT, replyContext) };
      return { handledAs: 'pick', reply: composeAnswerReply({ outcome: 'answer', intent: 'general', matches: [{ entry, score: 1 }] }, replyContext) };
    }
    case 'latest-release':
    case 'release':
    case 'question': {
      const question = questionOf(command);
      const result = await context.answerer.ask(question, context.now);
      const reply = composeAnswerReply(result, replyContext);
      return result.outcome === 'suggest'
        ? { handledAs: 'suggest', reply, question, suggested: result.matches.map((m) => m.entry.id) }
        : { handledAs: result.outcome, reply, question };
    }
  }
}

/** What the member is told when answering broke (the engine restarting, say): an honest apology. */
export function composeFailureReply(message: ChatMessage, maxReplyBytes: number): Handled {
  return { handledAs: 'failed', reply: composeTextReply('出错了', FAILURE_TEXT, replyContextFor(message, maxReplyBytes)) };
}

// Short, in the community's voice; a greeting says how to ask. Never logged as unanswered.
const SMALL_TALK_REPLIES: Readonly<Record<SmallTalk, { title: string; text: string }>> = {
  greeting: { title: '你好', text: '你好！我是社区问答机器人，@我 直接提问就行，例如“SOFARPC 怎么设置超时时间”。发送“帮助”看看我能做什么。' },
  thanks: { title: '不客气', text: '不客气！还有问题随时 @我。' },
  praise: { title: '谢谢', text: '谢谢！有问题随时 @我。' },
};

// A number with no list to pick from (none shown, or shown over ten minutes ago): a hint, not the apology.
const PICK_NONE_TEXT = '现在没有可选的编号：我列出“你想问的是不是”后十分钟内可以回复编号。请直接提问。';
const PICK_GONE_TEXT = '这一条已经不在知识库里了，请换个说法再问一次。';

const FAILURE_TEXT = '抱歉，我这边出了点问题，没能回答。请稍后再问一次。';

/** The GitHub issues of the project the message names, or the community's GitHub. */
function whereToAsk(text: string): { label: string; url: string } {
  const project = mentionedProject(text);
  const repository = project ? repositoryOf(project) : undefined;
  return project && repository
    ? { label: `${project} 的 GitHub issues`, url: `${repository}/issues` }
    : { label: '社区 GitHub 上对应项目的 issues', url: COMMUNITY_REPOSITORY };
}
