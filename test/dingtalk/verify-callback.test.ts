import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyCallback } from '../../src/dingtalk/verify-callback.js';

const secret = 'exampleAppSecret-DoNotUse';
const nowMs = 1577262240000; // within an hour of vector V1's timestamp
const windowMs = 3_600_000;
const v1 = { timestamp: '1577262236757', sign: '1XSQhfH2pQx6XIw/6JznYsFF6fbQWAtjHNCotrdeFMk=' };
// An independent signer, so the test does not trust the code under test to sign.
const sign = (timestamp: string, key = secret) => createHmac('sha256', key).update(`${timestamp}\n${key}`).digest('base64');

describe('verifyCallback', () => {
  it('accepts vector V1 of the protocol reference', () => {
    expect(verifyCallback(v1, { secret, nowMs, windowMs })).toBeUndefined();
  });

  it('accepts a fresh signature at the edges of the window', () => {
    for (const offset of [-windowMs, 0, windowMs]) {
      const timestamp = String(nowMs + offset);
      expect(verifyCallback({ timestamp, sign: sign(timestamp) }, { secret, nowMs, windowMs })).toBeUndefined();
    }
  });

  it.each([
    ['missing timestamp', { timestamp: undefined, sign: v1.sign }, 'missing-headers'],
    ['missing sign', { timestamp: v1.timestamp, sign: undefined }, 'missing-headers'],
    ['empty headers', { timestamp: '', sign: '' }, 'missing-headers'],
    ['repeated header (array)', { timestamp: [v1.timestamp, v1.timestamp], sign: v1.sign }, 'missing-headers'],
    ['non-numeric timestamp', { timestamp: '1577262236757abc', sign: v1.sign }, 'bad-timestamp'],
    ['seconds-looking timestamp with sign', { timestamp: '1e12', sign: v1.sign }, 'bad-timestamp'],
    ['stale timestamp (1 h + 1 ms old)', { timestamp: String(nowMs - windowMs - 1), sign: sign(String(nowMs - windowMs - 1)) }, 'stale-timestamp'],
    ['future timestamp (1 h + 1 ms ahead)', { timestamp: String(nowMs + windowMs + 1), sign: sign(String(nowMs + windowMs + 1)) }, 'stale-timestamp'],
    ['wrong secret', { timestamp: v1.timestamp, sign: sign(v1.timestamp, 'another-secret') }, 'bad-signature'],
    ['tampered sign', { timestamp: v1.timestamp, sign: `A${v1.sign.slice(1)}` }, 'bad-signature'],
    ['sign for another timestamp', { timestamp: '1577262236758', sign: v1.sign }, 'bad-signature'],
    ['length mismatch', { timestamp: v1.timestamp, sign: v1.sign.slice(0, -1) }, 'bad-signature'],
    ['URL-encoded sign left encoded', { timestamp: v1.timestamp, sign: encodeURIComponent(v1.sign) }, 'bad-signature'],
  ])('refuses a %s', (_, headers, reason) => {
    expect(verifyCallback(headers, { secret, nowMs, windowMs })).toBe(reason);
  });

  it('refuses everything when no secret is configured', () => {
    expect(verifyCallback(v1, { secret: undefined, nowMs, windowMs })).toBe('no-secret');
    expect(verifyCallback(v1, { secret: '', nowMs, windowMs })).toBe('no-secret');
  });

  it('honours a tighter window', () => {
    expect(verifyCallback(v1, { secret, nowMs, windowMs: 1000 })).toBe('stale-timestamp');
  });
});
