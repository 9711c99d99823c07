import { setImmediate as nextTurn } from 'node:timers/promises';
import { exposeGc } from '../../src/shared/expose-gc.js';

const gc = exposeGc();

/**
 * Collects garbage until what is unreachable is gone: a WeakRef's target lives to the end of the
 * turn it was last read in, and native memory (buffers) is freed by finalizers on later turns.
 */
export async function collectGarbage(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) {
    await nextTurn();
    gc();
  }
}
