/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(maxMs, baseMs·2^(failures-1))).
 * Jitter spreads retries of many senders apart after a shared outage.
 *
 * @param failures failed attempts so far (1 after the first failure)
 * @param random a uniform number in [0, 1), injected so tests choose it
 */
export function backoffDelay(failures: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.floor(random() * ceiling);
}
