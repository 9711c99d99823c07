import { getHeapSpaceStatistics } from 'node:v8';
import { collectCompacting, exposeGc } from '../shared/expose-gc.js';

// V8 gives back a young generation that start-up grew (32 MB in the main thread, which module
// loading fills) only once its allocation-rate estimate says the thread is idle. That estimate is
// the average over the last ten collections, so after a start-up of hundreds of quick scavenges it
// stays high until a collection happens in quiet times, which an idle bot may not have for 10–30 s.
// Small collections a tenth of a second apart, once start-up is done, fill the estimate with the
// quiet bot: V8 then shrinks the young generation to 1–2 MB by itself (about 30 MB of RSS), most
// often by the twelfth. When the bot is busy instead, the estimate stays high, V8 keeps the young
// generation as it is, and the collections stop after three seconds.
const MAX_COLLECTIONS = 30;
const GAP_MS = 100;
const SETTLED_BYTES = 4 * 1024 * 1024;
/** The young generation's committed size (both semi-spaces). */
export const youngGenerationBytes = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;

/**
 * Starts the collections and returns at once; `done` (for tests) is told whether V8 gave the young
 * generation back. A compacting full collection ends them: what start-up left in the old
 * generation is half-empty pages that V8 would otherwise give back some 8 s later (about 5 MB).
 */
export function settleHeap(done?: (settled: boolean) => void): void {
  const collect = exposeGc();
  let left = MAX_COLLECTIONS;
  const timer = setInterval(() => {
    collect({ type: 'minor' });
    const settled = youngGenerationBytes() <= SETTLED_BYTES;
    if (!settled && --left > 0) return;
    clearInterval(timer);
    collectCompacting(collect);
    done?.(settled);
  }, GAP_MS);
  // Never what keeps a stopping bot alive.
  timer.unref();
}
