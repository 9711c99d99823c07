import { createPostStore } from './create-post-store.js';
import { createFileRateLedger } from './create-file-rate-ledger.js';
import { createMessageDeduper } from './create-message-deduper.js';
import { createProcessLock } from './create-process-lock.js';
import type { StateStore } from './state-store.js';

/**
 * The embedded store for one instance: posts and the rate ledger in files under DATA_DIR (they
 * survive restarts), message ids and locks in this process (one process serves at a time).
 */
export function createFileStateStore(options: { dataDir: string; dedupeRetentionMs: number }): StateStore {
  return {
    kind: 'file',
    deduper: createMessageDeduper(options.dedupeRetentionMs),
    posts: createPostStore(options.dataDir),
    rateLedger: createFileRateLedger(options.dataDir),
    lock: createProcessLock(),
    close: () => Promise.resolve(),
  };
}
