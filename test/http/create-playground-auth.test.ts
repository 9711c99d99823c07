import { describe, expect, it } from 'vitest';
import { createPlaygroundAuth } from '../../src/http/create-playground-auth.js';

const TOKEN = 'playground-auth-token-0123456789';
const HOUR = 60 * 60 * 1000;

describe('createPlaygroundAuth', () => {
  it('accepts the token and nothing else', () => {
    const auth = createPlaygroundAuth(TOKEN, () => 0);
    expect(auth.isToken(TOKEN)).toBe(true);
    for (const wrong of ['', TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase(), ` ${TOKEN}`]) expect(auth.isToken(wrong), wrong).toBe(false);
  });

  it('makes sessions that do not hold the token and last sessionMs', () => {
    let now = 1_716_000_000_000;
    const auth = createPlaygroundAuth(TOKEN, () => now, 12 * HOUR);
    const session = auth.createSession();
    expect(session).toMatch(/^\d+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(auth.createSession()).not.toBe(session);
    expect(session).not.toContain(TOKEN);
    expect(auth.isSession(session)).toBe(true);
    now += 12 * HOUR - 1;
    expect(auth.isSession(session)).toBe(true);
    now += 1;
    expect(auth.isSession(session)).toBe(false);
  });

  it('refuses tampered, foreign and malformed sessions', () => {
    const now = 1_716_000_000_000;
    const auth = createPlaygroundAuth(TOKEN, () => now);
    const session = auth.createSession();
    const [expiry = '', id = '', mac = ''] = session.split('.');
    const other = createPlaygroundAuth('another-token-0123456789abcdef', () => now).createSession();
    const earlier = `${Number(expiry) - 1000}.${id}.${mac}`;
    const otherId = `${expiry}.${id.startsWith('A') ? 'B' : 'A'}${id.slice(1)}.${mac}`;
    const farFuture = createPlaygroundAuth(TOKEN, () => now + 100 * HOUR).createSession();
    for (const bad of [other, earlier, otherId, farFuture, `${expiry}.${id}.${mac.slice(0, -1)}`, `${expiry}.${id}.${mac}=`, `${expiry}.${mac}`, '', '.', TOKEN, `${expiry}`]) {
      expect(auth.isSession(bad), bad).toBe(false);
    }
  });
});

describe('createPlaygroundAuth revoke', () => {
  it('refuses a revoked session, not another one, and ignores values that are not sessions', () => {
    let now = 1_716_000_000_000;
    const auth = createPlaygroundAuth(TOKEN, () => now, HOUR);
    const session = auth.createSession();
    now += 1;
    const other = auth.createSession();
    auth.revoke(session);
    auth.revoke('not-a-session');
    expect(auth.isSession(session)).toBe(false);
    expect(auth.isSession(other)).toBe(true);
  });
});
