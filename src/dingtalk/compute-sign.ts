import { createHmac } from 'node:crypto';

/**
 * DingTalk's signature, the same for verifying callbacks (key: the robot's AppSecret) and for
 * signing custom-robot sends (key: the `SEC…` secret): Base64(HMAC-SHA256(key, `${timestamp}\n${key}`)).
 * The raw Base64 is returned; a send URL encodes it once through URLSearchParams.
 */
export function computeSign(timestamp: string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}
