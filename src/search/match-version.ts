const VERSION_IN_TEXT = /(?<![\w.])v?(\d+(?:\.\d+){1,3})(?![\w])/gi;

const parts = (version: string) => version.replace(/^v/i, '').split('.').map(Number);

/**
 * How well a version named in the question fits a release's version: 1 for the same version
 * (`1.2.6` = `v1.2.6`, `0.12.0` = `0.12`), 0.9 when the question names a prefix (`1.4` of
 * `1.4.0`… but also `1.4.2`), 0 when no version in the question fits. A release written as
 * `v2.4.5/3.0.9` fits either.
 */
export function matchVersion(question: string, releaseVersion: string): number {
  const asked = [...question.matchAll(VERSION_IN_TEXT)].map((m) => parts(m[1] ?? ''));
  let best = 0;
  for (const candidate of releaseVersion.split('/').map((v) => v.trim().match(/\d+(?:\.\d+)*/)?.[0] ?? '')) {
    if (!candidate) continue;
    const have = parts(candidate);
    for (const want of asked) {
      const prefix = want.every((n, i) => have[i] === n);
      if (!prefix) continue;
      const rest = have.slice(want.length);
      best = Math.max(best, rest.every((n) => n === 0) ? 1 : 0.9);
    }
  }
  return best;
}
