import { loadIoredis } from '../state/load-ioredis.js';
import { StartupError } from './startup-error.js';

const PROBE_TIMEOUT_MS = 5000;

/**
 * Connects to Redis once and pings it, so a Redis that refuses, does not answer or rejects the
 * password stops the start with one line, rather than every callback failing afterwards. The line
 * names the host and port only: the URL may hold a password.
 */
export async function probeRedis(url: string): Promise<void> {
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    throw new StartupError('REDIS_URL is not a URL such as redis://host:6379 (its value is not shown: it may hold a password)');
  }
  const { Redis } = loadIoredis();
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: PROBE_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  // The connection's own error (ECONNREFUSED); connect() then only says "Connection is closed".
  // Without a listener ioredis would also print it.
  let connectionError: Error | undefined;
  redis.on('error', (err: Error) => (connectionError ??= err));
  try {
    await redis.connect();
    await redis.ping();
  } catch (caught) {
    const err = connectionError ?? caught;
    const code = (err as NodeJS.ErrnoException).code;
    const message = (err as Error).message;
    const reason =
      code === 'ECONNREFUSED'
        ? 'the connection was refused (is Redis running there?)'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'no such host'
          : code === 'ETIMEDOUT' || /timeout/i.test(message)
            ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s`
            : /NOAUTH|WRONGPASS|invalid password/i.test(message)
              ? 'the password was refused'
              : message.replace(/redis:\/\/\S*/g, host);
    throw new StartupError(`cannot use Redis at ${host} (REDIS_URL): ${reason}`);
  } finally {
    redis.disconnect();
  }
}
