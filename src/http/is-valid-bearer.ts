import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * True when an `Authorization` header is `Bearer <token>`. Compared in constant time over digests,
 * so neither the token's characters nor its length leak through timing.
 */
export function isValidBearer(header: string | undefined, token: string): boolean {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  const given = match?.[1];
  return given !== undefined && timingSafeEqual(digest(given), digest(token));
}
