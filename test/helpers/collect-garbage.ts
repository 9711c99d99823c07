import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setImmediate as nextTurn } from 'node:timers/promises';

// V8's gc() without starting vitest's workers with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

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
