import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's collection types as its gc() extension takes them. */
export interface GcOptions {
  type: 'minor' | 'major';
}

/**
 * V8's gc() without starting Node with --expose-gc (which a worker's execArgv cannot take, nor an
 * npm script portably): the flag set at run time exposes it to contexts created after it.
 */
export function exposeGc(): (options?: GcOptions) => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as (options?: GcOptions) => void;
}
