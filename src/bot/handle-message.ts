import type { Entry } from '../knowledge/entry.js';
import { COMMUNITY_REPOSITORY, mentionedProject, repositoryOf } from '../knowledge/projects.js';
import { upcomingEvents } from '../knowledge/upcoming-events.js';
import type { Answerer } from '../search/answer-types.js';
import { composeAnswerReply, composeTextReply, HELP_TEXT, type BotReply, type ReplyContext } from './compose-reply.js';
import { parseCommand } from './parse-command.js';

/** A member's message, as the platform-free core sees it. */
export interface ChatMessage {
  text: string;
  /** DingTalk's msgtype; only text-bearing types can be answered. */
  msgtype: string;
  isGroup: boolean;
  senderStaffId?: string;
}

export interface BotContext {
  answerer: Answerer;
  entries: readonly Entry[];
  now: Date;
  /** Byte budget of a reply's Markdown. */
  maxReplyBytes: number;
  /** How many upcoming events the `活动` command lists. */
  eventsShown?: number;
}

/** What happened, for logs and metrics. */
export type HandledAs = 'help' | 'events' | 'digest' | 'unsupported' | 'answer' | 'suggest' | 'abstain';

const TEXT_TYPES = new Set(['text', 'richText', 'audio']);

/** Decides the reply to one message. Pure apart from the engine it is given: no I/O. */
export function handleMessage(message: ChatMessage, context: BotContext): { reply: BotReply; handledAs: HandledAs } {
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
    case 'digest':
      return {
        handledAs: 'digest',
        reply: composeTextReply('周报', '周报预览还没有上线：定时周报功能完成后，这里会显示本周的发布、问答、阅读和活动。', replyContext),
      };
    case 'latest-release':
    case 'release':
    case 'question': {
      const question =
        command.type === 'latest-release' ? `${command.project} 最新版本` : command.type === 'release' ? `${command.project} ${command.version}` : command.text;
      const result = context.answerer.ask(question, context.now);
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
