import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { QuestionAnalyser } from '../search/create-question-analyser.js';
import { listUnanswered } from './list-unanswered.js';
import { parseUnanswered, serializeUnanswered } from './read-unanswered-file.js';
import { recordUnanswered, textsToAnalyse } from './record-unanswered.js';
import type { JobLock } from './state-store.js';
import type { UnansweredLog, UnansweredState } from './unanswered-log.js';

export interface RedisUnansweredLogOptions {
  redis: Redis;
  /** The key holding the log, in the form the file store writes. */
  key: string;
  /** Serialises read-modify-write across instances. */
  lock: JobLock;
  zone: string;
  analyser: QuestionAnalyser;
  logger: Logger;
}

// Records are rare (a question the bot could not answer) and small; waiting a moment for another
// instance's record is cheaper than a merge of two versions.
const LOCK_WAIT_MS = 5000;

/**
 * The unanswered log shared by every instance: one Redis key, read, changed and written back
 * under a lock, so two instances recording at once both count. Grouping runs in the instance
 * that records, as in the file log.
 */
export function createRedisUnansweredLog(options: RedisUnansweredLogOptions): UnansweredLog {
  const log = options.logger.child({ module: 'unanswered' });
  let closed = false;
  const read = async (): Promise<UnansweredState> => {
    const text = await options.redis.get(options.key);
    return text === null ? { groups: [] } : parseUnanswered(text, `redis ${options.key}`);
  };
  return {
    async record(ask) {
      if (closed) return;
      try {
        const ran = await options.lock.run(
          'unanswered',
          async () => {
            const state = await read().catch((err: unknown) => {
              // Unreadable: start again rather than never count again.
              log.error({ err: err instanceof Error ? err.message : String(err) }, 'unanswered questions in Redis unreadable: starting an empty log');
              return { groups: [] };
            });
            await options.analyser.prepare(textsToAnalyse(state, ask));
            if (!recordUnanswered(state, ask, { analyse: (text) => options.analyser.analyse(text), zone: options.zone })) return;
            await options.redis.set(options.key, serializeUnanswered(state));
          },
          { waitMs: LOCK_WAIT_MS },
        );
        if (!ran) log.warn('unanswered question not recorded: the log stayed locked');
      } catch (err) {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'unanswered question not recorded');
      }
    },
    async groups(query) {
      return listUnanswered(await read(), query);
    },
    flush: () => Promise.resolve(),
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
