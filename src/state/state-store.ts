import type { RateLedger } from '../dingtalk/rate-ledger.js';
import type { PostStore } from './create-post-store.js';
import type { QuestionAnalyser } from '../search/create-question-analyser.js';
import type { UnansweredLog } from './unanswered-log.js';
import type { PostKind } from '../config/config-schema.js';

/** Answers each DingTalk message once, however often it is delivered and to whichever instance. */
export interface MessageDeduper {
  /** True the first time a message id is claimed within the retention time; false for a redelivery. */
  claim(msgId: string, nowMs: number): Promise<boolean>;
  /** Forgets a claim, so a message whose handling failed can be handled when it is delivered again. */
  release(msgId: string): Promise<void>;
  /**
   * Binds a callback's signature (its `timestamp` and `sign` headers) to the message it carried,
   * atomically, for the retention time: true when the signature is new or already bound to
   * `msgId` (a redelivery), false when it carried another message. DingTalk signs the timestamp
   * only, so without this one captured signature could carry any body for the whole window.
   */
  bindSignature(signature: string, msgId: string, nowMs: number): Promise<boolean>;
}

/**
 * The "did you mean" list last shown to a member in a chat, as entry ids, so a later `1` picks from
 * it on whichever instance it arrives. Keyed by the transport (conversation and sender).
 */
export interface PendingSuggestions {
  /** The ids stored under `key` less than the retention time ago, or undefined. */
  get(key: string, nowMs: number): Promise<readonly string[] | undefined>;
  /** Replaces the list under `key`, kept for the retention time from `nowMs`. */
  set(key: string, ids: readonly string[], nowMs: number): Promise<void>;
}

/** How long a "did you mean" list can be picked from. */
export const PENDING_SUGGESTIONS_MS = 10 * 60_000;

/** A group subscribed from the chat to scheduled posts, which the app robot delivers. */
export interface Subscription {
  /** The group's `conversationId` in its callbacks, which is the OpenAPI's `openConversationId`. */
  openConversationId: string;
  /** The group's name when last subscribed (`conversationTitle`), for 状态 and the command line. */
  title: string;
  /** When the group subscribed to each kind (ISO): a post that fell due earlier is not sent to it. */
  posts: Partial<Record<PostKind, string>>;
}

/** The subscriptions of every group, kept like the outbox: on disk in DATA_DIR, or in Redis. */
export interface Subscriptions {
  /** Every group with at least one kind. */
  list(): Promise<Subscription[]>;
  /** Adds `kinds` (a kind the group has keeps its time) and records the title; answers the group's subscription. */
  subscribe(group: { openConversationId: string; title: string }, kinds: readonly PostKind[], at: string): Promise<Subscription>;
  /** Removes `kinds`; answers what the group still receives, undefined when nothing. */
  unsubscribe(openConversationId: string, kinds: readonly PostKind[]): Promise<Subscription | undefined>;
}

/** Runs a job on one instance at a time. */
export interface JobLock {
  /**
   * Runs `job` while holding the lock `name` (kept alive while the job runs), waiting up to
   * `waitMs` for it; answers false without running the job when another holder kept it that long.
   */
  run(name: string, job: () => Promise<void>, options?: { waitMs?: number }): Promise<boolean>;
}

/**
 * Every piece of state the bot keeps, in one place, so several instances can share it: the file
 * store in DATA_DIR for one instance (the default, nothing to install), Redis for several.
 */
export interface StateStore {
  readonly kind: 'file' | 'redis';
  deduper: MessageDeduper;
  posts: PostStore;
  rateLedger: RateLedger;
  lock: JobLock;
  suggestions: PendingSuggestions;
  subscriptions: Subscriptions;
  /** The questions the bot could not answer; `analyser` groups similar ones, `zone` dates them. */
  unansweredLog(options: { zone: string; analyser: QuestionAnalyser }): UnansweredLog;
  close(): Promise<void>;
}
