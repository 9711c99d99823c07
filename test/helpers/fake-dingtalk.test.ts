import { afterEach, describe, expect, it } from 'vitest';
import { startFakeDingTalk, type FakeDingTalk, type FakeDingTalkOptions } from './fake-dingtalk.js';

// Vector V2 of the protocol reference (§4.2, §8).
const V2 = {
  secret: 'SECa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9',
  timestamp: '1700000000009',
  sign: 'ahst5Icb550uoYMV63CfOv4f3MYpd5xIr+/Lx4C1RKI=',
  encodedSign: 'ahst5Icb550uoYMV63CfOv4f3MYpd5xIr%2B%2FLx4C1RKI%3D',
};
const MARKDOWN = { msgtype: 'markdown', markdown: { title: 'Weekly digest', text: '## Weekly digest' } };

let fake: FakeDingTalk | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(options: FakeDingTalkOptions = {}): Promise<FakeDingTalk> {
  fake = await startFakeDingTalk({ robots: { EXAMPLE_TOKEN: { secret: V2.secret } }, now: () => Number(V2.timestamp) + 1_000, ...options });
  return fake;
}

async function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json };
}

const sendUrl = (f: FakeDingTalk, query: string) => `${f.url}/robot/send?${query}`;

describe('startFakeDingTalk', () => {
  it('accepts the signed URL of vector V2 and records the decoded query', async () => {
    const f = await start();
    const answer = await post(sendUrl(f, `access_token=EXAMPLE_TOKEN&timestamp=${V2.timestamp}&sign=${V2.encodedSign}`), MARKDOWN);
    expect(answer).toEqual({ status: 200, json: { errcode: 0, errmsg: 'ok' } });
    expect(f.sends()).toHaveLength(1);
    expect(f.sends()[0]?.query).toEqual({ access_token: 'EXAMPLE_TOKEN', timestamp: V2.timestamp, sign: V2.sign });
    expect(f.sends()[0]?.json).toEqual(MARKDOWN);
    expect(f.delivered()).toHaveLength(1);
  });

  it.each([
    ['a wrong sign', `access_token=EXAMPLE_TOKEN&timestamp=${V2.timestamp}&sign=${encodeURIComponent('hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM=')}`, 310000, 'sign not match'],
    ['a sign left unencoded (+ decodes to a space)', `access_token=EXAMPLE_TOKEN&timestamp=${V2.timestamp}&sign=${V2.sign}`, 310000, 'sign not match'],
    ['a sign encoded twice', `access_token=EXAMPLE_TOKEN&timestamp=${V2.timestamp}&sign=${encodeURIComponent(V2.encodedSign)}`, 310000, 'sign not match'],
    ['no sign', `access_token=EXAMPLE_TOKEN&timestamp=${V2.timestamp}`, 310000, 'sign not match'],
    ['no timestamp', `access_token=EXAMPLE_TOKEN&sign=${V2.encodedSign}`, 310000, 'invalid timestamp'],
    ['an unknown token', `access_token=OTHER&timestamp=${V2.timestamp}&sign=${V2.encodedSign}`, 300001, 'token is not exist'],
  ])('refuses %s', async (_, query, errcode, errmsg) => {
    const f = await start();
    expect((await post(sendUrl(f, query), MARKDOWN)).json).toEqual({ errcode, errmsg });
    expect(f.delivered()).toHaveLength(0);
  });

  it.each([
    ['3 600 001 ms late', 3_600_001, 'invalid timestamp'],
    ['3 600 001 ms early', -3_600_001, 'invalid timestamp'],
    ['exactly one hour late', 3_600_000, 'ok'],
  ])('checks the timestamp window: %s', async (_, offset, errmsg) => {
    const f = await start({ now: () => Number(V2.timestamp) + offset });
    const answer = await post(sendUrl(f, `access_token=EXAMPLE_TOKEN&timestamp=${V2.timestamp}&sign=${V2.encodedSign}`), MARKDOWN);
    expect(answer.json).toMatchObject({ errmsg });
  });

  it.each([
    ['a markdown message without a title', { msgtype: 'markdown', markdown: { text: 'hi' } }, 400402],
    ['a body without msgtype', { text: { content: 'hi' } }, 400402],
    ['an unknown msgtype', { msgtype: 'sticker', sticker: {} }, 400105],
    ['a text message without content', { msgtype: 'text', text: {} }, 400402],
    ['a body that is not JSON', 'hello', 400402],
    ['a body over 20 000 bytes', { msgtype: 'text', text: { content: 'x'.repeat(20_000) } }, 400402],
  ])('refuses %s', async (_, body, errcode) => {
    const f = await start({ robots: { T: {} } });
    expect((await post(sendUrl(f, 'access_token=T'), body)).json).toMatchObject({ errcode });
  });

  it('checks keywords when the robot has them', async () => {
    const f = await start({ robots: { T: { keywords: ['SOFA'] } } });
    expect((await post(sendUrl(f, 'access_token=T'), MARKDOWN)).json).toEqual({ errcode: 310000, errmsg: 'keywords not in content' });
    expect((await post(sendUrl(f, 'access_token=T'), { msgtype: 'text', text: { content: 'SOFA weekly' } })).json).toMatchObject({ errcode: 0 });
  });

  it('plays scripted behaviours in order, then answers normally', async () => {
    const f = await start({ robots: { T: {} } });
    f.script([{ status: 500 }, { errcode: -1, errmsg: '系统繁忙' }, { rateLimit: true }, { rawBody: '<html>busy</html>' }]);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await post(sendUrl(f, 'access_token=T'), MARKDOWN));
    expect(answers.map((a) => a.status)).toEqual([500, 200, 200, 200, 200]);
    expect(answers.slice(1).map((a) => a.json)).toEqual([
      { errcode: -1, errmsg: '系统繁忙' },
      { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' },
      '<html>busy</html>',
      { errcode: 0, errmsg: 'ok' },
    ]);
    expect(f.sends().map((r) => r.reply.scripted)).toEqual([true, true, true, true, false]);
    expect(f.rateLimitViolations()).toHaveLength(0);
  });

  it('drops the socket when told to', async () => {
    const f = await start({ robots: { T: {} } });
    f.script([{ drop: true }]);
    await expect(post(sendUrl(f, 'access_token=T'), MARKDOWN)).rejects.toThrow();
    expect(f.sends()[0]?.reply).toMatchObject({ status: 0, accepted: false });
  });

  it('counts a resend with the same msgUuid as a duplicate, not a second delivery', async () => {
    const f = await start({ robots: { T: {} } });
    await post(sendUrl(f, 'access_token=T'), { ...MARKDOWN, msgUuid: 'u-1' });
    await post(sendUrl(f, 'access_token=T'), { ...MARKDOWN, msgUuid: 'u-1' });
    await post(sendUrl(f, 'access_token=T'), { ...MARKDOWN, msgUuid: 'u-2' });
    expect(f.sends().map((r) => r.reply.duplicate)).toEqual([false, true, false]);
    expect(f.delivered()).toHaveLength(2);
  });

  it('enforces 20 sends per rolling minute per robot and then throttles the robot', async () => {
    let now = 1_000_000;
    const f = await start({ robots: { A: {}, B: {} }, now: () => now, rateLimit: { throttleMs: 600_000 } });
    for (let i = 0; i < 20; i++) {
      expect((await post(sendUrl(f, 'access_token=A'), MARKDOWN)).json).toMatchObject({ errcode: 0 });
      now += 1_000;
    }
    expect((await post(sendUrl(f, 'access_token=A'), MARKDOWN)).json).toMatchObject({ errcode: 130101 });
    expect((await post(sendUrl(f, 'access_token=B'), MARKDOWN)).json).toMatchObject({ errcode: 0 });
    now += 120_000;
    expect((await post(sendUrl(f, 'access_token=A'), MARKDOWN)).json).toMatchObject({ errcode: 130101 });
    now += 600_000;
    expect((await post(sendUrl(f, 'access_token=A'), MARKDOWN)).json).toMatchObject({ errcode: 0 });
    expect(f.rateLimitViolations()).toHaveLength(2);
  });

  it('answers and records session webhook replies', async () => {
    const f = await start({ sessions: ['s-1'] });
    expect((await post(f.sessionWebhook('s-1'), { msgtype: 'text', text: { content: 'hi' } })).json).toEqual({ errcode: 0, errmsg: 'ok' });
    expect((await post(f.sessionWebhook('s-2'), { msgtype: 'text', text: { content: 'hi' } })).json).toEqual({ errcode: 300001, errmsg: 'session 不存在' });
    const [reply] = await f.waitFor((r) => r.path === '/robot/sendBySession' && r.query.session === 's-1');
    expect(reply?.json).toEqual({ msgtype: 'text', text: { content: 'hi' } });
    expect(f.sessionReplies()).toHaveLength(2);
    expect(f.delivered()).toHaveLength(1);
  });

  it('waitFor waits for requests still to come and reports what it saw on timeout', async () => {
    const f = await start({ robots: { T: {} } });
    const waiting = f.waitFor((r) => r.path === '/robot/send', { count: 2 });
    await post(sendUrl(f, 'access_token=T'), MARKDOWN);
    await post(sendUrl(f, 'access_token=T'), MARKDOWN);
    expect(await waiting).toHaveLength(2);
    await expect(f.waitFor((r) => r.path === '/nowhere', { timeoutMs: 20 })).rejects.toThrow(/0 of 1 matching requests.*POST \/robot\/send/);
  });
});
