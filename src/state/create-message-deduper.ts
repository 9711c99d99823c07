import type { MessageDeduper } from './state-store.js';

/**
 * Remembers message ids in this process for `retentionMs` (at least the signature window, so a
 * replayed callback is still recognised) and at most `maxEntries` of them, forgetting the oldest
 * first. The file store uses it; several instances share ids through Redis instead.
 */
export function createMessageDeduper(retentionMs: number, maxEntries = 200_000): MessageDeduper & { readonly size: number } {
  // A Map iterates in insertion order, which is expiry order since the retention is fixed.
  const seen = new Map<string, number>();
  const prune = (nowMs: number) => {
    for (const [id, expires] of seen) {
      if (expires > nowMs && seen.size < maxEntries) break;
      seen.delete(id);
    }
  };
  return {
    claim(msgId, nowMs) {
      prune(nowMs);
      const expires = seen.get(msgId);
      if (expires !== undefined && expires > nowMs) return Promise.resolve(false);
      seen.set(msgId, nowMs + retentionMs);
      return Promise.resolve(true);
    },
    release(msgId) {
      seen.delete(msgId);
      return Promise.resolve();
    },
    get size() {
      return seen.size;
    },
  };
}
