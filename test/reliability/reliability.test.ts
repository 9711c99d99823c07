import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipRedis, startRedis, type TestRedis } from '../helpers/start-redis.js';
import { APP_SEND_PATH } from '../helpers/fake-dingtalk.js';
import { groupMessage, signedHeaders } from '../helpers/start-bot-server.js';
import { countPosts, deploy, dueEvents, killAndRestart, printTable, rows, streamFaults, tickUntil, type FakeBehaviour, type Row, type StoreKind } from './scenario.js';

// The reliability suite (`npm run test:reliability`): faults injected on the fake DingTalk, kills
// during sends and Redis restarts, with the file store and with Redis (two instances) wherever the
// fault applies. It prints a table of what was sent, delivered, duplicated and lost, and fails on
// any duplicate or loss.

let redis: TestRedis | undefined;
beforeAll(async () => {
  if (!skipRedis) redis = await startRedis();
});
afterAll(async () => {
  printTable();
  await redis?.close();
});

const POSTS = 12;
const FAULTS: Array<[string, FakeBehaviour[]]> = [
  ['HTTP 500s', Array.from({ length: 4 }, () => ({ status: 500 }))],
  ['timeouts', Array.from({ length: 3 }, () => ({ delayMs: 1000 }))],
  ['rate-limit errcodes', [{ rateLimit: true }, { rateLimit: true }]],
  ['dropped connections', Array.from({ length: 4 }, () => ({ drop: true as const }))],
  ['errcode -1 (busy)', Array.from({ length: 3 }, () => ({ errcode: -1, errmsg: '系统繁忙' }))],
];
const STORES: Array<[StoreKind, number]> = [
  ['file', 1],
  ['redis', 2],
];

function expectClean(row: Row): void {
  rows.push(row);
  expect(row.duplicated, `${row.fault} (${row.store}): duplicated`).toBe(0);
  expect(row.lost, `${row.fault} (${row.store}): lost`).toBe(0);
}

describe.each(STORES)('scheduled posts with the %s store (%i instance(s))', (store, instances) => {
  const skip = store === 'redis' && skipRedis;

  it.skipIf(skip).each(FAULTS)('delivers every post once through %s', async (fault, behaviours) => {
    const deployment = await deploy({ store, instances, knowledge: dueEvents(POSTS, `f${rows.length}`), ...(redis ? { redisUrl: redis.url } : {}) });
    try {
      deployment.fake.script(behaviours);
      await tickUntil(deployment.apps, () => countPosts(deployment.fake, POSTS).delivered >= POSTS);
      // Time for a late duplicate to show, were there one.
      await tickUntil(deployment.apps, () => false, 1000);
      expect(deployment.fake.rateLimitViolations().filter((r) => !r.reply.scripted)).toEqual([]);
      expectClean({ fault, store, instances, injected: behaviours.length, ...countPosts(deployment.fake, POSTS) });
    } finally {
      await deployment.close();
    }
  }, 90_000);

  it.skipIf(skip)('delivers every post once across kill -9 during sends', async () => {
    expectClean(await killAndRestart({ store, kills: store === 'file' ? 20 : 12, events: 15, ...(redis ? { redisUrl: redis.url } : {}) }));
  }, 420_000);
});

describe.each(STORES)('Stream mode with the %s store (%i instance(s))', (store, instances) => {
  it.skipIf(store === 'redis' && skipRedis)('answers every acked message once through dropped connections and restarts during answers', async () => {
    expectClean(await streamFaults({ store, instances, messages: 40, ...(redis ? { redisUrl: redis.url } : {}) }));
  }, 90_000);
});

// Groups subscribed from the chat, posted to by the app robot. No msgUuid there: a timeout is not
// resent (the fake posts before it answers late), a 500 is; a kill mid-request leaves the post
// "attempted", recorded unconfirmed by the next start rather than sent twice. A kill just before
// the request left loses the post, recorded so: lost counts only a post neither shown nor recorded.
const APP_FAULTS: Array<[string, FakeBehaviour[]]> = [
  ['HTTP 500s (app robot)', Array.from({ length: 4 }, () => ({ status: 500 }))],
  ['timeouts (app robot)', Array.from({ length: 3 }, () => ({ delayMs: 1000 }))],
];

describe.each(STORES)('app-robot posts with the %s store (%i instance(s))', (store, instances) => {
  const skip = store === 'redis' && skipRedis;

  it.skipIf(skip).each(APP_FAULTS)('delivers every post once through %s', async (fault, behaviours) => {
    const deployment = await deploy({ store, instances, destination: 'app', knowledge: dueEvents(POSTS, `a${rows.length}`), ...(redis ? { redisUrl: redis.url } : {}) });
    try {
      deployment.fake.script(behaviours, APP_SEND_PATH);
      await tickUntil(deployment.apps, () => countPosts(deployment.fake, POSTS, 'app').delivered >= POSTS);
      await tickUntil(deployment.apps, () => false, 1000);
      expectClean({ fault, store, instances, injected: behaviours.length, ...countPosts(deployment.fake, POSTS, 'app') });
      // One token per instance, however many posts and faults.
      expect(deployment.fake.tokenRequests().length).toBeLessThanOrEqual(instances);
    } finally {
      await deployment.close();
    }
  }, 90_000);

  it.skipIf(skip)('delivers every post at most once across kill -9 during sends', async () => {
    expectClean(await killAndRestart({ store, destination: 'app', kills: 10, events: 10, ...(redis ? { redisUrl: redis.url } : {}) }));
  }, 300_000);
});

describe.skipIf(skipRedis)('Redis restarts under two instances', () => {
  it('delivers every post and answers every message once while Redis restarts', async () => {
    const deployment = await deploy({ store: 'redis', instances: 2, knowledge: dueEvents(POSTS, 'restart'), ...(redis ? { redisUrl: redis.url } : {}) });
    const { fake, apps, urls } = deployment;
    try {
      // Slow answers keep sends in flight while Redis goes away.
      fake.script(Array.from({ length: POSTS * 3 }, () => ({ delayMs: 150 })));
      const ticking = tickUntil(apps, () => countPosts(fake, POSTS).delivered >= POSTS, 90_000);

      // Members' messages, each delivered to both instances, and again (as DingTalk does) while refused.
      const MESSAGES = 10;
      const answered = new Set<number>();
      const deliverMessages = async () => {
        for (let i = 0; i < MESSAGES; i++) {
          if (answered.has(i)) continue;
          const body = JSON.stringify(groupMessage('jraft 支持 multi raft 吗', fake.sessionWebhook(`restart-${i}`), { msgId: `msgRestart${i}==` }));
          const statuses = await Promise.all(urls.map((url) => fetch(`${url}/dingtalk/callback`, { method: 'POST', headers: signedHeaders(), body }).then((r) => r.status)));
          if (statuses.includes(200)) answered.add(i);
        }
      };

      let restarts = 0;
      await fake.waitFor((r) => r.path === '/robot/send', { count: 2, timeoutMs: 20_000 });
      for (let round = 0; round < 2; round++) {
        const messages = deliverMessages();
        await redis?.restart({ downMs: 300 });
        restarts++;
        await messages;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const deadline = Date.now() + 30_000;
      while (answered.size < MESSAGES && Date.now() < deadline) {
        await deliverMessages();
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await ticking;
      await tickUntil(apps, () => false, 1000);

      expectClean({ fault: 'Redis restarts (posts)', store: 'redis', instances: 2, injected: restarts, ...countPosts(fake, POSTS) });
      const replies = Array.from({ length: MESSAGES }, (_, i) => fake.sessionReplies().filter((r) => r.query.session === `restart-${i}`).length);
      const delivered = replies.filter((n) => n > 0).length;
      expectClean({
        fault: 'Redis restarts (replies)',
        store: 'redis',
        instances: 2,
        injected: restarts,
        expected: MESSAGES,
        sent: fake.sessionReplies().length,
        delivered,
        duplicated: replies.filter((n) => n > 1).length,
        lost: MESSAGES - delivered,
      });
    } finally {
      await deployment.close();
    }
  }, 180_000);
});
