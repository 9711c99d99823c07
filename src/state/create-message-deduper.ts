import type { MessageDeduper } from './state-store.js';

/**
 * Remembers message ids, and the message each callback signature carried, in this process for
 * `retentionMs` (at least the signature window, so a replayed callback is still recognised) and at
 * most `maxEntries` of each, forgetting the oldest first. The file store uses it; several
 * instances share them through Redis instead. One process, one thread: a check and its write
 * cannot interleave with another's, so they are atomic as they stand.
 */
export function createMessageDeduper(retentionMs: number, maxEntries = 200_000): MessageDeduper & { readonly size: number } {
  const seen = expiringMap<true>(retentionMs, maxEntries);
  const signatures = expiringMap<string>(retentionMs, maxEntries);
  return {
    claim(msgId, nowMs) {
      if (seen.get(msgId, nowMs) !== undefined) return Promise.resolve(false);
      seen.set(msgId, true, nowMs);
      return Promise.resolve(true);
    },
    release(msgId) {
      seen.delete(msgId);
      return Promise.resolve();
    },
    bindSignature(signature, msgId, nowMs) {
      const bound = signatures.get(signature, nowMs);
      if (bound === undefined) signatures.set(signature, msgId, nowMs);
      return Promise.resolve(bound === undefined || bound === msgId);
    },
    get size() {
      return seen.size + signatures.size;
    },
  };
}

function expiringMap<V>(retentionMs: number, maxEntries: number) {
  // A Map iterates in insertion order, which is expiry order since the retention is fixed.
  const entries = new Map<string, { value: V; expires: number }>();
  const prune = (nowMs: number) => {
    for (const [key, { expires }] of entries) {
      if (expires > nowMs && entries.size < maxEntries) break;
      entries.delete(key);
    }
  };
  return {
    get(key: string, nowMs: number): V | undefined {
      prune(nowMs);
      const entry = entries.get(key);
      return entry && entry.expires > nowMs ? entry.value : undefined;
    },
    set(key: string, value: V, nowMs: number) {
      // Deleted first, so a renewed key moves to the end with its new expiry.
      entries.delete(key);
      entries.set(key, { value, expires: nowMs + retentionMs });
    },
    delete(key: string) {
      entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}
