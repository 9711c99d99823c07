import { describe, expect, it } from 'vitest';
import { isAllowedSessionWebhook } from '../../src/dingtalk/is-allowed-session-webhook.js';

const hosts = ['oapi.dingtalk.com', '127.0.0.1:4100'];
const now = 1_700_000_000_000;

describe('isAllowedSessionWebhook', () => {
  it.each([
    'https://oapi.dingtalk.com/robot/sendBySession?session=abc',
    'https://OAPI.DingTalk.com/robot/sendBySession?session=abc',
    'http://127.0.0.1:4100/robot/sendBySession?session=abc',
  ])('allows %s', (url) => {
    expect(isAllowedSessionWebhook(url, now + 60_000, hosts, now)).toBe(true);
  });

  it.each([
    ['another loopback port', 'http://127.0.0.1:4101/robot/sendBySession'],
    ['another loopback address', 'http://127.0.0.2:4100/robot/sendBySession'],
    ['localhost for 127.0.0.1', 'http://localhost:4100/robot/sendBySession'],
    ['a private address', 'http://10.0.0.5/robot/sendBySession'],
    ['a look-alike domain', 'https://oapi.dingtalk.com.evil.example/robot/sendBySession'],
    ['a suffix look-alike', 'https://evil-oapi.dingtalk.com/robot/sendBySession'],
    ['an allowed host on another port', 'https://oapi.dingtalk.com:8443/robot/sendBySession'],
    ['credentials in the URL', 'https://user:pass@oapi.dingtalk.com/robot/sendBySession'],
    ['another scheme', 'ftp://oapi.dingtalk.com/robot/sendBySession'],
    ['a file URL', 'file:///etc/passwd'],
    ['garbage', 'not a url'],
    ['nothing', undefined],
  ])('refuses %s', (_, url) => {
    expect(isAllowedSessionWebhook(url, now + 60_000, hosts, now)).toBe(false);
  });

  it('refuses an expired webhook', () => {
    expect(isAllowedSessionWebhook('https://oapi.dingtalk.com/robot/sendBySession', now, hosts, now)).toBe(false);
    expect(isAllowedSessionWebhook('https://oapi.dingtalk.com/robot/sendBySession', now - 1, hosts, now)).toBe(false);
  });
});
