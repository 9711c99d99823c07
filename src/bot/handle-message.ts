import type { Entry } from '../knowledge/entry.js';
import { COMMUNITY_REPOSITORY, mentionedProject, repositoryOf } from '../knowledge/projects.js';
import { upcomingEvents } from '../knowledge/upcoming-events.js';
import type { Answerer } from '../search/answer-types.js';
import { composeAnswerReply, composeTextReply, HELP_TEXT, type BotReply, type ReplyContext } from './compose-reply.js';
import { parseCommand } from './parse-command.js';
import { questionOf } from './question-of.js';
import { composeDigest } from '../schedule/compose-digest.js';

/** A member's message, as the platform-free core sees it. */
export interface ChatMessage {
  text: string;
  /** DingTalk's msgtype; only text-bearing types can be answered. */
  msgtype: string;
  isGroup: boolean;
  senderStaffId?: string;
  /** DingTalk says the sender administers the organisation. */
  isAdmin?: boolean;
}

export interface BotContext {
  answerer: Answerer;
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
}

/** What happened, for logs and metrics. */
export type HandledAs = 'help' | 'events' | 'digest' | 'digest-send' | 'refused' | 'unsupported' | 'answer' | 'suggest' | 'abstain';

/** Something the transport must do besides replying. */
export type BotAction = 'send-digest';

const TEXT_TYPES = new Set(['text', 'richText', 'audio']);

/** Decides the reply to one message. Pure apart from the engine it is given: no I/O. */
export function handleMessage(message: ChatMessage, context: BotContext): { reply: BotReply; handledAs: HandledAs; action?: BotAction } {
  const replyContext: ReplyContext = {
    ...(message.isGroup && message.senderStaffId ? { mentionStaffId: message.senderStaffId } : {}),
    askAt: whereToAsk(message.text),
    maxBytes: context.maxReplyBytes,
  };
  if (!TEXT_TYPES.has(message.msgtype)) {
    return { handledAs: 'unsupported', reply: composeTextReply('只支持文字消息', `我目前只能读懂文字消息。${HELP_TEXT}`, replyContext) };
  }
  const command = parseCommand(message.text);
  switch (command.type) {
    case 'help':
      return { handledAs: 'help', reply: composeTextReply('使用说明', HELP_TEXT, replyContext) };
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
      const isAdmin = message.isAdmin === true || (message.senderStaffId !== undefined && context.admins.includes(message.senderStaffId));
      if (!isAdmin) {
        return { handledAs: 'refused', reply: composeTextReply('需要管理员权限', '抱歉，只有管理员可以发送周报。发送“周报”可以预览本周周报。', replyContext) };
      }
      return {
        handledAs: 'digest-send',
        action: 'send-digest',
        reply: composeTextReply('周报发送', '好的，本周周报马上发送到配置的群；同一周重复发送不会重复发出。', replyContext),
      };
    }
    case 'latest-release':
    case 'release':
    case 'question': {
      const result = context.answerer.ask(questionOf(command), context.now);
      return { handledAs: result.outcome, reply: composeAnswerReply(result, replyContext) };
    }
  }
}

/** The GitHub issues of the project the message names, or the community's GitHub. */
function whereToAsk(text: string): { label: string; url: string } {
  const project = mentionedProject(text);
  const repository = project ? repositoryOf(project) : undefined;
  return project && repository
    ? { label: `${project} 的 GitHub issues`, url: `${repository}/issues` }
    : { label: '社区 GitHub 上对应项目的 issues', url: COMMUNITY_REPOSITORY };
}
