import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface PlaygroundAuth {
  /** True when `given` is the playground token; constant-time. */
  isToken(given: string): boolean;
  /** A session value for the cookie, valid until now + sessionMs. It does not contain the token. */
  createSession(): string;
  /** True for an unexpired, unrevoked session created with the current token; constant-time. */
  isSession(value: string): boolean;
  /** Ends a session before it expires (sign-out): from now on it is refused, though its cookie may be replayed. */
  revoke(value: string): void;
  readonly sessionMs: number;
}

const SESSION = /^(\d{13,16})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/**
 * Checks the admin token and the session cookies derived from it. A session is its expiry, a random
 * id (so that two sign-ins are two sessions, one revoked apart from the other) and an HMAC of both
 * keyed with the token: the cookie never holds the token itself, and changing
 * the token ends every session. Only sessions signed out before their expiry are kept, in this
 * process, until they would have expired: a restart forgets them, another instance never knew.
 */
export function createPlaygroundAuth(token: string, now: () => number, sessionMs = 12 * 60 * 60 * 1000): PlaygroundAuth {
  const mac = (expiresAt: string, id: string) => createHmac('sha256', token).update(`playground-session\n${expiresAt}\n${id}`).digest('base64url');
  // Session value → its expiry. Only a valid session gets in, so only holders of the token add to it.
  const revoked = new Map<string, number>();
  const isGenuine = (value: string) => {
    const parts = SESSION.exec(value);
    if (!parts?.[1] || !parts[2] || !parts[3]) return false;
    const expiresAt = Number(parts[1]);
    // A session from the future beyond one lifetime was not made by this clock.
    if (expiresAt <= now() || expiresAt > now() + sessionMs) return false;
    return sameText(parts[3], mac(parts[1], parts[2]));
  };
  return {
    sessionMs,
    isToken: (given) => sameText(given, token),
    createSession() {
      const expiresAt = String(now() + sessionMs);
      const id = randomBytes(16).toString('base64url');
      return `${expiresAt}.${id}.${mac(expiresAt, id)}`;
    },
    isSession: (value) => isGenuine(value) && !revoked.has(value),
    revoke(value) {
      for (const [session, expiresAt] of revoked) if (expiresAt <= now()) revoked.delete(session);
      if (isGenuine(value)) revoked.set(value, Number(value.split('.')[0]));
    },
  };
}

/** Compares digests rather than the texts, so neither the length nor the content of the secret leaks through timing. */
function sameText(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
