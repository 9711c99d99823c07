/**
 * The questions the bot abstained on or only offered "did you mean" for, grouped by similarity,
 * so admins can see what the knowledge is missing. Every method is async so that a shared store
 * (issue #7) can implement it. Nothing about the asker is kept: the text, how often and when it
 * was asked, and the chat's name.
 */
export interface UnansweredLog {
  /** Counts one question; never throws (a storage failure is logged). */
  record(question: UnansweredAsk): Promise<void>;
  /** The groups, most asked first; with a window, counted within it and only those asked in it. */
  groups(query?: UnansweredQuery): Promise<UnansweredGroup[]>;
  /** Writes what was recorded so far. */
  flush(): Promise<void>;
  /** Flushes and stops; later records are ignored. */
  close(): Promise<void>;
}

export interface UnansweredAsk {
  /** The question as asked, without the @mention. */
  text: string;
  /** Where it was asked: the group chat's title, or a label such as 私聊. Never a person. */
  chat: string;
  /** Epoch ms. */
  at: number;
}

export interface UnansweredQuery {
  /** At most this many groups. */
  limit?: number;
  /** First day counted, YYYY-MM-DD in the log's zone (inclusive). */
  from?: string;
  /** Last day counted, YYYY-MM-DD in the log's zone (inclusive). */
  to?: string;
}

/** One phrasing of a question. */
export interface UnansweredVariant {
  text: string;
  count: number;
  /** ISO 8601. */
  firstSeen: string;
  lastSeen: string;
}

/** Similar questions taken as one: the most asked phrasing represents them. */
export interface UnansweredGroup {
  /** Stable for the group's life: names its draft file. */
  id: string;
  /** The most asked phrasing (the first asked on a tie). */
  question: string;
  /** Times asked: all time, or within the query's window. */
  count: number;
  firstSeen: string;
  lastSeen: string;
  /** The other phrasings, most asked first. */
  variants: UnansweredVariant[];
  /** Chats it was asked in, most first. */
  chats: { chat: string; count: number }[];
}

/** What is stored: per group, its phrasings, chats and asks per day (for the weekly digest). */
export interface UnansweredState {
  groups: StoredUnansweredGroup[];
}

export interface StoredUnansweredGroup {
  id: string;
  variants: UnansweredVariant[];
  chats: Record<string, number>;
  /** Asks per calendar day (YYYY-MM-DD in the log's zone), for recent weeks only. */
  days: Record<string, number>;
}
