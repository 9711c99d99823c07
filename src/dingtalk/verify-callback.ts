import { timingSafeEqual } from 'node:crypto';
import { computeSign } from './compute-sign.js';

/** Why a callback was refused; logged, never sent back to the caller. */
export type CallbackRejection = 'missing-headers' | 'bad-timestamp' | 'stale-timestamp' | 'bad-signature' | 'no-secret';

export interface CallbackHeaders {
  timestamp: unknown;
  sign: unknown;
}

export interface VerifyOptions {
  /** The robot's AppSecret; without one nothing can be verified. */
  secret: string | undefined;
  nowMs: number;
  /** Largest allowed |now - timestamp|; DingTalk documents one hour. */
  windowMs: number;
}

const TIMESTAMP = /^\d{10,16}$/;

/** Checks a callback's `timestamp` and `sign` headers; returns the reason it fails, or undefined when it is genuine. */
export function verifyCallback(headers: CallbackHeaders, options: VerifyOptions): CallbackRejection | undefined {
  if (!options.secret) return 'no-secret';
  const { timestamp, sign } = headers;
  if (typeof timestamp !== 'string' || typeof sign !== 'string' || timestamp === '' || sign === '') return 'missing-headers';
  if (!TIMESTAMP.test(timestamp)) return 'bad-timestamp';
  if (Math.abs(options.nowMs - Number(timestamp)) > options.windowMs) return 'stale-timestamp';
  const expected = Buffer.from(computeSign(timestamp, options.secret));
  const given = Buffer.from(sign);
  // Equal lengths first: timingSafeEqual throws otherwise, and the length of a Base64 HMAC is public.
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'bad-signature';
  return undefined;
}
