import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { QuestionAnalyser } from '../search/create-question-analyser.js';
import { listUnanswered } from './list-unanswered.js';
import { parseUnanswered, serializeUnanswered } from './read-unanswered-file.js';
import { recordUnanswered, textsToAnalyse } from './record-unanswered.js';
import type { JobLock } from './state-store.js';
import type { UnansweredAsk, UnansweredLog, UnansweredState } from './unanswered-log.js';

export interface RedisUnansweredLogOptions {
  redis: Redis;
  /** The key holding the log, in the form the file store writes. */
  key: string;
  /** Serialises read-modify-write across instances. */
  lock: JobLock;
  zone: string;
  analyser: QuestionAnalyser;
  logger: Logger;
  /** Questions recorded within this long are written together; default 200 ms. */
  batchMs?: number;
}

// Records are rare (a question the bot could not answer) and small; waiting a moment for another
// instance's write is cheaper than a merge of two versions.
const LOCK_WAIT_MS = 5000;

/**
 * The unanswered log shared by every instance: one Redis key, read, changed and written back
 * under a lock, so two instances recording at once both count. Grouping runs in the instance
 * that records, as in the file log. An instance writes the questions of `batchMs` together: a
 * burst of questions nobody can answer costs a few lock round trips, not one each (one each let
 * two busy instances time out on the lock).
 */
export function createRedisUnansweredLog(options: RedisUnansweredLogOptions): UnansweredLog {
  const log = options.logger.child({ module: 'unanswered' });
  const batchMs = options.batchMs ?? 200;
  let closed = false;
  let pending: UnansweredAsk[] = [];
  let scheduled: Promise<void> | undefined;
  // One write at a time from this instance; the lock orders them with other instances'.
  let writing = Promise.resolve();
  const recordOptions = { analyse: (text: string) => options.analyser.analyse(text), zone: options.zone };

  const read = async (): Promise<UnansweredState> => {
    const text = await options.redis.get(options.key);
    return text === null ? { groups: [] } : parseUnanswered(text, `redis ${options.key}`);
  };

  const write = async (asks: UnansweredAsk[]): Promise<void> => {
    try {
      const ran = await options.lock.run(
        'unanswered',
        async () => {
          const state = await read().catch((err: unknown) => {
            // Unreadable: start again rather than never count again.
            log.error({ err: err instanceof Error ? err.message : String(err) }, 'unanswered questions in Redis unreadable: starting an empty log');
            return { groups: [] };
          });
          await options.analyser.prepare(textsToAnalyse(state, asks));
          let changed = false;
          for (const ask of asks) changed = recordUnanswered(state, ask, recordOptions) || changed;
          if (changed) await options.redis.set(options.key, serializeUnanswered(state));
        },
        { waitMs: LOCK_WAIT_MS },
      );
      if (!ran) log.warn({ questions: asks.length }, 'unanswered questions not recorded: the log stayed locked');
    } catch (err) {
      log.error({ questions: asks.length, err: err instanceof Error ? err.message : String(err) }, 'unanswered questions not recorded');
    }
  };

  /** Writes what is waiting; resolves once everything recorded so far is written (or has failed). */
  const flush = (): Promise<void> => {
    const asks = pending;
    pending = [];
    scheduled = undefined;
    if (asks.length > 0) writing = writing.then(() => write(asks));
    return writing;
  };

  return {
    record(ask) {
      if (closed) return Promise.resolve();
      pending.push(ask);
      scheduled ??= new Promise<void>((resolve) => setTimeout(resolve, batchMs).unref()).then(flush);
      return scheduled;
    },
    async groups(query) {
      await flush();
      return listUnanswered(await read(), query);
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
  };
}
