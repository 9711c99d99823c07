import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logger.js';
import type { Entry, EventEntry } from '../../src/knowledge/entry.js';
import { createRobotClient } from '../../src/dingtalk/create-robot-client.js';
import type { RobotClient } from '../../src/dingtalk/robot-client.js';
import { createPostStore, type PostStore } from '../../src/state/create-post-store.js';
import { createScheduler, msgUuidFor, type Scheduler } from '../../src/schedule/create-scheduler.js';
import { startFakeDingTalk, type FakeDingTalk } from '../helpers/fake-dingtalk.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';
import { createMetrics } from '../../src/metrics/create-metrics.js';

const config = loadConfig({ CONFIG_DIR: 'config' });
const logger = createLogger('silent');
const ROBOT = { token: 'token-a', secret: 'SEC-test-secret' };

function event(id: string, start: string, remind: string[] = ['1h']): EventEntry {
  return { id, kind: 'event', title: `直播 ${id}`, body: '', links: [], tags: [], source: { file: 'x.md', line: 1 }, start, eventKind: 'live', remind };
}

const faqOfTheWeek: Entry = { id: 'faq/week', kind: 'faq', title: 'SOFARPC 怎么设置超时？', body: '用 timeout 属性。', links: [], tags: [], aliases: [], source: { file: 'faq/week.md', line: 1 }, date: '2024-05-29' };

let fake: FakeDingTalk;
let client: RobotClient;
let store: PostStore;
let now: number;
let entries: Entry[];
let scheduler: Scheduler;

function newScheduler(posts: ('digest' | 'reminders')[] = ['reminders']): Scheduler {
  return createScheduler({
    config,
    groups: [{ name: 'community', posts, client, target: { group: 'community', accessToken: ROBOT.token, secret: ROBOT.secret } }],
    entries: () => entries,
    store,
    now: () => now,
    logger,
  });
}

beforeEach(async () => {
  fake = await startFakeDingTalk({ robots: { [ROBOT.token]: { secret: ROBOT.secret } } });
  // Real time for signing (the fake checks it); small delays so failures resolve quickly.
  client = createRobotClient({ apiBase: fake.url, logger, timeoutMs: 300, retry: { baseDelayMs: 10, maxDelayMs: 50 }, rate: { throttleMs: 100 } });
  store = createPostStore(tempKnowledge({}));
  now = Date.parse('2024-05-30T10:00:00Z');
  entries = [];
  scheduler = newScheduler();
});

afterEach(async () => {
  await scheduler.stop();
  client.close();
  await fake.close();
});

const sentKeys = () => fake.delivered().map((r) => (r.json as { msgUuid: string }).msgUuid);

describe('createScheduler', () => {
  it('sends a reminder that fell due, once, with its key as msgUuid', async () => {
    entries = [event('events/live', '2024-05-30T10:50:00Z')]; // 1h reminder due at 09:50
    const first = await scheduler.tick();
    expect(first).toMatchObject({ planned: 1, sent: 1, pending: 0 });
    now += 60_000;
    expect(await scheduler.tick()).toMatchObject({ planned: 0, sent: 0 });
    expect(sentKeys()).toEqual([msgUuidFor('reminder:events/live|community|1h|2024-05-30T10:50:00Z')]);
    expect(JSON.stringify(fake.delivered()[0]?.json)).toContain('直播 events/live');
  });

  it('after a restart sends what fell due within the catch-up window and logs older posts as missed', async () => {
    entries = [event('events/old', '2024-05-30T10:00:00Z'), event('events/recent', '2024-05-30T10:50:00Z')];
    await store.save({ lastTick: '2024-05-30T07:00:00Z', outbox: [], log: {} });
    const report = await scheduler.tick(); // the 09:00 reminder is an hour late, the 09:50 one ten minutes
    expect(report).toMatchObject({ missed: 1, sent: 1 });
    const state = await store.load();
    expect(state.log['reminder:events/old|community|1h|2024-05-30T10:00:00Z']?.outcome).toBe('missed');
    expect(state.log['reminder:events/recent|community|1h|2024-05-30T10:50:00Z']?.outcome).toBe('sent');
    expect(fake.delivered()).toHaveLength(1);
  });

  it('does not send the reminder of a moved or deleted event, and reminds for the new time', async () => {
    entries = [event('events/moved', '2024-05-30T10:40:00Z'), event('events/deleted', '2024-05-30T10:45:00Z')];
    fake.script(Array.from({ length: 20 }, () => ({ drop: true as const })));
    expect(await scheduler.tick()).toMatchObject({ planned: 2, sent: 0, pending: 2 });
    fake.reset();
    entries = [event('events/moved', '2024-05-30T11:40:00Z')];
    now += 60_000;
    expect(await scheduler.tick()).toMatchObject({ cancelled: 2, sent: 0 });
    now = Date.parse('2024-05-30T10:40:00Z');
    expect(await scheduler.tick()).toMatchObject({ sent: 1 });
    expect(sentKeys()).toEqual([msgUuidFor('reminder:events/moved|community|1h|2024-05-30T11:40:00Z')]);
  });

  it('delivers every due post once, in order, through 500s, timeouts, dropped sockets and a rate-limit errcode', async () => {
    entries = [0, 1, 2, 3].map((i) => event(`events/e${i}`, new Date(now + 60 * 60_000 - (4 - i) * 60_000).toISOString()));
    fake.script([{ status: 500 }, { delayMs: 1000 }, { drop: true }, { rateLimit: true }, { status: 502 }]);
    expect(await scheduler.tick()).toMatchObject({ planned: 4, sent: 4, failed: 0 });
    const titles = fake.delivered().map((r) => JSON.stringify(r.json).match(/直播 events\/e\d/)?.[0]);
    expect(titles).toEqual(['直播 events/e0', '直播 events/e1', '直播 events/e2', '直播 events/e3']);
    expect(new Set(sentKeys()).size).toBe(4);
  });

  it('posts the digest on its schedule, and 周报 发送 the same week posts nothing more', async () => {
    await scheduler.stop();
    scheduler = newScheduler(['digest', 'reminders']);
    entries = [faqOfTheWeek];
    now = Date.parse('2024-05-31T10:00:00Z'); // Friday 18:00 in Asia/Shanghai
    await store.save({ lastTick: new Date(now - 60_000).toISOString(), outbox: [], log: {} });
    expect(await scheduler.digestSentAt()).toBeUndefined();
    expect(await scheduler.tick()).toMatchObject({ planned: 1, sent: 1 });
    expect(JSON.stringify(fake.delivered()[0]?.json)).toContain('SOFA Weekly | 05/27 - 06/02');
    expect(await scheduler.sendDigestNow()).toMatchObject({ planned: 0, sent: 0 });
    expect(fake.delivered()).toHaveLength(1);
    expect(await scheduler.digestSentAt()).toBe(new Date(now).toISOString());
  });

  it('posts no digest in a week with nothing to report, on schedule or on request', async () => {
    await scheduler.stop();
    scheduler = newScheduler(['digest', 'reminders']);
    now = Date.parse('2024-05-31T10:00:00Z');
    await store.save({ lastTick: new Date(now - 60_000).toISOString(), outbox: [], log: {} });
    expect(await scheduler.tick()).toMatchObject({ planned: 0, sent: 0 });
    expect(await scheduler.sendDigestNow()).toMatchObject({ planned: 0, sent: 0 });
    expect(fake.delivered()).toHaveLength(0);
  });

  it('shows the outbox depth as last written', async () => {
    const metrics = createMetrics();
    await scheduler.stop();
    scheduler = createScheduler({
      config,
      groups: [{ name: 'community', posts: ['reminders'], client, target: { group: 'community', accessToken: ROBOT.token, secret: ROBOT.secret } }],
      entries: () => entries,
      store,
      now: () => now,
      logger,
      metrics,
    });
    const depth = async () => (await metrics.outboxDepth.get()).values[0]?.value;
    entries = [event('events/a', '2024-05-30T10:50:00Z'), event('events/b', '2024-05-30T10:55:00Z')];
    fake.script(Array.from({ length: 20 }, () => ({ drop: true as const })));
    expect(await scheduler.tick()).toMatchObject({ planned: 2, pending: 2 });
    expect(await depth()).toBe(2);
    fake.reset();
    now += 60_000;
    expect(await scheduler.tick()).toMatchObject({ sent: 2, pending: 0 });
    expect(await depth()).toBe(0);
  });

  describe('stopped during a send (as the app shuts down: client drained, scheduler stopped)', () => {
    const stopDuringFirstSend = async () => {
      const ticking = scheduler.tick();
      await fake.waitFor((r) => r.path === '/robot/send');
      await Promise.all([client.drain(), scheduler.stop()]);
      return ticking;
    };
    const restart = () => {
      client.close();
      client = createRobotClient({ apiBase: fake.url, logger, timeoutMs: 300, retry: { baseDelayMs: 10, maxDelayMs: 50 } });
      scheduler = newScheduler();
      now += 60_000;
      return scheduler.tick();
    };
    const keys = { first: 'reminder:events/first|community|1h|2024-05-30T10:50:00Z', second: 'reminder:events/second|community|1h|2024-05-30T10:55:00Z' };

    it('records the post in flight once DingTalk confirms it and leaves the queued one in the outbox for the restart', async () => {
      entries = [event('events/first', '2024-05-30T10:50:00Z'), event('events/second', '2024-05-30T10:55:00Z')];
      fake.script([{ delayMs: 200 }]);
      expect(await stopDuringFirstSend()).toMatchObject({ planned: 2, sent: 1, failed: 0, pending: 1 });
      const state = await store.load();
      expect(state.log[keys.first]?.outcome).toBe('sent');
      expect(state.log[keys.second]).toBeUndefined();
      expect(state.outbox.map((i) => i.key)).toEqual([keys.second]);

      expect(await restart()).toMatchObject({ planned: 0, sent: 1, pending: 0 });
      expect(sentKeys()).toEqual([msgUuidFor(keys.first), msgUuidFor(keys.second)]);
      expect((await store.load()).log[keys.second]?.outcome).toBe('sent');
    });

    it('never records a post DingTalk did not confirm: the restart resends it with the same msgUuid and it appears once', async () => {
      entries = [event('events/first', '2024-05-30T10:50:00Z')];
      // DingTalk takes the message but its answer comes after the client's timeout.
      fake.script([{ delayMs: 1_000 }]);
      expect(await stopDuringFirstSend()).toMatchObject({ planned: 1, sent: 0, failed: 0, pending: 1 });
      const state = await store.load();
      expect(state.log[keys.first]).toBeUndefined();
      expect(state.outbox.map((i) => i.key)).toEqual([keys.first]);

      expect(await restart()).toMatchObject({ sent: 1, pending: 0 });
      expect(fake.sends().map((r) => (r.json as { msgUuid: string }).msgUuid)).toEqual([msgUuidFor(keys.first), msgUuidFor(keys.first)]);
      expect(fake.sends().map((r) => r.reply.duplicate)).toEqual([false, true]);
      expect(fake.delivered()).toHaveLength(1);
    });
  });

  it('keeps running when a tick fails', async () => {
    entries = [event('events/live', '2024-05-30T10:50:00Z')];
    const broken: PostStore = { load: () => Promise.reject(new Error('disk on fire')), save: () => Promise.resolve() };
    const failing = createScheduler({ config, groups: [], entries: () => entries, store: broken, now: () => now, logger });
    expect(await failing.tick()).toMatchObject({ pending: -1 });
    expect(await scheduler.tick()).toMatchObject({ sent: 1 });
    await failing.stop();
  });
});
