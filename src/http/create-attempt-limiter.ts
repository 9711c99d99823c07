import type { Request } from 'express';

export interface AttemptLimiter {
  /** Milliseconds until `key` may try again, or 0 when it may try now. */
  retryAfterMs(key: string): number;
  /** Counts a failed attempt by `key`. */
  fail(key: string): void;
}

export interface AttemptLimiterOptions {
  /** Failures allowed per key within one window; default ten. */
  max?: number;
  /** Default ten minutes. */
  windowMs?: number;
  now: () => number;
  /** Keys remembered at most; the oldest windows are forgotten first, so a flood of addresses cannot grow memory. */
  maxKeys?: number;
}

/**
 * Fixed-window counting of failed attempts per key (a client address): after `max` failures the
 * key is refused until its window ends. Successes are not counted, so an admin who mistyped once
 * is not held back.
 */
export function createAttemptLimiter({ max = 10, windowMs = 10 * 60 * 1000, now, maxKeys = 10_000 }: AttemptLimiterOptions): AttemptLimiter {
  // Insertion order is window-start order, because an expired window is deleted before it is renewed.
  const windows = new Map<string, { failures: number; endsAt: number }>();
  const current = (key: string) => {
    const window = windows.get(key);
    if (window && window.endsAt <= now()) {
      windows.delete(key);
      return undefined;
    }
    return window;
  };
  return {
    retryAfterMs(key) {
      const window = current(key);
      return window && window.failures >= max ? window.endsAt - now() : 0;
    },
    fail(key) {
      const window = current(key);
      if (window) {
        window.failures++;
        return;
      }
      if (windows.size >= maxKeys) {
        const oldest = windows.keys().next();
        if (!oldest.done) windows.delete(oldest.value);
      }
      windows.set(key, { failures: 1, endsAt: now() + windowMs });
    },
  };
}

/** The key a client's attempts are counted under: its address (behind a proxy, the proxy's). */
export function clientOf(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
