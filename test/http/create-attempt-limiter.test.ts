import { describe, expect, it } from 'vitest';
import { createAttemptLimiter } from '../../src/http/create-attempt-limiter.js';

describe('createAttemptLimiter', () => {
  it('refuses a key after max failures until its window ends, and keeps keys apart', () => {
    let now = 1000;
    const limiter = createAttemptLimiter({ max: 3, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterMs('a')).toBe(0);
      limiter.fail('a');
    }
    now += 10_000;
    expect(limiter.retryAfterMs('a')).toBe(50_000);
    expect(limiter.retryAfterMs('b')).toBe(0);
    now += 50_000;
    expect(limiter.retryAfterMs('a')).toBe(0);
    limiter.fail('a');
    expect(limiter.retryAfterMs('a')).toBe(0);
  });

  it('forgets the oldest window first when it holds maxKeys', () => {
    let now = 0;
    const limiter = createAttemptLimiter({ max: 1, windowMs: 60_000, now: () => now, maxKeys: 2 });
    limiter.fail('first');
    now++;
    limiter.fail('second');
    limiter.fail('third');
    expect(limiter.retryAfterMs('first')).toBe(0);
    expect(limiter.retryAfterMs('second')).toBeGreaterThan(0);
    expect(limiter.retryAfterMs('third')).toBeGreaterThan(0);
  });
});
