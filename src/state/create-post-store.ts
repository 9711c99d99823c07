import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { parseStoredJson } from './parse-stored-json.js';

/** The scheduled posts: the weekly digest, event reminders, the admins' weekly unanswered questions. */
export const OUTBOX_KINDS = ['digest', 'reminder', 'unanswered'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/** A post waiting to be sent: written down before the first attempt, so a crash cannot lose it. */
export interface OutboxItem {
  /** Identifies the post for exactly-once delivery, e.g. `digest:2024-05-24:community`. */
  key: string;
  kind: OutboxKind;
  group: string;
  /** When it fell due (ISO). */
  at: string;
  /** DingTalk's idempotency key: a resend after a crash or timeout carries the same one. */
  msgUuid: string;
  title: string;
  markdown: string;
  /** For reminders: the event and start it was planned for, re-checked before sending. */
  event?: { id: string; start: string };
  /**
   * App-robot posts only (no msgUuid there): when a request that could post it was last made, saved
   * before the request and cleared once DingTalk certainly did not post it. Found still set (a
   * crash, a timeout), the post may be in the chat: it is recorded as unconfirmed, never resent.
   */
  attemptedAt?: string;
}

export const OUTCOMES = ['sent', 'missed', 'cancelled', 'failed', 'unconfirmed'] as const;
/** `unconfirmed`: an app-robot request got no certain answer; it may or may not be in the chat. */
export type Outcome = (typeof OUTCOMES)[number];

export interface LogRecord {
  outcome: Outcome;
  at: string;
  /** What was posted and where (absent in records written before these were kept). */
  kind?: OutboxKind;
  group?: string;
  /** When the outcome was recorded (ISO). */
  recordedAt: string;
  detail?: string;
}

export interface PostState {
  /** The last moment the scheduler looked for due posts; the next look starts there. */
  lastTick?: string;
  outbox: OutboxItem[];
  /** Finished posts by key. */
  log: Record<string, LogRecord>;
}

export interface PostStore {
  load(): Promise<PostState>;
  /** Replaces the state on disk atomically (temp file, fsync, rename): a kill -9 leaves the old or the new state, never a torn one. */
  save(state: PostState): Promise<void>;
}

const stateSchema = z.object({
  lastTick: z.string().optional(),
  outbox: z.array(
    z.object({
      key: z.string(),
      kind: z.enum(OUTBOX_KINDS),
      group: z.string(),
      at: z.string(),
      msgUuid: z.string(),
      title: z.string(),
      markdown: z.string(),
      event: z.object({ id: z.string(), start: z.string() }).optional(),
      attemptedAt: z.string().optional(),
    }),
  ),
  log: z.record(
    z.string(),
    z.object({
      outcome: z.enum(OUTCOMES),
      at: z.string(),
      kind: z.enum(OUTBOX_KINDS).optional(),
      group: z.string().optional(),
      recordedAt: z.string(),
      detail: z.string().optional(),
    }),
  ),
});

/** Reads a stored post state; `where` names the file or key in the error. */
export function parsePostState(text: string, where: string): PostState {
  const { lastTick, outbox, log } = parseStoredJson(text, stateSchema, where, 'a post state');
  return {
    ...(lastTick ? { lastTick } : {}),
    outbox: outbox.map(({ event, attemptedAt, ...item }) => ({ ...item, ...(event ? { event } : {}), ...(attemptedAt ? { attemptedAt } : {}) })),
    log: Object.fromEntries(
      Object.entries(log).map(([key, { detail, kind, group, ...record }]) => [key, { ...record, ...(kind ? { kind } : {}), ...(group ? { group } : {}), ...(detail ? { detail } : {}) }]),
    ),
  };
}

/** The embedded store: one JSON file in DATA_DIR. */
export function createPostStore(dataDir: string): PostStore {
  const file = join(dataDir, 'posts.json');
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { outbox: [], log: {} };
        throw err;
      }
      return parsePostState(text, file);
    },
    async save(state) {
      await mkdir(dataDir, { recursive: true });
      await writeFileAtomic(file, `${JSON.stringify(state, null, 1)}\n`, { fsync: true });
    },
  };
}
