import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { RateLedger } from '../dingtalk/rate-ledger.js';
import { parsePostState, type PostStore } from './create-post-store.js';
import { PENDING_SUGGESTIONS_MS, type JobLock, type MessageDeduper, type PendingSuggestions, type StateStore } from './state-store.js';
import { createRedisUnansweredLog } from './create-redis-unanswered-log.js';
import { createRedisSubscriptions } from './create-redis-subscriptions.js';
import { loadIoredis } from './load-ioredis.js';

export interface RedisStateStoreOptions {
  /** `redis://[:password@]host:port[/db]`; from REDIS_URL only, never logged. */
  url: string;
  /** Put before every key, so several bots (or tests) can share one Redis. */
  keyPrefix: string;
  dedupeRetentionMs: number;
  logger: Logger;
  /** How long a lock outlives a holder that stopped renewing it (a killed instance). Default 30 s. */
  lockTtlMs?: number;
}

// Takes a send slot (see reserveSlot in rate-ledger.ts, the same rule): KEYS[1] the robot's slots
// (a sorted set of slot id by date), KEYS[2] its pause; ARGV id, now, until, limit, windowMs.
const RESERVE = `
local now, untilT, limit, window = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. untilT, '+inf')) do
  redis.call('ZADD', KEYS[1], untilT, id)
end
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return paused - now end
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  local kth = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
  return math.max(1, tonumber(kth[2]) + window - now)
end
redis.call('ZADD', KEYS[1], untilT, ARGV[1])
redis.call('PEXPIRE', KEYS[1], untilT - now + window)
return 0`;
// KEYS[1] the pause; ARGV until, now. Only ever lengthens a pause.
const PAUSE = `
local untilT, now = tonumber(ARGV[1]), tonumber(ARGV[2])
if tonumber(redis.call('GET', KEYS[1]) or '0') < untilT then
  redis.call('SET', KEYS[1], untilT, 'PX', math.max(1, untilT - now))
end
return 1`;
// Renews or releases a lock only for the holder that took it.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
// Binds a callback signature to the first message it carried: KEYS[1] the signature; ARGV msgId, ttl.
// 1 when it is new or bound to this msgId, 0 when bound to another.
const BIND = `
local bound = redis.call('GET', KEYS[1])
if not bound then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if bound == ARGV[1] then return 1 end
return 0`;

const LOCK_POLL_MS = 250;

/**
 * The shared store for several instances. Redis should keep what it acknowledged across its own
 * restarts (appendonly yes, appendfsync always); commands issued while it restarts wait for it
 * briefly and then fail, and every caller treats a failure as "not done": a callback gets 503 and
 * is delivered again, a scheduler tick is tried again next minute.
 */
export function createRedisStateStore(options: RedisStateStoreOptions): StateStore {
  const log = options.logger.child({ module: 'redis-state' });
  const key = (name: string) => `${options.keyPrefix}${name}`;
  const lockTtlMs = options.lockTtlMs ?? 30_000;
  const { Redis } = loadIoredis();
  const redis = new Redis(options.url, {
    // A few reconnection attempts (about 2.5 s) before a command fails, rather than a caller hanging.
    maxRetriesPerRequest: 10,
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
  let lastError = '';
  redis.on('error', (err: Error) => {
    // ioredis repeats the same error on every reconnection attempt.
    if (err.message !== lastError) log.warn({ err: err.message }, 'redis connection problem');
    lastError = err.message;
  });
  redis.on('ready', () => {
    if (lastError) log.info('redis connection restored');
    lastError = '';
  });

  const deduper: MessageDeduper = {
    async claim(msgId) {
      return (await redis.set(key(`msg:${msgId}`), '1', 'PX', options.dedupeRetentionMs, 'NX')) === 'OK';
    },
    async release(msgId) {
      await redis.del(key(`msg:${msgId}`));
    },
    async bindSignature(signature, msgId) {
      return Number(await redis.eval(BIND, 1, key(`sig:${signature}`), msgId, options.dedupeRetentionMs)) === 1;
    },
  };

  const suggestions: PendingSuggestions = {
    async get(name) {
      const text = await redis.get(key(`suggest:${name}`));
      if (text === null) return undefined;
      const ids: unknown = JSON.parse(text);
      return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? ids : undefined;
    },
    async set(name, ids) {
      await redis.set(key(`suggest:${name}`), JSON.stringify(ids), 'PX', PENDING_SUGGESTIONS_MS);
    },
  };

  const posts: PostStore = {
    async load() {
      const text = await redis.get(key('posts'));
      return text === null ? { outbox: [], log: {} } : parsePostState(text, `redis ${key('posts')}`);
    },
    async save(state) {
      await redis.set(key('posts'), JSON.stringify(state));
    },
  };

  const rateLedger: RateLedger = {
    async reserve(robot, slot) {
      const waitMs = await redis.eval(RESERVE, 2, key(`rate:${robot}`), key(`rate:${robot}:paused`), slot.id, slot.now, slot.until, slot.limit, slot.windowMs);
      return Number(waitMs);
    },
    async finish(robot, id, at) {
      await redis.zadd(key(`rate:${robot}`), 'XX', at, id);
    },
    async pause(robot, until) {
      await redis.eval(PAUSE, 1, key(`rate:${robot}:paused`), until, Date.now());
    },
  };

  const lock: JobLock = {
    async run(name, job, { waitMs = 0 } = {}) {
      const lockKey = key(`lock:${name}`);
      const token = randomUUID();
      const deadline = Date.now() + waitMs;
      while ((await redis.set(lockKey, token, 'PX', lockTtlMs, 'NX')) !== 'OK') {
        if (Date.now() >= deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
      }
      const renewal = setInterval(() => {
        redis.eval(RENEW, 1, lockKey, token, lockTtlMs).then(
          (renewed) => {
            if (Number(renewed) !== 1) log.error({ lock: name }, 'lock lost while its job runs: another instance may run it too');
          },
          (err: unknown) => log.warn({ lock: name, err: err instanceof Error ? err.message : String(err) }, 'lock not renewed'),
        );
      }, lockTtlMs / 3);
      renewal.unref();
      try {
        await job();
      } finally {
        clearInterval(renewal);
        await redis.eval(RELEASE, 1, lockKey, token).catch((err: unknown) => {
          // It expires by itself.
          log.warn({ lock: name, err: err instanceof Error ? err.message : String(err) }, 'lock not released');
        });
      }
      return true;
    },
  };

  return {
    kind: 'redis',
    deduper,
    posts,
    rateLedger,
    lock,
    suggestions,
    subscriptions: createRedisSubscriptions(redis, key('subscriptions')),
    unansweredLog: ({ zone, analyser }) => createRedisUnansweredLog({ redis, key: key('unanswered'), lock, zone, analyser, logger: options.logger }),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
