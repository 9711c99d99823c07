import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDingTalk, type FakeDingTalk } from '../helpers/fake-dingtalk.js';
import { startTrapServer, type TrapServer } from '../helpers/start-trap-server.js';
import { loadFixture, type Fixture } from '../helpers/knowledge-fixture.js';
import { APP_SECRET, groupMessage, signCallback, signedHeaders, startBotServer, type BotServer } from '../helpers/start-bot-server.js';

let fixture: Fixture;
let fake: FakeDingTalk;
let bot: BotServer;
let trap: TrapServer;

beforeAll(async () => {
  fixture = await loadFixture();
  fake = await startFakeDingTalk();
  trap = await startTrapServer();
  bot = await startBotServer(fixture, { sessionHosts: [new URL(fake.url).host], robotCode: 'dingrobottest' });
});

afterAll(async () => {
  await bot.close();
  await fake.close();
  await trap.close();
});

const post = (body: unknown, headers: Record<string, string> = signedHeaders()) =>
  fetch(`${bot.url}/dingtalk/callback`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('health', () => {
  it('is alive and ready with counts per kind', async () => {
    expect(await (await fetch(`${bot.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${bot.url}/readyz`)).json()).toEqual({ status: 'ready', files: 1, entries: { faq: 5, release: 4, event: 3, reading: 1 }, errors: [], build: { running: false, queued: false } });
  });
});

// Changes the first character, so the sign differs whatever its value (a fixed suffix matched 1 time in 16).
const tamper = (sign: string) => `${sign.startsWith('A') ? 'B' : 'A'}${sign.slice(1)}`;

describe('POST /dingtalk/callback signatures', () => {
  const now = Date.now();
  const ts = String(now);
  it.each([
    ['no headers', { 'content-type': 'application/json' }],
    ['no sign', { timestamp: ts }],
    ['no timestamp', { sign: signCallback(ts) }],
    ['a non-numeric timestamp', { timestamp: `${ts}x`, sign: signCallback(`${ts}x`) }],
    ['a stale timestamp', { timestamp: String(now - 3_600_001 - 5000), sign: signCallback(String(now - 3_600_001 - 5000)) }],
    ['a future timestamp', { timestamp: String(now + 3_600_001 + 5000), sign: signCallback(String(now + 3_600_001 + 5000)) }],
    ['the wrong secret', { timestamp: ts, sign: signCallback(ts, 'wrong-secret') }],
    ['a tampered sign', { timestamp: ts, sign: tamper(signCallback(ts)) }],
    ['a sign of the wrong length', { timestamp: ts, sign: signCallback(ts).slice(0, -1) }],
  ])('refuses %s with 401 and no detail', async (_, headers) => {
    const response = await post(groupMessage('jraft 支持 multi raft 吗', fake.sessionWebhook('s-sig')), headers);
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('{}');
  });

  it('logs why a callback was refused, without secrets', async () => {
    // Refusals of its own, whatever ran before.
    const stale = String(Date.now() - 3_600_001 - 5000);
    const ts = String(Date.now());
    expect((await post(groupMessage('jraft', fake.sessionWebhook('s-log')), { timestamp: ts, sign: tamper(signCallback(ts)) })).status).toBe(401);
    expect((await post(groupMessage('jraft', fake.sessionWebhook('s-log')), { timestamp: stale, sign: signCallback(stale) })).status).toBe(401);
    const refused = bot.logLines.filter((l) => l.includes('callback refused'));
    expect(refused.some((l) => l.includes('"reason":"bad-signature"'))).toBe(true);
    expect(refused.some((l) => l.includes('"reason":"stale-timestamp"'))).toBe(true);
    expect(bot.logLines.join('\n')).not.toContain(APP_SECRET);
  });
});

describe('POST /dingtalk/callback replies', () => {
  it('answers a signed group question exactly once through the session webhook, and ignores a redelivery', async () => {
    const message = groupMessage('jraft 支持 multi raft 吗', fake.sessionWebhook('s-once'));
    const first = await post(message);
    expect(first.status).toBe(200);
    const [reply] = await fake.waitFor((r) => r.query.session === 's-once');
    expect(reply?.json).toMatchObject({
      msgtype: 'markdown',
      markdown: { title: 'SOFAJRaft 支持 Multi-Raft 吗？', text: expect.stringContaining('支持，RheaKV 就是基于 multi raft group 实现的。') as unknown },
      at: { atUserIds: ['user0042'] },
    });
    const again = await post(message, signedHeaders());
    expect(again.status).toBe(200);
    await bot.http.idle();
    expect(fake.sessionReplies().filter((r) => r.query.session === 's-once')).toHaveLength(1);
  });

  it('works in a 1:1 chat without an @', async () => {
    await post(groupMessage('最新版本 seata', fake.sessionWebhook('s-direct'), { conversationType: '1', conversationTitle: undefined }));
    const [reply] = await fake.waitFor((r) => r.query.session === 's-direct');
    expect(reply?.json).toMatchObject({ markdown: { text: expect.stringMatching(/^\*\*Seata 1\.4\.0\*\*/) as unknown }, at: { atUserIds: [] } });
  });

  it.each([
    ['another loopback port', () => `${trap.url}/robot/sendBySession?session=x`],
    ['a private address', () => 'http://10.1.2.3/robot/sendBySession?session=x'],
    ['a look-alike domain', () => 'https://oapi.dingtalk.com.evil.example/robot/sendBySession?session=x'],
    ['DingTalk itself, when not on the allow-list', () => 'https://oapi.dingtalk.com/robot/sendBySession?session=x'],
    ['an expired webhook', () => fake.sessionWebhook('s-expired')],
  ])('never requests a session webhook on %s', async (name, webhook) => {
    const url = webhook();
    const overrides = name === 'an expired webhook' ? { sessionWebhookExpiredTime: Date.now() - 1 } : {};
    const response = await post(groupMessage('jraft 支持 multi raft 吗', url, overrides));
    expect(response.status).toBe(200);
    await bot.http.idle();
    // This webhook only: a reply another test's message earned may still be on its way.
    expect(bot.outbound.filter((sent) => sent === new URL(url).href)).toEqual([]);
    expect(trap.hits()).toBe(0);
  });

  // The refusal names the host at most: the path and query hold the session's token.
  it.each<[string, () => string | undefined, Record<string, unknown>, () => string]>([
    ['a host not on the allow-list', () => 'https://oapi.dingtalk.com.evil.example/robot/sendBySession?session=tok-secret', {}, () => 'the session webhook on oapi.dingtalk.com.evil.example is not in DINGTALK_SESSION_HOSTS (dingtalk.sessionHosts)'],
    ['credentials in the URL', () => fake.sessionWebhook('tok-secret').replace('://', '://user:pass-secret@'), {}, () => `the session webhook on ${new URL(fake.url).host} carries credentials`],
    ['an expired webhook', () => fake.sessionWebhook('tok-secret'), { sessionWebhookExpiredTime: Date.UTC(2024, 0, 1) }, () => `the session webhook on ${new URL(fake.url).host} expired at 2024-01-01T00:00:00.000Z`],
    ['no webhook', () => undefined, {}, () => 'the callback has no session webhook'],
  ])('logs what it refused for %s: the host, never the path, query or credentials', async (_, webhook, overrides, refusal) => {
    const message = groupMessage('jraft 支持 multi raft 吗', '', { ...overrides, sessionWebhook: webhook() });
    expect((await post(message)).status).toBe(200);
    await bot.http.idle();
    const line = bot.logLines.map((l) => JSON.parse(l) as { msg: string; msgId?: string }).find((l) => l.msgId === message.msgId && l.msg.startsWith('no reply sent'));
    expect(line?.msg).toBe(`no reply sent: ${refusal()}`);
    expect(bot.logLines.join('\n')).not.toMatch(/tok-secret|pass-secret|sendBySession/);
  });

  it('answers an unsupported message type with 200 and what the bot understands', async () => {
    const response = await post(groupMessage('', fake.sessionWebhook('s-picture'), { msgtype: 'picture', text: undefined, content: { downloadCode: 'x' } }));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { message: string }).message).toContain('只能读懂文字消息');
    const [reply] = await fake.waitFor((r) => r.query.session === 's-picture');
    expect(JSON.stringify(reply?.json)).toContain('只能读懂文字消息');
  });

  it('refuses a callback for another robot when robotCode is configured', async () => {
    const response = await post(groupMessage('jraft', fake.sessionWebhook('s-other'), { robotCode: 'someone-else' }));
    expect(response.status).toBe(403);
  });
});

describe('POST /dingtalk/callback bad requests', () => {
  it('answers 413 above 64 KB', async () => {
    const response = await post(groupMessage('x'.repeat(70 * 1024), fake.sessionWebhook('s-big')));
    expect(response.status).toBe(413);
  });

  it.each([
    ['malformed JSON', '{"msgtype": "text", '],
    ['a JSON string', '"hello"'],
    ['an empty body', ''],
    ['a payload without msgId', JSON.stringify({ msgtype: 'text', text: { content: 'hi' }, conversationType: '2', conversationId: 'c' })],
    ['a payload with wrong types', JSON.stringify({ msgtype: 1, msgId: {}, conversationType: true })],
  ])('answers 400 for %s', async (_, body) => {
    expect((await post(body)).status).toBe(400);
  });

  it('answers 4xx, never 5xx, for odd encodings', async () => {
    const body = JSON.stringify(groupMessage('jraft', fake.sessionWebhook('s-enc')));
    for (const contentType of ['application/json; charset=utf-16', 'application/json; charset=latin1x', 'text/plain']) {
      const response = await post(body, { ...signedHeaders(), 'content-type': contentType });
      expect(response.status, contentType).toBeLessThan(500);
    }
    const gzipLie = await post(body, { ...signedHeaders(), 'content-encoding': 'gzip' });
    expect(gzipLie.status).toBeGreaterThanOrEqual(400);
    expect(gzipLie.status).toBeLessThan(500);
  });
});

describe('POST /dingtalk/callback when answering fails', () => {
  it('acknowledges, apologises to the asker, and logs why', async () => {
    const failing = await startBotServer(fixture, {
      sessionHosts: [new URL(fake.url).host],
      answerer: { ask: () => Promise.reject(new Error('engine restarting')), rank: () => Promise.reject(new Error('engine restarting')) },
    });
    try {
      const response = await fetch(`${failing.url}/dingtalk/callback`, {
        method: 'POST',
        headers: signedHeaders(),
        body: JSON.stringify(groupMessage('jraft 支持 multi raft 吗', fake.sessionWebhook('s-fail'))),
      });
      expect(response.status).toBe(200);
      const [reply] = await fake.waitFor((r) => r.query.session === 's-fail');
      expect(JSON.stringify(reply?.json)).toContain('出了点问题');
      expect(failing.logLines.some((l) => l.includes('answering failed') && l.includes('engine restarting'))).toBe(true);
    } finally {
      await failing.close();
    }
  });
});
