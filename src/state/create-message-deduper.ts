export interface MessageDeduper {
  /** True the first time a message id is seen within the retention time; false for a redelivery. */
  claim(msgId: string, nowMs: number): boolean;
  /** Forgets a claim, so a message whose handling failed can be handled when it is delivered again. */
  release(msgId: string): void;
  readonly size: number;
}

/**
 * Remembers message ids for `retentionMs` (at least the signature window, so a replayed callback
 * is still recognised) and at most `maxEntries` of them, forgetting the oldest first. In-process:
 * several instances share ids through the state store (issue #7).
 */
export function createMessageDeduper(retentionMs: number, maxEntries = 200_000): MessageDeduper {
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
      if (expires !== undefined && expires > nowMs) return false;
      seen.set(msgId, nowMs + retentionMs);
      return true;
    },
    release(msgId) {
      seen.delete(msgId);
    },
    get size() {
      return seen.size;
    },
  };
}
