import { describe, expect, it } from 'vitest';
import { checkSessionWebhook } from '../../src/dingtalk/check-session-webhook.js';

const hosts = ['oapi.dingtalk.com', '127.0.0.1:4100'];
const now = 1_700_000_000_000;
const refusalOf = (url: string | undefined, expiresAtMs = now + 60_000) => {
  const check = checkSessionWebhook(url, expiresAtMs, hosts, now);
  return check.allowed ? undefined : check.refusal;
};

describe('checkSessionWebhook', () => {
  it.each([
    'https://oapi.dingtalk.com/robot/sendBySession?session=abc',
    'https://OAPI.DingTalk.com/robot/sendBySession?session=abc',
    'http://127.0.0.1:4100/robot/sendBySession?session=abc',
  ])('allows %s', (url) => {
    expect(checkSessionWebhook(url, now + 60_000, hosts, now)).toEqual({ allowed: true, webhook: url });
  });

  // The refusal is logged: it names the host, never the path, the query (the session's token) or credentials.
  it.each([
    ['another loopback port', 'http://127.0.0.1:4101/robot/sendBySession?session=tok-secret', 'the session webhook on 127.0.0.1:4101 is not in DINGTALK_SESSION_HOSTS (dingtalk.sessionHosts)'],
    ['another loopback address', 'http://127.0.0.2:4100/robot/sendBySession?session=tok-secret', 'the session webhook on 127.0.0.2:4100 is not in DINGTALK_SESSION_HOSTS (dingtalk.sessionHosts)'],
    ['localhost for 127.0.0.1', 'http://localhost:4100/robot/sendBySession?session=tok-secret', 'the session webhook on localhost:4100 is not in DINGTALK_SESSION_HOSTS (dingtalk.sessionHosts)'],
    ['a private address', 'http://10.0.0.5/robot/sendBySession?session=tok-secret', 'the session webhook on 10.0.0.5 is not in DINGTALK_SESSION_HOSTS (dingtalk.sessionHosts)'],
    ['a look-alike domain', 'https://oapi.dingtalk.com.evil.example/robot/sendBySession?session=tok-secret', 'the session webhook on oapi.dingtalk.com.evil.example is not in DINGTALK_SESSION_HOSTS (dingtalk.sessionHosts)'],
    ['a suffix look-alike', 'https://evil-oapi.dingtalk.com/robot/sendBySession?session=tok-secret', 'the session webhook on evil-oapi.dingtalk.com is not in DINGTALK_SESSION_HOSTS (dingtalk.sessionHosts)'],
    ['an allowed host on another port', 'https://oapi.dingtalk.com:8443/robot/sendBySession?session=tok-secret', 'the session webhook on oapi.dingtalk.com:8443 is not in DINGTALK_SESSION_HOSTS (dingtalk.sessionHosts)'],
    ['credentials in the URL', 'https://user:pass-secret@oapi.dingtalk.com/robot/sendBySession?session=tok-secret', 'the session webhook on oapi.dingtalk.com carries credentials'],
    ['another scheme', 'ftp://oapi.dingtalk.com/robot/sendBySession?session=tok-secret', 'the session webhook on oapi.dingtalk.com is not http(s)'],
    ['a file URL', 'file:///etc/passwd', 'the session webhook is not http(s)'],
    ['the token in the path', 'https://evil.example/tok-secret/sendBySession#tok-secret', 'the session webhook on evil.example is not in DINGTALK_SESSION_HOSTS (dingtalk.sessionHosts)'],
    ['garbage', 'not a url tok-secret', 'the session webhook is not a URL'],
    ['nothing', undefined, 'the callback has no session webhook'],
  ])('refuses %s, naming the host only', (_, url, refusal) => {
    expect(refusalOf(url)).toBe(refusal);
    expect(refusal).not.toMatch(/secret|sendBySession|passwd/);
  });

  it('cuts a host longer than any DNS name', () => {
    expect(refusalOf(`https://${'a'.repeat(5000)}.example/robot/sendBySession`)).toBe(`the session webhook on ${'a'.repeat(260)}… is not in DINGTALK_SESSION_HOSTS (dingtalk.sessionHosts)`);
  });

  it('refuses an expired webhook, saying when it expired', () => {
    expect(refusalOf('https://oapi.dingtalk.com/robot/sendBySession?session=tok-secret', now)).toBe('the session webhook on oapi.dingtalk.com expired at 2023-11-14T22:13:20.000Z');
    expect(refusalOf('https://oapi.dingtalk.com/robot/sendBySession?session=tok-secret', now - 1)).toBe('the session webhook on oapi.dingtalk.com expired at 2023-11-14T22:13:19.999Z');
  });
});
