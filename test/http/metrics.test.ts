import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDingTalk, type FakeDingTalk } from '../helpers/fake-dingtalk.js';
import { startTrapServer, type TrapServer } from '../helpers/start-trap-server.js';
import { loadFixture, type Fixture } from '../helpers/knowledge-fixture.js';
import { groupMessage, signedHeaders, startBotServer, type BotServer } from '../helpers/start-bot-server.js';
import { parseMetrics, sampleValue, type Sample } from '../helpers/parse-metrics.js';
import { createMetrics, METRIC_PREFIX } from '../../src/metrics/create-metrics.js';

let fixture: Fixture;
let fake: FakeDingTalk;
let trap: TrapServer;

beforeAll(async () => {
  fixture = await loadFixture();
  fake = await startFakeDingTalk();
  trap = await startTrapServer();
});

afterAll(async () => {
  await fake.close();
  await trap.close();
});

const callback = (bot: BotServer, body: unknown, headers: Record<string, string> = signedHeaders()) =>
  fetch(`${bot.url}/dingtalk/callback`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function scrape(bot: BotServer, headers: Record<string, string> = {}): Promise<Sample[]> {
  const response = await fetch(`${bot.url}/metrics`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await response.text());
}

const ours = (name: string) => `${METRIC_PREFIX}${name}`;

describe('GET /metrics after callbacks of every kind', () => {
  let bot: BotServer;
  let samples: Sample[];

  beforeAll(async () => {
    bot = await startBotServer(fixture, { sessionHosts: [new URL(fake.url).host], robotCode: 'dingrobottest', metrics: createMetrics() });
    const question = groupMessage('jraft 支持 multi raft 吗', fake.sessionWebhook('m-answer'));
    expect((await callback(bot, question)).status).toBe(200);
    await fake.waitFor((r) => r.query.session === 'm-answer');
    expect((await callback(bot, question)).status).toBe(200); // redelivered
    const ts = String(Date.now());
    expect((await callback(bot, groupMessage('jraft', fake.sessionWebhook('m-401')), { ...signedHeaders(), timestamp: ts, sign: 'not-a-sign' })).status).toBe(401);
    expect((await callback(bot, groupMessage('x'.repeat(70 * 1024), fake.sessionWebhook('m-413')))).status).toBe(413);
    expect((await callback(bot, '{"msgtype": "text", ')).status).toBe(400);
    expect((await callback(bot, groupMessage('jraft', fake.sessionWebhook('m-403'), { robotCode: 'someone-else' }))).status).toBe(403);
    // Answered, but the webhook is not on the allow-list: no reply.
    expect((await callback(bot, groupMessage('帮助', `${trap.url}/robot/sendBySession?session=x`))).status).toBe(200);
    // Answered, and DingTalk refuses the reply.
    fake.script([{ errcode: 300001, errmsg: 'session 不存在' }], '/robot/sendBySession');
    expect((await callback(bot, groupMessage('随便问一个知识库里没有的问题 量子纠缠', fake.sessionWebhook('m-refused')))).status).toBe(200);
    await bot.http.idle();
    samples = await scrape(bot);
  });

  afterAll(async () => {
    await bot.close();
  });

  it('counts callbacks by outcome', () => {
    const count = (outcome: string) => sampleValue(samples, ours('callbacks_total'), { outcome });
    expect({
      accepted: count('accepted'),
      duplicate: count('duplicate'),
      unauthorized: count('unauthorized'),
      too_large: count('too_large'),
      bad_request: count('bad_request'),
      wrong_robot: count('wrong_robot'),
      not_ready: count('not_ready'),
      stopping: count('stopping'),
      error: count('error'),
    }).toEqual({ accepted: 3, duplicate: 1, unauthorized: 1, too_large: 1, bad_request: 1, wrong_robot: 1, not_ready: 0, stopping: 0, error: 0 });
  });

  it('counts answers by how they were handled, and times them', () => {
    const answers = (handledAs: string) => sampleValue(samples, ours('answers_total'), { handled_as: handledAs });
    expect([answers('answer'), answers('help'), answers('abstain'), answers('suggest'), answers('failed')]).toEqual([1, 1, 1, 0, 0]);
    expect(sampleValue(samples, ours('answer_duration_seconds_count'), { handled_as: 'answer' })).toBe(1);
    expect(sampleValue(samples, ours('answer_duration_seconds_bucket'), { handled_as: 'answer', le: '+Inf' })).toBe(1);
    expect(sampleValue(samples, ours('answer_duration_seconds_sum'), { handled_as: 'answer' })).toBeGreaterThan(0);
  });

  it('counts replies by result', () => {
    const replies = (result: string) => sampleValue(samples, ours('replies_total'), { result });
    expect({ sent: replies('sent'), not_allowed: replies('not_allowed'), failed: replies('failed') }).toEqual({ sent: 1, not_allowed: 1, failed: 1 });
  });

  it("shows the process's CPU, memory and event-loop lag", () => {
    const names = new Set(samples.map((s) => s.name));
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(names, name).toContain(name);
    }
  });

  it('puts no session webhook, URL or message text in a label', () => {
    const labelValues = samples.flatMap((s) => Object.values(s.labels));
    expect(labelValues.filter((v) => v.includes('/') || v.includes('session') || v.includes('jraft'))).toEqual([]);
  });
});

describe('GET /metrics access', () => {
  const TOKEN = 'scrape-token-for-tests-0123456789';
  let guarded: BotServer;
  let plain: BotServer;

  beforeAll(async () => {
    guarded = await startBotServer(fixture, { sessionHosts: [], metrics: createMetrics(), metricsToken: TOKEN });
    plain = await startBotServer(fixture, { sessionHosts: [] });
  });

  afterAll(async () => {
    await guarded.close();
    await plain.close();
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer wrong-token' }],
    ['a token that is a prefix of the right one', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ['the token without the Bearer scheme', { authorization: TOKEN }],
    ['Basic credentials', { authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` }],
  ])('refuses %s with 401 when a token is configured', async (_, headers) => {
    const response = await fetch(`${guarded.url}/metrics`, { headers });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect(await response.text()).toBe('{}');
  });

  it('serves the metrics with the right bearer token, and never logs the token', async () => {
    // A refusal of its own for the log, whatever ran before.
    expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}` } })).status).toBe(401);
    const samples = await scrape(guarded, { authorization: `Bearer ${TOKEN}` });
    expect(sampleValue(samples, ours('callbacks_total'), { outcome: 'accepted' })).toBe(0);
    expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: `bearer ${TOKEN}` } })).status).toBe(200);
    expect(guarded.logLines.some((l) => l.includes('metrics scrape refused'))).toBe(true);
    expect(guarded.logLines.join('\n')).not.toContain(TOKEN.slice(0, 12));
  });

  it('keeps /healthz and /readyz open without the token', async () => {
    expect((await fetch(`${guarded.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${guarded.url}/readyz`)).status).toBe(200);
  });

  it('has no /metrics when metrics are disabled', async () => {
    expect((await fetch(`${plain.url}/metrics`)).status).toBe(404);
  });
});
