import { createPostStore } from './create-post-store.js';
import { createFileRateLedger } from './create-file-rate-ledger.js';
import { createMessageDeduper } from './create-message-deduper.js';
import { createProcessLock } from './create-process-lock.js';
import type { StateStore } from './state-store.js';
import { createFileSuggestions } from './create-file-suggestions.js';
import { createFileUnansweredLog } from './create-file-unanswered-log.js';
import { createFileSubscriptions } from './create-file-subscriptions.js';
import type { Logger } from '../logger.js';

/**
 * The embedded store for one instance: posts, the rate ledger, the unanswered log, the subscriptions and the pending "did you mean" lists in files
 * under DATA_DIR (they survive restarts), message ids and locks in this process (one process
 * serves at a time).
 */
export function createFileStateStore(options: { dataDir: string; dedupeRetentionMs: number; logger: Logger }): StateStore {
  return {
    kind: 'file',
    deduper: createMessageDeduper(options.dedupeRetentionMs),
    posts: createPostStore(options.dataDir),
    rateLedger: createFileRateLedger(options.dataDir),
    lock: createProcessLock(),
    suggestions: createFileSuggestions(options.dataDir),
    subscriptions: createFileSubscriptions(options.dataDir),
    unansweredLog: ({ zone, analyser }) => createFileUnansweredLog({ dataDir: options.dataDir, zone, analyser, logger: options.logger }),
    close: () => Promise.resolve(),
  };
}
