import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';

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
}

export type Outcome = 'sent' | 'missed' | 'cancelled' | 'failed';

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
    }),
  ),
  log: z.record(
    z.string(),
    z.object({
      outcome: z.enum(['sent', 'missed', 'cancelled', 'failed']),
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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${where}: not a post state: not JSON`);
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${where}: not a post state: ${parsed.error.issues[0]?.message ?? 'unreadable'}`);
  const { lastTick, outbox, log } = parsed.data;
  return {
    ...(lastTick ? { lastTick } : {}),
    outbox: outbox.map(({ event, ...item }) => ({ ...item, ...(event ? { event } : {}) })),
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
