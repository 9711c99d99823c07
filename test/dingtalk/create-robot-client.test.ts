import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createRobotClient, type RobotClientOptions } from '../../src/dingtalk/create-robot-client.js';
import { DingTalkApiError } from '../../src/dingtalk/dingtalk-api-error.js';
import { DingTalkNetworkError } from '../../src/dingtalk/dingtalk-network-error.js';
import { RobotClientClosedError } from '../../src/dingtalk/robot-client-closed-error.js';
import type { RobotClient, RobotMessage, WebhookTarget } from '../../src/dingtalk/robot-client.js';
import { createMemoryRateLedger } from '../../src/dingtalk/create-memory-rate-ledger.js';
import { createHash } from 'node:crypto';
import { createLogger } from '../../src/logger.js';
import { startFakeDingTalk, type FakeDingTalk, type FakeDingTalkOptions } from '../helpers/fake-dingtalk.js';
import { createMetrics } from '../../src/metrics/create-metrics.js';
import { parseMetrics, sampleValue } from '../helpers/parse-metrics.js';

// V2's secret (protocol reference §4.2): with the clock at V2's timestamp the first sign holds both `+` and `/`.
const SECRET = 'SECa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';
const START = 1_700_000_000_009;
const COMMUNITY: WebhookTarget = { group: 'community', accessToken: 'TOKEN_COMMUNITY_0123', secret: SECRET };
const EVENTS: WebhookTarget = { group: 'events', accessToken: 'TOKEN_EVENTS_4567', secret: 'SECeventsSecret' };
const PLAIN: WebhookTarget = { group: 'plain', accessToken: 'TOKEN_PLAIN_89' };

const markdown = (text: string, extra: Partial<RobotMessage> = {}): RobotMessage => ({ msgtype: 'markdown', markdown: { title: 'Digest', text }, ...extra }) as RobotMessage;
const textOf = (r: { json: unknown }) => (r.json as { markdown?: { text: string } }).markdown?.text;

/**
 * Virtual time: `sleep` moves the clock forward at once, so minutes of rate limiting take
 * milliseconds. In `manual` mode sleeps wait until `release()`, to look at the queue mid-pause.
 */
function virtualClock(start = START) {
  let time = start;
  const sleeps: number[] = [];
  const held: Array<{ ms: number; resolve: () => void }> = [];
  let manual = false;
  return {
    sleeps,
    now: () => time,
    sleep: (ms: number): Promise<void> => {
      sleeps.push(ms);
      if (manual) return new Promise((resolve) => held.push({ ms, resolve }));
      time += ms;
      return new Promise((resolve) => setImmediate(resolve));
    },
    hold() {
      manual = true;
    },
    held: () => held.map((h) => h.ms),
    release() {
      manual = false;
      for (const h of held.splice(0)) {
        time += h.ms;
        h.resolve();
      }
    },
  };
}

function logCapture() {
  const lines: string[] = [];
  return { lines, logger: createLogger('trace', { write: (line: string) => void lines.push(line) }) };
}

let fake: FakeDingTalk | undefined;
let client: RobotClient | undefined;
afterEach(async () => {
  client?.close();
  await fake?.close();
  fake = undefined;
  client = undefined;
});

async function setup(options: Partial<RobotClientOptions> = {}, fakeOptions: FakeDingTalkOptions = {}) {
  const clock = virtualClock();
  const logs = logCapture();
  fake = await startFakeDingTalk({
    robots: { [COMMUNITY.accessToken]: { secret: SECRET }, [EVENTS.accessToken]: { secret: EVENTS.secret ?? '' }, [PLAIN.accessToken]: {} },
    now: clock.now,
    ...fakeOptions,
  });
  client = createRobotClient({ apiBase: fake.url, logger: logs.logger, now: clock.now, sleep: clock.sleep, random: () => 0.5, ...options });
  return { clock, logs, fake, client };
}

describe('createRobotClient', () => {
  it('sends a signed message the independent signer accepts, with the query encoded once', async () => {
    const { fake, client } = await setup();
    const receipt = await client.send(COMMUNITY, markdown('## Weekly digest', { at: { isAtAll: false } }));
    const [request] = fake.sends();
    expect(request?.reply).toMatchObject({ accepted: true, errcode: 0 });
    expect(request?.query.timestamp).toBe(String(START));
    expect(request?.query.sign).toBe('ahst5Icb550uoYMV63CfOv4f3MYpd5xIr+/Lx4C1RKI=');
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    expect(request?.json).toEqual({ msgtype: 'markdown', markdown: { title: 'Digest', text: '## Weekly digest' }, at: { isAtAll: false }, msgUuid: receipt.msgUuid });
    expect(receipt).toEqual({ group: 'community', msgUuid: expect.any(String) as string, attempts: 1, deliveredAt: START });
  });

  it('sends a markdown message sanitised: script links and raw HTML never reach DingTalk, https links do', async () => {
    const { fake, client } = await setup();
    await client.send(COMMUNITY, { msgtype: 'markdown', markdown: { title: '<b>Digest</b>', text: '- [a](javascript:alert(1)) <img src=x onerror=alert(1)>\n- [b](https://example.org/b)' } });
    expect(fake.sends()[0]?.json).toMatchObject({ markdown: { title: '＜b＞Digest＜/b＞', text: '- a ＜img src=x onerror=alert(1)＞\n- [b](https://example.org/b)' } });
  });

  it('sends without timestamp and sign to a robot that has no secret, and keeps a caller msgUuid', async () => {
    const { fake, client } = await setup();
    const receipt = await client.send(PLAIN, { msgtype: 'text', text: { content: 'hello' }, msgUuid: 'outbox-42' });
    expect(fake.sends()[0]?.query).toEqual({ access_token: PLAIN.accessToken });
    expect(fake.sends()[0]?.json).toMatchObject({ msgUuid: 'outbox-42' });
    expect(receipt.msgUuid).toBe('outbox-42');
  });

  it.each([
    ['keyword', { errcode: 310000, errmsg: 'keywords not in content' }],
    ['token', { errcode: 300001, errmsg: 'token is not exist' }],
    ['robot disabled', { errcode: 400102, errmsg: '机器人已停用' }],
    ['content', { errcode: 430102, errmsg: '含有不合适的文本' }],
  ])('does not retry a %s error and rejects with DingTalkApiError', async (_, behaviour) => {
    const { fake, client, clock } = await setup();
    fake.script([behaviour]);
    const error: unknown = await client.send(COMMUNITY, markdown('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DingTalkApiError);
    expect(error).toMatchObject({ errcode: behaviour.errcode, errmsg: behaviour.errmsg });
    expect((error as Error).message).toBe(`POST /robot/send (group "community"): DingTalk answered errcode ${behaviour.errcode} (${behaviour.errmsg})`);
    expect(fake.sends()).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('passes on a refusal found by the fake itself (markdown without a title)', async () => {
    const { fake, client } = await setup();
    await expect(client.send(COMMUNITY, { msgtype: 'markdown', markdown: { title: '', text: 'x' } })).rejects.toMatchObject({ name: 'DingTalkApiError', errcode: 400402 });
    expect(fake.sends()).toHaveLength(1);
  });

  it('retries 500s, dropped sockets, errcode -1 and non-JSON answers with full-jitter backoff, delivering once', async () => {
    const { fake, client, clock } = await setup({ retry: { attempts: 5, baseDelayMs: 1_000, maxDelayMs: 3_000 } });
    fake.script([{ status: 500 }, { drop: true }, { errcode: -1, errmsg: '系统繁忙' }, { rawBody: '<html>gateway</html>' }]);
    const receipt = await client.send(COMMUNITY, markdown('retry me'));
    expect(receipt.attempts).toBe(5);
    expect(fake.sends()).toHaveLength(5);
    expect(fake.delivered()).toHaveLength(1);
    // random() = 0.5 of min(3000, 1000·2^(n-1)).
    expect(clock.sleeps).toEqual([500, 1_000, 1_500, 1_500]);
    // Same msgUuid on every attempt, a fresh timestamp on each.
    expect(new Set(fake.sends().map((r) => (r.json as { msgUuid: string }).msgUuid)).size).toBe(1);
    expect(fake.sends().map((r) => Number(r.query.timestamp))).toEqual([START, START + 500, START + 1_500, START + 3_000, START + 4_500]);
    expect(fake.sends().every((r) => r.reply.scripted || r.reply.accepted)).toBe(true);
  });

  it('retries after a timeout; the resend carries the same msgUuid, so the message is delivered once', async () => {
    const { fake, client } = await setup({ timeoutMs: 250 });
    fake.script([{ delayMs: 2_000 }]);
    const receipt = await client.send(COMMUNITY, markdown('slow'));
    expect(receipt.attempts).toBe(2);
    expect(fake.sends().map((r) => r.reply.duplicate)).toEqual([false, true]);
    expect(fake.delivered()).toHaveLength(1);
  });

  it('gives up after the last attempt with the last DingTalkNetworkError', async () => {
    const { fake, client } = await setup({ retry: { attempts: 3 } });
    fake.script([{ status: 502 }, { status: 503 }, { status: 503 }]);
    const error: unknown = await client.send(COMMUNITY, markdown('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DingTalkNetworkError);
    expect(error).toMatchObject({ kind: 'http-status', status: 503, message: 'POST /robot/send (group "community"): HTTP 503' });
    expect(fake.sends()).toHaveLength(3);
  });

  it('retries a refused connection', async () => {
    const closedFake = await startFakeDingTalk();
    const apiBase = closedFake.url;
    await closedFake.close();
    const { client } = await setup({ apiBase, retry: { attempts: 2 } });
    await expect(client.send(COMMUNITY, markdown('x'))).rejects.toMatchObject({ name: 'DingTalkNetworkError', kind: 'connection', code: 'ECONNREFUSED' });
  });

  it('pauses only the throttled robot for throttleMs, keeps its order, then resends', async () => {
    const { fake, client, clock } = await setup({ rate: { throttleMs: 600_000 } });
    fake.script([{ rateLimit: true }]);
    clock.hold();
    const first = client.send(COMMUNITY, markdown('community 1'));
    const second = client.send(COMMUNITY, markdown('community 2'));
    const other = await client.send(EVENTS, markdown('events 1'));
    expect(other.attempts).toBe(1);
    await fake.waitFor((r) => r.reply.errcode === 130101);
    await waitUntil(() => clock.held().length > 0);
    expect(clock.held()).toEqual([600_000]);
    expect(fake.sends().filter((r) => r.query.access_token === COMMUNITY.accessToken)).toHaveLength(1);
    clock.release();
    expect((await first).attempts).toBe(2);
    expect((await second).attempts).toBe(1);
    const community = fake.delivered().filter((r) => r.query.access_token === COMMUNITY.accessToken);
    expect(community.map(textOf)).toEqual(['community 1', 'community 2']);
    expect(Number(community[0]?.query.timestamp)).toBeGreaterThanOrEqual(START + 600_000);
  });

  it.each([
    ['410100', { errcode: 410100, errmsg: '发送速度太快而限流' }],
    ['an errmsg saying too fast', { errcode: 999999, errmsg: 'send too fast' }],
    ['an errmsg saying 限流', { errcode: 999998, errmsg: '已被限流' }],
  ])('recognises throttling by %s', async (_, behaviour) => {
    const { fake, client, clock } = await setup({ rate: { throttleMs: 600_000 } });
    fake.script([behaviour]);
    await client.send(COMMUNITY, markdown('x'));
    expect(clock.sleeps).toEqual([600_000]);
    expect(fake.delivered()).toHaveLength(1);
  });

  it('gives up after maxThrottleResends with the rate-limit DingTalkApiError', async () => {
    const { fake, client } = await setup({ rate: { throttleMs: 1_000, maxThrottleResends: 2 } });
    fake.script([{ rateLimit: true }, { rateLimit: true }, { rateLimit: true }]);
    await expect(client.send(COMMUNITY, markdown('x'))).rejects.toMatchObject({ name: 'DingTalkApiError', errcode: 130101 });
    expect(fake.sends()).toHaveLength(3);
    // The robot stays paused for the next message.
    await client.send(COMMUNITY, markdown('y'));
    expect(Number(fake.sends()[3]?.query.timestamp) - Number(fake.sends()[2]?.query.timestamp)).toBeGreaterThanOrEqual(1_000);
  });

  it('keeps 45 queued messages within 20 per rolling minute, in order, and never trips DingTalk\'s limit', async () => {
    const { fake, client, clock } = await setup();
    fake.script([{ status: 500 }]);
    const sends = Array.from({ length: 45 }, (_, i) => client.send(COMMUNITY, markdown(`community ${i}`)));
    const others = Array.from({ length: 5 }, (_, i) => client.send(EVENTS, markdown(`events ${i}`)));
    await Promise.all([...sends, ...others]);
    await client.idle();

    expect(fake.rateLimitViolations()).toEqual([]);
    const community = fake.delivered().filter((r) => r.query.access_token === COMMUNITY.accessToken);
    expect(community.map(textOf)).toEqual(Array.from({ length: 45 }, (_, i) => `community ${i}`));
    expect(fake.delivered().filter((r) => r.query.access_token === EVENTS.accessToken).map(textOf)).toEqual(Array.from({ length: 5 }, (_, i) => `events ${i}`));
    // Every attempt counts, the retried 500 included: no 20 consecutive attempts span less than a minute.
    const stamps = fake.sends().filter((r) => r.query.access_token === COMMUNITY.accessToken).map((r) => Number(r.query.timestamp));
    expect(stamps.length).toBeGreaterThanOrEqual(45);
    for (let i = 0; i + 20 < stamps.length; i++) expect((stamps[i + 20] ?? 0) - (stamps[i] ?? 0)).toBeGreaterThanOrEqual(60_000);
    expect(clock.sleeps.some((ms) => ms > 1_000)).toBe(true);
  });

  it('shares the limit through the rate ledger with another sender of the same robot', async () => {
    // Another instance (or the process before a restart) used all 20 slots in the last 50 s.
    const ledger = createMemoryRateLedger();
    const robot = createHash('sha256').update(COMMUNITY.accessToken).digest('hex').slice(0, 16);
    const earlier = Array.from({ length: 20 }, (_, i) => START - 50_000 + i * 100);
    for (const [i, at] of earlier.entries()) {
      expect(await ledger.reserve(robot, { id: `other-${i}`, now: at, until: at + 10_000, limit: 20, windowMs: 60_000 })).toBe(0);
      await ledger.finish(robot, `other-${i}`, at + 200);
    }
    const { fake, client } = await setup({ rateLedger: ledger });
    await client.send(COMMUNITY, markdown('after the others'));
    expect(Number(fake.sends()[0]?.query.timestamp)).toBeGreaterThanOrEqual((earlier[0] ?? 0) + 200 + 60_000);
    expect(fake.rateLimitViolations()).toEqual([]);
  });

  it('keeps a small perMinute/windowMs as configured', async () => {
    const { fake, client } = await setup({ rate: { perMinute: 2, windowMs: 10_000 } });
    await Promise.all(Array.from({ length: 6 }, (_, i) => client.send(PLAIN, markdown(`m${i}`))));
    const times = fake.sends().map((r) => r.receivedAt - START);
    expect(times).toEqual([0, 0, 10_000, 10_000, 20_000, 20_000]);
  });

  it('sends the next message of a robot after the previous one failed for good', async () => {
    const { fake, client } = await setup();
    fake.script([{ errcode: 310000, errmsg: 'keywords not in content' }]);
    const results = await Promise.allSettled([client.send(COMMUNITY, markdown('a')), client.send(COMMUNITY, markdown('b'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(fake.sends().map(textOf)).toEqual(['a', 'b']);
  });

  it('refuses a body over 20,000 bytes before sending anything', async () => {
    const { fake, client } = await setup();
    const base = Buffer.byteLength(JSON.stringify({ ...markdown(''), msgUuid: 'u' }));
    await expect(client.send(COMMUNITY, markdown('字'.repeat(6_667), { msgUuid: 'u' }))).rejects.toThrow(RangeError);
    await expect(client.send(COMMUNITY, markdown('x'.repeat(20_001 - base), { msgUuid: 'u' }))).rejects.toThrow(/20001 bytes; DingTalk accepts at most 20000/);
    expect(fake.requests).toHaveLength(0);
    await client.send(COMMUNITY, markdown('x'.repeat(20_000 - base), { msgUuid: 'u' }));
    expect(fake.delivered()).toHaveLength(1);
  });

  it('never puts the token, timestamp or sign in a log line or an error', async () => {
    const { fake, client, logs } = await setup({ timeoutMs: 250, retry: { attempts: 2 } });
    const errors: unknown[] = [];
    const attempt = (message: RobotMessage) => client.send(COMMUNITY, message).catch((e: unknown) => void errors.push(e));
    await client.send(COMMUNITY, markdown('ok'));
    fake.script([{ status: 500 }]);
    await client.send(COMMUNITY, markdown('after a 500'));
    fake.script([{ errcode: 300001, errmsg: `token ${COMMUNITY.accessToken} is not exist` }]);
    await attempt(markdown('echoed token'));
    fake.script([{ delayMs: 2_000 }, { delayMs: 2_000 }]);
    await attempt(markdown('timeouts'));
    fake.script([{ drop: true }, { drop: true }]);
    await attempt(markdown('dropped'));
    fake.script([{ rawBody: `<html>${fake.url}/robot/send?access_token=${COMMUNITY.accessToken}</html>` }, { status: 404 }]);
    await attempt(markdown('proxy page'));
    const closedFake = await startFakeDingTalk();
    const refusedBase = closedFake.url;
    await closedFake.close();
    await createRobotClient({ apiBase: refusedBase, logger: logs.logger, sleep: () => Promise.resolve(), retry: { attempts: 2 } })
      .send(COMMUNITY, markdown('refused'))
      .catch((e: unknown) => void errors.push(e));

    expect(errors).toHaveLength(5);
    const secrets = [COMMUNITY.accessToken, SECRET];
    for (const request of fake.sends()) {
      const { timestamp = '', sign = '' } = request.query;
      secrets.push(timestamp, sign, encodeURIComponent(sign));
    }
    const texts = [
      ...logs.lines,
      ...errors.map((e) => inspect(e, { depth: 5, showHidden: true })),
      ...errors.map((e) => JSON.stringify(e)),
      ...errors.map((e) => (e as Error).stack ?? ''),
    ];
    expect(logs.lines.length).toBeGreaterThan(8);
    for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
    expect(errors.every((e) => (e as Error).cause === undefined)).toBe(true);
    expect(logs.lines.every((line) => (JSON.parse(line) as { module?: string }).module === 'robot-client')).toBe(true);
    expect(logs.lines.join('\n')).toContain('"group":"community"');
    // Message text stays out of the logs.
    expect(logs.lines.join('\n')).not.toContain('after a 500');
  });

  it('idle waits for everything queued; close rejects what has not been sent', async () => {
    const { fake, client, clock } = await setup({ rate: { throttleMs: 600_000 } });
    await Promise.all([client.send(PLAIN, markdown('a')), client.send(PLAIN, markdown('b'))].map((p) => p.then(() => undefined)));
    let idle = false;
    await client.idle().then(() => (idle = true));
    expect(idle).toBe(true);

    fake.script([{ rateLimit: true }]);
    clock.hold();
    const throttled = client.send(COMMUNITY, markdown('throttled'));
    const queued = client.send(COMMUNITY, markdown('queued'));
    await waitUntil(() => clock.held().length > 0);
    client.close();
    await expect(throttled).rejects.toBeInstanceOf(RobotClientClosedError);
    await expect(queued).rejects.toThrow('robot client closed before the message for group "community" was sent');
    await expect(client.send(PLAIN, markdown('late'))).rejects.toBeInstanceOf(RobotClientClosedError);
    await client.idle();
    expect(fake.sends().map(textOf)).toEqual(['a', 'b', 'throttled']);
  });

  it('counts every attempt by group and errcode, "network" when DingTalk did not answer', async () => {
    const metrics = createMetrics();
    const { fake, client } = await setup({ metrics });
    fake.script([{ errcode: -1, errmsg: '系统繁忙' }, { drop: true }]);
    await client.send(COMMUNITY, markdown('busy, dropped, then sent'));
    fake.script([{ errcode: 310000, errmsg: 'keywords not in content' }]);
    await expect(client.send(EVENTS, markdown('refused'))).rejects.toBeInstanceOf(DingTalkApiError);
    await client.send(EVENTS, markdown('sent'));

    const text = await metrics.registry.metrics();
    const samples = parseMetrics(text);
    const sends = (group: string, errcode: string) => sampleValue(samples, 'dingtalk_qa_bot_robot_sends_total', { group, errcode });
    expect([sends('community', '-1'), sends('community', 'network'), sends('community', '0')]).toEqual([1, 1, 1]);
    expect([sends('events', '310000'), sends('events', '0')]).toEqual([1, 1]);
    expect(samples.filter((s) => s.name === 'dingtalk_qa_bot_robot_sends_total')).toHaveLength(5);
    for (const secret of [COMMUNITY.accessToken, EVENTS.accessToken, SECRET, fake.url]) expect(text).not.toContain(secret);
  });

  it('drain lets the request in flight get its answer and rejects what is queued', async () => {
    const { fake, client } = await setup({ timeoutMs: 5_000 });
    fake.script([{ delayMs: 300 }]);
    const inFlight = client.send(COMMUNITY, markdown('in flight'));
    const queued = client.send(COMMUNITY, markdown('queued'));
    await fake.waitFor(() => true);
    const draining = client.drain();
    await expect(client.send(EVENTS, markdown('late'))).rejects.toBeInstanceOf(RobotClientClosedError);
    expect((await inFlight).attempts).toBe(1);
    await expect(queued).rejects.toBeInstanceOf(RobotClientClosedError);
    await draining;
    expect(fake.sends().map(textOf)).toEqual(['in flight']);
    expect(fake.delivered()).toHaveLength(1);
  });

  it('drain retries nothing: a busy answer rejects as not sent, a timeout with its network error', async () => {
    const { fake, client } = await setup({ timeoutMs: 250 });
    fake.script([{ errcode: -1, errmsg: '系统繁忙', delayMs: 100 }, { delayMs: 1_000 }]);
    const busy = client.send(COMMUNITY, markdown('busy'));
    const slow = client.send(EVENTS, markdown('slow'));
    await fake.waitFor(() => true, { count: 2 });
    await client.drain();
    await expect(busy).rejects.toBeInstanceOf(RobotClientClosedError);
    await expect(slow).rejects.toMatchObject({ name: 'DingTalkNetworkError', kind: 'timeout' });
    expect(fake.sends()).toHaveLength(2);
  });

  it('aborts a request in flight on close without retrying it', async () => {
    const { fake, client } = await setup({ timeoutMs: 5_000 });
    fake.script([{ delayMs: 1_000 }]);
    const pending = client.send(COMMUNITY, markdown('in flight'));
    await fake.waitFor(() => true);
    client.close();
    await expect(pending).rejects.toMatchObject({ name: 'DingTalkNetworkError', kind: 'aborted' });
    expect(fake.sends()).toHaveLength(1);
  });
});

/** Polls a condition on the event loop (no timers to fake): for states with no event to await. */
async function waitUntil(condition: () => boolean, tries = 1_000): Promise<void> {
  for (let i = 0; i < tries && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}
