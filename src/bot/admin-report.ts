// What the admins' chat commands report. handleMessage decides who may run them; the transport
// runs them against the live bot (AdminOperations) and composeAdminReply words the result. Texts
// here are raw (file names, error messages, group names): composeAdminReply shows them as plain text.
import type { KnowledgeSummary } from '../knowledge/summarize-knowledge.js';
import type { PostKind } from '../config/config-schema.js';

/** An admin command that needs the running bot. */
export type AdminAction = 'reload' | 'status' | 'unanswered' | 'subscriptions';

/** `订阅 …`, `退订 …` or `订阅` alone, in the group it was sent in. */
export interface SubscriptionRequest {
  change: 'subscribe' | 'unsubscribe' | 'list';
  kinds: PostKind[];
  /** The group: its callback's conversationId and conversationTitle. */
  group: { openConversationId: string; title: string };
}

/** A subscribed group as `状态` lists it. */
export interface SubscribedGroup {
  title: string;
  posts: PostKind[];
}

/** A finished scheduled post, as `状态` lists it. */
export interface PostSummary {
  kind: string;
  group: string;
  outcome: string;
  /** When it fell due, `YYYY-MM-DD HH:mm` in the bot's zone. */
  when: string;
}

/** A group of unanswered questions, as `待回答` lists it. */
export interface UnansweredSummary {
  question: string;
  count: number;
  /** Other phrasings of it. */
  variants: number;
  /** YYYY-MM-DD. */
  lastSeen: string;
}

export type AdminReport =
  | { action: 'reload'; knowledge: KnowledgeSummary; ms: number }
  | {
      action: 'status';
      /** Undefined while the knowledge is loading. */
      knowledge?: KnowledgeSummary;
      /** The most recent finished posts and the outbox depth, or why they could not be read. */
      posts: { recent: PostSummary[]; outbox: number } | { error: string };
      /** Groups in the unanswered log. */
      unanswered: number;
      /** The groups subscribed from the chat, or why they could not be read; absent where none are kept. */
      subscriptions?: SubscribedGroup[] | { error: string };
    }
  | {
      action: 'subscriptions';
      request: SubscriptionRequest;
      /** What the group receives now, by kind, with when it subscribed (`YYYY-MM-DD HH:mm` in the bot's zone). */
      posts: Partial<Record<PostKind, string>>;
    }
  /** Subscriptions need the app robot (DINGTALK_APP_KEY and DINGTALK_APP_SECRET); nothing changed. */
  | { action: 'no-app-robot' }
  | { action: 'unanswered'; groups: UnansweredSummary[]; total: number }
  | { action: 'failed'; failed: AdminAction; reason: string };

export interface AdminOperations {
  /** Runs the command (`subscription` for `subscriptions`); resolves with a report, a failure included (never rejects). */
  run(action: AdminAction, subscription?: SubscriptionRequest): Promise<AdminReport>;
}
