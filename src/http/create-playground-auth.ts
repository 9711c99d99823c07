import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface PlaygroundAuth {
  /** True when `given` is the playground token; constant-time. */
  isToken(given: string): boolean;
  /** A session value for the cookie, valid until now + sessionMs. It does not contain the token. */
  createSession(): string;
  /** True for an unexpired session created with the current token; constant-time. */
  isSession(value: string): boolean;
  readonly sessionMs: number;
}

const SESSION = /^(\d{13,16})\.([A-Za-z0-9_-]{43})$/;

/**
 * Checks the admin token and the session cookies derived from it. A session is its expiry and an
 * HMAC of that expiry keyed with the token: the cookie never holds the token itself, needs no
 * server-side store, and changing the token ends every session.
 */
export function createPlaygroundAuth(token: string, now: () => number, sessionMs = 12 * 60 * 60 * 1000): PlaygroundAuth {
  const mac = (expiresAt: string) => createHmac('sha256', token).update(`playground-session\n${expiresAt}`).digest('base64url');
  return {
    sessionMs,
    isToken: (given) => sameText(given, token),
    createSession() {
      const expiresAt = String(now() + sessionMs);
      return `${expiresAt}.${mac(expiresAt)}`;
    },
    isSession(value) {
      const parts = SESSION.exec(value);
      if (!parts?.[1] || !parts[2]) return false;
      const expiresAt = Number(parts[1]);
      // A session from the future beyond one lifetime was not made by this clock.
      if (expiresAt <= now() || expiresAt > now() + sessionMs) return false;
      return sameText(parts[2], mac(parts[1]));
    },
  };
}

/** Compares digests rather than the texts, so neither the length nor the content of the secret leaks through timing. */
function sameText(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
