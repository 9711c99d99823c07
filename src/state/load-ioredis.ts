import { createRequire } from 'node:module';
import type * as Ioredis from 'ioredis';

/**
 * ioredis, loaded when a Redis client is made: most bots keep their state in files, and the client
 * library is 2 MB of the main thread's heap (measured after a full collection) they would never use.
 */
export function loadIoredis(): typeof Ioredis {
  return createRequire(import.meta.url)('ioredis') as typeof Ioredis;
}
