import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * What V8's gc() extension takes. Only a minor collection (a scavenge) is asked for that way: in
 * Node 20's V8 an options object gets a scavenge whatever its type says, so a full collection is
 * gc() without options.
 */
export interface GcOptions {
  type: 'minor';
}

/** V8's gc(): a full collection without options, a scavenge with { type: 'minor' }. */
export type CollectGarbage = (options?: GcOptions) => void;

/**
 * V8's gc() without starting Node with --expose-gc (which a worker's execArgv cannot take, nor an
 * npm script portably): the flag set at run time exposes it to contexts created after it.
 */
export function exposeGc(): CollectGarbage {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as CollectGarbage;
}

/**
 * A full collection that also moves the objects left on partly empty pages together and gives the
 * pages it empties back. A plain one moves them only from pages that are mostly empty; V8's memory
 * reducer compacts the rest by itself, but only about 8 s after a thread's last full collection,
 * and Node 20 has no other way to ask for it. The flag is the process's, so a collection another
 * thread happens to run meanwhile compacts too, which costs it time, not correctness.
 */
export function collectCompacting(collect: CollectGarbage): void {
  setFlagsFromString('--compact-on-every-full-gc');
  try {
    collect();
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
}
