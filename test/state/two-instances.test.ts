import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logger.js';
import { createApp, type App } from '../../src/app.js';
import { createRobotClient } from '../../src/dingtalk/create-robot-client.js';
import { createRedisStateStore } from '../../src/state/create-redis-state-store.js';
import { startFakeDingTalk, type FakeDingTalk } from '../helpers/fake-dingtalk.js';
import { FIXTURE_FILES } from '../helpers/knowledge-fixture.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';
import { APP_SECRET, groupMessage, signedHeaders } from '../helpers/start-bot-server.js';
import { skipRedis, startRedis, type TestRedis } from '../helpers/start-redis.js';

// Two instances behind one load balancer: one Redis, one DingTalk, nothing else in common (each has
// its own DATA_DIR). Members must get one answer and groups one post, whichever instance acts.
const ROBOT = { token: 'token-two-instances', secret: 'SECtwo-instances-secret' };
const EVENTS = 6;

let redis: TestRedis;
let fake: FakeDingTalk;
const apps: App[] = [];
const urls: string[] = [];

beforeAll(async () => {
  if (skipRedis) return;
  redis = await startRedis();
  fake = await startFakeDingTalk({ robots: { [ROBOT.token]: { secret: ROBOT.secret } } });
  // Reminders (1 hour before) that fell due in the last minutes: inside the catch-up window.
  const now = Date.now();
  const events = Object.fromEntries(
    Array.from({ length: EVENTS }, (_, i) => [`events/two-${i}.md`, `---\ntitle: 双实例直播 ${i}\nstart: ${new Date(now + 60 * 60_000 - (i + 1) * 60_000).toISOString()}\nkind: live\nremind: [1h]\n---\n`]),
  );
  const knowledgeDir = tempKnowledge({ ...FIXTURE_FILES, ...events });
  for (let i = 0; i < 2; i++) {
    const config = loadConfig({
      CONFIG_DIR: 'config',
      PORT: '0',
      DINGTALK_APP_SECRET: APP_SECRET,
      KNOWLEDGE_DIR: knowledgeDir,
      DATA_DIR: tempKnowledge({}),
      DINGTALK_SESSION_HOSTS: new URL(fake.url).host,
      DINGTALK_API_BASE: fake.url,
      REDIS_URL: redis.url,
      LOG_LEVEL: 'silent',
    });
    const app = createApp({ config, logger: createLogger(config.log.level), groups: [{ name: 'community', posts: ['digest', 'reminders'], accessToken: ROBOT.token, secret: ROBOT.secret }] });
    const server = await app.listen(0, '127.0.0.1');
    await app.load();
    apps.push(app);
    urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
});

afterAll(async () => {
  if (skipRedis) return;
  await Promise.all(apps.map((app) => app.close()));
  await fake.close();
  await redis.close();
});

describe.skipIf(skipRedis)('two instances on one Redis', () => {
  it('answers a message delivered to both instances once', async () => {
    for (let round = 0; round < 5; round++) {
      const body = JSON.stringify(groupMessage('jraft 支持 multi raft 吗', fake.sessionWebhook(`both-${round}`)));
      const headers = signedHeaders();
      const responses = await Promise.all(urls.map((url) => fetch(`${url}/dingtalk/callback`, { method: 'POST', headers, body })));
      expect(responses.map((r) => r.status)).toEqual([200, 200]);
      await fake.waitFor((r) => r.query.session === `both-${round}`);
    }
    // Time for a second reply to arrive, were there one.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let round = 0; round < 5; round++) expect(fake.requests.filter((r) => r.query.session === `both-${round}`)).toHaveLength(1);
  });

  it('posts each reminder and the digest once, though both instances run the scheduler', async () => {
    await Promise.all([...apps, ...apps].map((app) => app.scheduler.tick()));
    await Promise.all(apps.map((app) => app.scheduler.sendDigestNow()));
    await Promise.all([...apps, ...apps].map((app) => app.scheduler.tick()));

    const sends = fake.sends();
    const titles = sends.map((r) => (r.json as { markdown: { title: string } }).markdown.title);
    for (let i = 0; i < EVENTS; i++) expect(titles.filter((t) => t.includes(`双实例直播 ${i}`))).toHaveLength(1);
    expect(titles.filter((t) => !t.includes('双实例直播'))).toHaveLength(1);
    // Not even a resend that DingTalk would have dropped.
    expect(sends).toHaveLength(EVENTS + 1);
    expect(fake.delivered().filter((r) => r.path === '/robot/send')).toHaveLength(EVENTS + 1);
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
