import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createRobotClient } from '../../src/dingtalk/create-robot-client.js';
import { createRedisStateStore } from '../../src/state/create-redis-state-store.js';
import type { FakeDingTalk } from '../helpers/fake-dingtalk.js';
import { deploy, dueEvents, GROUP, type Deployment } from '../helpers/deploy-bots.js';
import { groupMessage, signedHeaders } from '../helpers/start-bot-server.js';
import { skipRedis, startRedis, type TestRedis } from '../helpers/start-redis.js';
import { runCli } from '../../src/cli.js';

// Two instances behind one load balancer: one Redis, one DingTalk, nothing else in common (each has
// its own DATA_DIR). Members must get one answer and groups one post, whichever instance acts.
const ROBOT = GROUP;
const EVENTS = 6;

let redis: TestRedis;
let deployment: Deployment;
let fake: FakeDingTalk;

beforeAll(async () => {
  if (skipRedis) return;
  redis = await startRedis();
  deployment = await deploy({
    store: 'redis',
    instances: 2,
    redisUrl: redis.url,
    knowledge: { ...dueEvents(EVENTS, '双实例'), 'faq/broken.md': '---\nquestion: [unclosed\n---\n答案\n' },
  });
  fake = deployment.fake;
});

afterAll(async () => {
  if (skipRedis) return;
  await deployment.close();
  await redis.close();
});

// The steps of one story, in order: each test starts from the state the one before it left
// (vitest's sequence.shuffle must not reorder them).
describe.skipIf(skipRedis)('two instances on one Redis', { shuffle: false }, () => {
  it('answers a message delivered to both instances once', async () => {
    for (let round = 0; round < 5; round++) {
      const body = JSON.stringify(groupMessage('jraft 支持 multi raft 吗', fake.sessionWebhook(`both-${round}`)));
      const headers = signedHeaders();
      const responses = await Promise.all(deployment.urls.map((url) => fetch(`${url}/dingtalk/callback`, { method: 'POST', headers, body })));
      expect(responses.map((r) => r.status)).toEqual([200, 200]);
      await fake.waitFor((r) => r.query.session === `both-${round}`);
    }
    // Time for a second reply to arrive, were there one.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let round = 0; round < 5; round++) expect(fake.requests.filter((r) => r.query.session === `both-${round}`)).toHaveLength(1);
  });

  it('counts questions neither instance could answer in one shared log, which the CLI lists', async () => {
    const asks = ['sofa-mosn 支持 http3 吗', 'mosn 能不能用 http/3', 'MOSN 有 HTTP3 支持吗', 'Seata 支持 Oracle 吗'];
    for (const [i, question] of asks.entries()) {
      const url = deployment.urls[i % 2] ?? '';
      const response = await fetch(`${url}/dingtalk/callback`, { method: 'POST', headers: signedHeaders(), body: JSON.stringify(groupMessage(question, fake.sessionWebhook(`unanswered-${i}`))) });
      expect(response.status).toBe(200);
      await fake.waitFor((r) => r.query.session === `unanswered-${i}`);
    }
    // Recording goes on beside the reply: let it finish.
    await Promise.all(deployment.apps.map((app) => app.http.idle()));
    const out: string[] = [];
    const code = await runCli(['unanswered'], { CONFIG_DIR: deployment.configDir, REDIS_URL: redis.url }, { out: (l) => out.push(l), err: () => undefined });
    expect(code).toBe(0);
    const counts = out.filter((l) => /^\s+\d+\s+\d+\s+\d{4}-/.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
    expect(counts).toEqual([3, 1]);
    expect(out.join('\n')).toContain('Seata 支持 Oracle 吗');
  });

  it('posts a knowledge error to the admin group once, though both instances found it', async () => {
    await fake.waitFor((r) => r.path === '/robot/send' && JSON.stringify(r.json).includes('知识库有新错误'));
    // Time for the other instance's notice, were there one.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const notices = fake.sends().filter((r) => JSON.stringify(r.json).includes('知识库有新错误'));
    expect(notices).toHaveLength(1);
    expect(JSON.stringify(notices[0]?.json)).toMatch(/broken\.md:\d+: invalid YAML/);
  });

  it('posts each reminder and the digest once, though both instances run the scheduler', async () => {
    await Promise.all([...deployment.apps, ...deployment.apps].map((app) => app.scheduler.tick()));
    await Promise.all(deployment.apps.map((app) => app.scheduler.sendDigestNow()));
    await Promise.all([...deployment.apps, ...deployment.apps].map((app) => app.scheduler.tick()));

    const sends = fake.sends().filter((r) => !JSON.stringify(r.json).includes('知识库有新错误'));
    const titles = sends.map((r) => (r.json as { markdown: { title: string } }).markdown.title);
    for (let i = 0; i < EVENTS; i++) expect(titles.filter((t) => t.includes(`双实例 直播 ${i}`))).toHaveLength(1);
    expect(titles.filter((t) => !t.includes('双实例 直播'))).toHaveLength(1);
    // Not even a resend that DingTalk would have dropped.
    expect(sends).toHaveLength(EVENTS + 1);
    expect(fake.delivered().filter((r) => r.path === '/robot/send' && !JSON.stringify(r.json).includes('知识库有新错误'))).toHaveLength(EVENTS + 1);
    expect(fake.rateLimitViolations()).toEqual([]);
  });

  it('keeps one robot within 20 sends a minute across both instances', async () => {
    // Each instance's robot client, with its own Redis connection, sends 15 messages to one robot.
    const stores = [0, 1].map(() => createRedisStateStore({ url: redis.url, keyPrefix: 'rate-across:', dedupeRetentionMs: 60_000, logger: createLogger('silent') }));
    const clients = stores.map((store) => createRobotClient({ apiBase: fake.url, logger: createLogger('silent'), rateLedger: store.rateLedger }));
    fake.reset();
    const sending = clients.flatMap((client, c) =>
      Array.from({ length: 15 }, (_, i) => client.send({ group: 'community', accessToken: ROBOT.token, secret: ROBOT.secret }, { msgtype: 'text', text: { content: `instance ${c} message ${i}` } }).catch(() => 'stopped')),
    );
    await fake.waitFor((r) => r.path === '/robot/send', { count: 20 });
    // The other ten wait for the window to move on; give them a chance to break the limit.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(fake.sends()).toHaveLength(20);
    expect(fake.rateLimitViolations()).toEqual([]);
    const fromEach = [0, 1].map((c) => fake.sends().filter((r) => JSON.stringify(r.json).includes(`instance ${c} `)).length);
    expect(fromEach[0]).toBeGreaterThan(0);
    expect(fromEach[1]).toBeGreaterThan(0);
    for (const client of clients) client.close();
    expect((await Promise.all(sending)).filter((r) => r === 'stopped')).toHaveLength(10);
    await Promise.all(stores.map((store) => store.close()));
  });
});
