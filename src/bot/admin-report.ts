// What the admins' chat commands report. handleMessage decides who may run them; the transport
// runs them against the live bot (AdminOperations) and composeAdminReply words the result. Texts
// here are raw (file names, error messages, group names): composeAdminReply shows them as plain text.
import type { KnowledgeSummary } from '../knowledge/summarize-knowledge.js';

/** An admin command that needs the running bot. */
export type AdminAction = 'reload' | 'status' | 'unanswered';

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
    }
  | { action: 'unanswered'; groups: UnansweredSummary[]; total: number }
  | { action: 'failed'; failed: AdminAction; reason: string };

export interface AdminOperations {
  /** Runs the command; resolves with a report, a failure included (never rejects). */
  run(action: AdminAction): Promise<AdminReport>;
}
