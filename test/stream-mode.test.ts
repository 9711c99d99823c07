import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { App } from '../src/app.js';
import { startFakeDingTalk, type FakeDingTalk } from './helpers/fake-dingtalk.js';
import { startFakeStreamGateway, type FakeStreamGateway, type GatewayConnection } from './helpers/fake-stream-gateway.js';
import { FIXTURE_FILES } from './helpers/knowledge-fixture.js';
import { tempKnowledge } from './helpers/temp-knowledge.js';
import { startApp } from './helpers/start-app.js';
import { APP_SECRET, groupMessage, signedHeaders } from './helpers/start-bot-server.js';
import { configDir } from './helpers/deploy-bots.js';
import { skipRedis, startRedis, type TestRedis } from './helpers/start-redis.js';
import { parseMetrics, sampleValue } from './helpers/parse-metrics.js';

// The bot in Stream mode (DINGTALK_MODE=stream) against the fake gateway, replying to the fake
// DingTalk's session webhooks: the same core as the HTTP callback, reached over the WebSocket.

const SESSION_PATH = '/robot/sendBySession';
const QUESTION = 'jraft 支持 multi raft 吗';

let fake: FakeDingTalk;
let gateway: FakeStreamGateway;
let knowledgeDir: string;
const apps: App[] = [];

beforeAll(async () => {
  fake = await startFakeDingTalk();
  knowledgeDir = tempKnowledge(FIXTURE_FILES);
});
afterAll(async () => {
  await fake.close();
});

const streamEnv = (extra: Record<string, string | undefined> = {}) => ({
  DINGTALK_MODE: 'stream',
  DINGTALK_APP_KEY: gateway.clientId,
  DINGTALK_OPENAPI_BASE: gateway.url,
  ...extra,
});

async function startStreamApp(env: Record<string, string | undefined> = {}) {
  const started = await startApp({ fake, knowledgeDir, env: streamEnv(env) });
  apps.push(started.app);
  return started;
}

/** The `count`-th connection, once the bot has answered a ping on it. */
async function answering(count: number, timeoutMs?: number): Promise<GatewayConnection> {
  const connection = await gateway.waitForConnection(count, timeoutMs);
  await gateway.waitForAck(gateway.ping(connection));
  return connection;
}

/** A group question as its CALLBACK frame carries it, for the app (its robot code is the app key). */
const question = (session: string, overrides: Record<string, unknown> = {}) => groupMessage(QUESTION, fake.sessionWebhook(session), { robotCode: gateway.clientId, ...overrides });
const repliesTo = (session: string) => fake.sessionReplies().filter((r) => r.query.session === session);
const metric = async (app: App, name: string, labels: Record<string, string> = {}) => sampleValue(parseMetrics((await app.metrics?.registry.metrics()) ?? ''), `dingtalk_qa_bot_${name}`, labels);

// The steps of one story, in order: each test starts from the state the one before it left
// (vitest's sequence.shuffle must not reorder them).
describe('Stream mode, one instance', { shuffle: false }, () => {
  let shared: { app: App; url: string };
  beforeAll(async () => {
    gateway = await startFakeStreamGateway({ clientSecret: APP_SECRET });
    shared = await startApp({ fake, knowledgeDir, env: streamEnv() });
  });
  afterAll(async () => {
    await shared.app.close();
    await gateway.close();
  });
  afterEach(() => fake.reset());

  /** The shared app, connected (started here if no test did yet). */
  const connected = async () => {
    shared.app.startStream();
    await answering(1);
    return shared.app;
  };

  it('has no /dingtalk/callback, serves health and metrics, and is ready only once the stream is connected', async () => {
    const { app, url } = shared;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const before = await fetch(`${url}/readyz`);
    expect([before.status, await before.json()]).toEqual([503, { status: 'connecting', stream: 'disconnected' }]);
    const callback = await fetch(`${url}/dingtalk/callback`, { method: 'POST', headers: signedHeaders(), body: JSON.stringify(question('http')) });
    expect(callback.status).toBe(404);

    const starting = performance.now();
    app.startStream();
    await answering(1);
    const ready = await fetch(`${url}/readyz`);
    expect(performance.now() - starting).toBeLessThan(2000);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', stream: 'connected' });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(sampleValue(parseMetrics(metrics), 'dingtalk_qa_bot_stream_connected')).toBe(1);
    expect(fake.requests).toEqual([]);
  });

  it('acks a pushed question at once, answers it through the session webhook, and does not answer a re-push of its msgId', async () => {
    const app = await connected();

    const payload = question('s1');
    const pushedAt = performance.now();
    const first = gateway.push(payload);
    const ack = await gateway.waitForAck(first);
    // Loose guard around the 100 ms target.
    expect(ack.at - pushedAt).toBeLessThan(500);
    const [reply] = await fake.waitFor((r) => r.query.session === 's1');
    expect(JSON.stringify(reply?.json)).toContain('支持，RheaKV 就是基于 multi raft group 实现的。');

    // The same message again (a new frame), then another: the second is answered, the re-push is not.
    await gateway.waitForAck(gateway.push(payload));
    gateway.push(question('s2'));
    await fake.waitFor((r) => r.query.session === 's2');
    await app.http.idle();
    expect(repliesTo('s1')).toHaveLength(1);
    expect(await metric(app, 'callbacks_total', { outcome: 'duplicate' })).toBe(1);
  });

  it('acks and skips a frame that is not a robot message, and one for another robot', async () => {
    const app = await connected();
    const bad = gateway.push({ msgtype: 'text' });
    const other = gateway.push(question('other-robot', { robotCode: 'dingsomeoneelse' }));
    await Promise.all([gateway.waitForAck(bad), gateway.waitForAck(other)]);
    gateway.push(question('after'));
    await fake.waitFor((r) => r.query.session === 'after');
    expect(repliesTo('other-robot')).toHaveLength(0);
    expect(await metric(app, 'callbacks_total', { outcome: 'bad_request' })).toBe(1);
    expect(await metric(app, 'callbacks_total', { outcome: 'wrong_robot' })).toBe(1);
  });
});

describe('Stream mode, an instance of its own', () => {
  beforeEach(async () => {
    gateway = await startFakeStreamGateway({ clientSecret: APP_SECRET });
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await gateway.close();
    fake.reset();
  });

  it('on close() sends the answer in flight, leaves frames pushed meanwhile unacked, then closes the stream with code 1000', async () => {
    const { app, url } = await startStreamApp();
    apps.splice(apps.indexOf(app), 1);
    app.startStream();
    const connection = await answering(1);
    fake.script([{ delayMs: 500 }], SESSION_PATH);
    gateway.push(question('in-flight'));
    await fake.waitFor((r) => r.query.session === 'in-flight');

    const closing = app.close();
    // Pushed while stopping: not acked, so DingTalk pushes it again to a bot that will answer it.
    const late = gateway.push(question('while-stopping'));
    const ping = gateway.ping(connection);
    await gateway.waitForAck(ping);
    expect(await gateway.waitForClose(connection)).toBe(1000);
    // The close came after the answer in flight had been delivered.
    expect(repliesTo('in-flight').map((r) => r.reply.status)).toEqual([200]);
    await closing;
    expect(gateway.acks().has(late)).toBe(false);
    expect(repliesTo('while-stopping')).toHaveLength(0);
    expect(await metric(app, 'replies_total', { result: 'sent' })).toBe(1);
    expect(gateway.opens).toHaveLength(1);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  describe.skipIf(skipRedis)('two instances on one Redis', () => {
    let redis: TestRedis;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      await redis.close();
    });

    it('answer a message pushed to both of them once', async () => {
      const env = { REDIS_URL: redis.url, CONFIG_DIR: configDir(`state:\n  redisKeyPrefix: "stream-${process.pid}-${Date.now()}:"\n`) };
      const one = await startStreamApp(env);
      const two = await startStreamApp(env);
      one.app.startStream();
      const a = await answering(1);
      two.app.startStream();
      const b = await answering(2);
      expect(gateway.live()).toHaveLength(2);

      const payload = question('both');
      await Promise.all([gateway.waitForAck(gateway.push(payload, { to: a })), gateway.waitForAck(gateway.push(payload, { to: b }))]);
      // Later messages on each connection: once they are answered, both instances have decided on the first.
      gateway.push(question('later-a'), { to: a });
      gateway.push(question('later-b'), { to: b });
      await fake.waitFor((r) => r.query.session === 'later-a' || r.query.session === 'later-b', { count: 2 });
      await Promise.all([one.app.http.idle(), two.app.http.idle()]);
      expect(repliesTo('both')).toHaveLength(1);
      const outcomes = await Promise.all([one.app, two.app].map(async (app) => [await metric(app, 'callbacks_total', { outcome: 'accepted' }), await metric(app, 'callbacks_total', { outcome: 'duplicate' })]));
      expect(outcomes.flat().reduce((sum, n) => (sum ?? 0) + (n ?? 0), 0)).toBe(4);
      expect(outcomes.map(([, duplicate]) => duplicate).reduce((sum, n) => (sum ?? 0) + (n ?? 0), 0)).toBe(1);
    });

    it('leave a message unacked while Redis is down, and answer it once when DingTalk pushes it again', async () => {
      const env = { REDIS_URL: redis.url, CONFIG_DIR: configDir(`state:\n  redisKeyPrefix: "stream-down-${process.pid}-${Date.now()}:"\n`) };
      const { app } = await startStreamApp(env);
      app.startStream();
      await answering(1);
      await redis.stop();
      const payload = question('redis-down');
      const first = gateway.push(payload);
      try {
        await vi.waitFor(async () => expect(await metric(app, 'callbacks_total', { outcome: 'state_unavailable' })).toBe(1), { timeout: 10_000, interval: 20 });
      } finally {
        await redis.start();
      }
      expect(gateway.acks().has(first)).toBe(false);
      await gateway.waitForAck(gateway.push(payload), 10_000);
      await fake.waitFor((r) => r.query.session === 'redis-down');
      await app.http.idle();
      expect(repliesTo('redis-down')).toHaveLength(1);
    });
  });
});

describe('Stream mode under `node src/main.ts`', () => {
  beforeEach(async () => {
    gateway = await startFakeStreamGateway({ clientSecret: APP_SECRET });
  });
  afterEach(async () => {
    await gateway.close();
    fake.reset();
  });

  it('connects once the knowledge is loaded, and on SIGTERM sends the answer in flight, then closes the stream cleanly and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        ...streamEnv(),
        CONFIG_DIR: 'config',
        KNOWLEDGE_DIR: knowledgeDir,
        DATA_DIR: join(tempKnowledge({}), 'data'),
        PORT: '0',
        DINGTALK_APP_SECRET: APP_SECRET,
        DINGTALK_SESSION_HOSTS: new URL(fake.url).host,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const messages: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => messages.push(String((JSON.parse(line) as { msg?: unknown }).msg)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      // A spawned bot compiles nothing but still loads its modules and knowledge beside other test files.
      const connection = await answering(1, 20_000);
      expect(messages).toContain('knowledge loaded');
      fake.script([{ delayMs: 500 }], SESSION_PATH);
      gateway.push(question('sigterm'));
      await fake.waitFor((r) => r.query.session === 'sigterm');
      child.kill('SIGTERM');
      expect(await gateway.waitForClose(connection)).toBe(1000);
      // Delivered before the close frame came.
      expect(repliesTo('sigterm').map((r) => r.reply.status)).toEqual([200]);
      expect(await exited).toBe(0);
      expect(messages.indexOf('stream closed')).toBeLessThan(messages.indexOf('drained: replies and posts in flight finished; exiting'));
      expect(gateway.opens).toHaveLength(1);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
