import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileStateStore } from '../../src/state/create-file-state-store.js';
import { createRedisStateStore } from '../../src/state/create-redis-state-store.js';
import type { StateStore } from '../../src/state/state-store.js';
import type { PostState } from '../../src/state/create-post-store.js';
import { createLogger } from '../../src/logger.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createTokenizer } from '../../src/search/create-tokenizer.js';
import { createQuestionAnalyser } from '../../src/search/create-question-analyser.js';
import { skipRedis, startRedis, type TestRedis } from '../helpers/start-redis.js';

const logger = createLogger('silent');
const WINDOW = 60_000;
const slot = (id: string, now: number) => ({ id, now, until: now + 10_000, limit: 3, windowMs: WINDOW });
const STATE: PostState = {
  lastTick: '2024-05-20T10:00:00.000Z',
  outbox: [{ key: 'digest:2024-05-20:community', kind: 'digest', group: 'community', at: '2024-05-24T10:00:00.000Z', msgUuid: 'u-1', title: 'SOFA Weekly', markdown: '## hi' }],
  log: { 'reminder:e1|community|1h|x': { outcome: 'sent', at: '2024-05-20T09:00:00.000Z', recordedAt: '2024-05-20T09:00:01.000Z' } },
};

const ANALYSIS = { zone: 'Asia/Shanghai', analyser: createQuestionAnalyser(createTokenizer(loadConfig({ CONFIG_DIR: 'config' }).vocabulary)) };

let redis: TestRedis | undefined;
let prefixes = 0;
beforeAll(async () => {
  if (!skipRedis) redis = await startRedis();
});
afterAll(async () => {
  await redis?.close();
});

/** A fresh store of each kind; `again` opens the same state a second time (a restart, or a second instance for Redis). */
const kinds: Array<[string, () => { open: () => StateStore }]> = [
  [
    'file',
    () => {
      const dataDir = tempKnowledge({});
      return { open: () => createFileStateStore({ dataDir, dedupeRetentionMs: 1000, logger }) };
    },
  ],
  [
    'redis',
    () => {
      const keyPrefix = `test-${process.pid}-${prefixes++}:`;
      return { open: () => createRedisStateStore({ url: redis?.url ?? '', keyPrefix, dedupeRetentionMs: 1000, logger }) };
    },
  ],
];

describe.each(kinds)('%s state store', (kind, fresh) => {
  const skip = kind === 'redis' && skipRedis;

  it.skipIf(skip)('claims a message id once, until released', async () => {
    const store = fresh().open();
    try {
      expect(await store.deduper.claim('m1', Date.now())).toBe(true);
      expect(await store.deduper.claim('m1', Date.now())).toBe(false);
      await store.deduper.release('m1');
      expect(await store.deduper.claim('m1', Date.now())).toBe(true);
    } finally {
      await store.close();
    }
  });

  it.skipIf(skip)('binds a callback signature to the first msgId it carried, for the retention time', async () => {
    const store = fresh().open();
    try {
      const now = Date.now();
      expect(await store.deduper.bindSignature('1700000000000:sig', 'm-a', now)).toBe(true);
      expect(await store.deduper.bindSignature('1700000000000:sig', 'm-a', now)).toBe(true);
      expect(await store.deduper.bindSignature('1700000000000:sig', 'm-b', now)).toBe(false);
      expect(await store.deduper.bindSignature('1700000000001:other', 'm-b', now)).toBe(true);
      // Forgotten after the retention time (1 s here), when the signature's window has closed anyway.
      if (kind === 'redis') await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await store.deduper.bindSignature('1700000000000:sig', 'm-b', now + 1001)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it.skipIf(skip)('keeps the outbox and sent log across a reopen', async () => {
    const state = fresh();
    const first = state.open();
    expect(await first.posts.load()).toEqual({ outbox: [], log: {} });
    await first.posts.save(STATE);
    await first.close();
    const second = state.open();
    expect(await second.posts.load()).toEqual(STATE);
    await second.close();
  });

  it.skipIf(skip)('gives a robot at most `limit` slots a window, counts a pause, and re-dates finished slots', async () => {
    const state = fresh();
    const store = state.open();
    // Real times: Redis expires a pause by its own clock.
    const t = Date.now();
    for (const id of ['a', 'b', 'c']) expect(await store.rateLedger.reserve('robot', slot(id, t))).toBe(0);
    // The oldest slot is dated until its request's latest arrival: t + 10 s, so free at t + 70 s.
    expect(await store.rateLedger.reserve('robot', slot('d', t + 1000))).toBe(69_000);
    await store.rateLedger.finish('robot', 'a', t + 200);
    expect(await store.rateLedger.reserve('robot', slot('d', t + 1000))).toBe(59_200);
    expect(await store.rateLedger.reserve('other', slot('x', t + 1000))).toBe(0);
    await store.rateLedger.pause('other', t + 600_000);
    expect(await store.rateLedger.reserve('other', slot('y', t + 2000))).toBe(598_000);
    await store.close();
    // A restart (or another instance) sees the same slots.
    const again = state.open();
    expect(await again.rateLedger.reserve('robot', slot('e', t + 60_201))).toBe(0);
    expect(await again.rateLedger.reserve('robot', slot('f', t + 60_202))).toBeGreaterThan(0);
    await again.close();
  });

  it.skipIf(skip)('keeps a "did you mean" list per key for ten minutes, across a reopen (or from another instance)', async () => {
    const opened = fresh();
    const [store, again] = [opened.open(), opened.open()];
    const now = Date.now();
    try {
      await store.suggestions.set('cid1:user1', ['faq/a', 'faq/b'], now);
      await store.suggestions.set('cid1:user2', ['faq/c'], now);
      await store.suggestions.set('cid1:user1', ['faq/d', 'faq/e', 'faq/f'], now);
      expect(await again.suggestions.get('cid1:user1', now + 1000)).toEqual(['faq/d', 'faq/e', 'faq/f']);
      expect(await again.suggestions.get('cid1:user2', now + 1000)).toEqual(['faq/c']);
      expect(await again.suggestions.get('cid2:user1', now + 1000)).toBeUndefined();
      // Redis expires the key by its own clock (PX); the file store by the time it is given.
      if (kind === 'file') expect(await again.suggestions.get('cid1:user1', now + 10 * 60_000 + 1)).toBeUndefined();
    } finally {
      await Promise.all([store.close(), again.close()]);
    }
  });

  it.skipIf(skip)('keeps subscriptions with each kind\'s time and the title across a reopen (or from another instance)', async () => {
    const opened = fresh();
    const store = opened.open();
    const groupA = { openConversationId: 'cidA==', title: 'Group A' };
    try {
      expect(await store.subscriptions.list()).toEqual([]);
      await store.subscriptions.subscribe(groupA, ['reminders'], '2024-05-20T01:00:00.000Z');
      // Subscribing again keeps the first time; a new kind gets its own; a renamed group its new title.
      const both = await store.subscriptions.subscribe({ ...groupA, title: 'Group A (renamed)' }, ['reminders', 'digest'], '2024-05-21T01:00:00.000Z');
      expect(both.posts).toEqual({ reminders: '2024-05-20T01:00:00.000Z', digest: '2024-05-21T01:00:00.000Z' });
      await store.subscriptions.subscribe({ openConversationId: 'cidB==', title: 'Group B' }, ['admin'], '2024-05-21T02:00:00.000Z');
      expect(await store.subscriptions.unsubscribe('cidB==', ['admin'])).toBeUndefined();
      expect(await store.subscriptions.unsubscribe('cidA==', ['reminders'])).toEqual({ openConversationId: 'cidA==', title: 'Group A (renamed)', posts: { digest: '2024-05-21T01:00:00.000Z' } });
      await store.subscriptions.subscribe(groupA, ['reminders'], '2024-05-22T01:00:00.000Z');
    } finally {
      await store.close();
    }
    const again = opened.open();
    try {
      expect(await again.subscriptions.list()).toEqual([{ openConversationId: 'cidA==', title: 'Group A', posts: { digest: '2024-05-21T01:00:00.000Z', reminders: '2024-05-22T01:00:00.000Z' } }]);
    } finally {
      await again.close();
    }
  });

  it.skipIf(skip)('runs a locked job once at a time and lets the next holder in afterwards', async () => {
    const state = fresh();
    const [one, two] = kind === 'redis' ? [state.open(), state.open()] : [state.open(), undefined];
    const other = two ?? one;
    try {
      let release = () => undefined as void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const running = one.lock.run('job', () => held);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await other.lock.run('job', () => Promise.resolve())).toBe(false);
      release();
      expect(await running).toBe(true);
      expect(await other.lock.run('job', () => Promise.resolve(), { waitMs: 1000 })).toBe(true);
    } finally {
      await one.close();
      await two?.close();
    }
  });
  it.skipIf(skip)('groups unanswered questions, and keeps them across a reopen (or from another instance)', async () => {
    const state = fresh();
    // Redis: two instances recording at once; files: one instance (a second would overwrite it).
    const stores = kind === 'redis' ? [state.open(), state.open()] : [state.open()];
    const logs = stores.map((store) => store.unansweredLog(ANALYSIS));
    const logOf = (i: number) => logs[i % logs.length] as (typeof logs)[number];
    const at = Date.now();
    await Promise.all(
      ['sofa-mosn 支持 http3 吗', 'mosn 能不能用 http/3', 'Seata 支持 Oracle 吗', 'MOSN 有 HTTP3 支持吗'].map((text, i) => logOf(i).record({ text, chat: 'Community Q&A', at })),
    );
    await Promise.all(logs.map((log) => log.close()));
    await Promise.all(stores.map((store) => store.close()));
    const reopened = state.open();
    const groups = await reopened.unansweredLog(ANALYSIS).groups();
    expect(groups.map((g) => g.count)).toEqual([3, 1]);
    expect(groups[0]?.question).toMatch(/mosn/i);
    expect(groups[1]?.question).toBe('Seata 支持 Oracle 吗');
    await reopened.close();
  });
});

describe.skipIf(skipRedis)('redis state store shared by two instances', () => {
  it('binds a signature raced by two instances with different msgIds to exactly one of them', async () => {
    const keyPrefix = `race-${process.pid}:`;
    const stores = [0, 1].map(() => createRedisStateStore({ url: redis?.url ?? '', keyPrefix, dedupeRetentionMs: 600_000, logger }));
    try {
      for (let round = 0; round < 20; round++) {
        const signature = `17000000000${String(round).padStart(2, '0')}:sig`;
        const bound = await Promise.all(stores.map((store, i) => store.deduper.bindSignature(signature, `m-${round}-${i}`, Date.now())));
        expect(bound.filter(Boolean)).toHaveLength(1);
        const loser = bound.indexOf(false);
        for (const store of stores) expect(await store.deduper.bindSignature(signature, `m-${round}-${loser}`, Date.now())).toBe(false);
      }
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});

describe.skipIf(skipRedis)('redis subscriptions changed by two instances at once', () => {
  it('keeps every kind two admins subscribe in one group at the same moment', async () => {
    const keyPrefix = `subs-race-${process.pid}:`;
    const stores = [0, 1].map(() => createRedisStateStore({ url: redis?.url ?? '', keyPrefix, dedupeRetentionMs: 1000, logger }));
    try {
      const group = { openConversationId: 'cidRace==', title: 'Race' };
      await Promise.all([stores[0]?.subscriptions.subscribe(group, ['digest'], '2024-05-20T01:00:00.000Z'), stores[1]?.subscriptions.subscribe(group, ['reminders', 'admin'], '2024-05-20T01:00:01.000Z')]);
      const [listed] = (await stores[0]?.subscriptions.list()) ?? [];
      expect(Object.keys(listed?.posts ?? {}).sort()).toEqual(['admin', 'digest', 'reminders']);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});

describe.skipIf(skipRedis)('redis state store across a Redis restart', () => {
  it('keeps every acknowledged claim, post state and slot, and works again once Redis is back', async () => {
    const store = createRedisStateStore({ url: redis?.url ?? '', keyPrefix: `restart-${process.pid}:`, dedupeRetentionMs: 600_000, logger });
    try {
      for (let i = 0; i < 50; i++) expect(await store.deduper.claim(`r${i}`, Date.now())).toBe(true);
      await store.posts.save(STATE);
      const now = Date.now();
      expect(await store.rateLedger.reserve('robot', { id: 's1', now, until: now + 10_000, limit: 1, windowMs: WINDOW })).toBe(0);

      await redis?.restart();

      for (let i = 0; i < 50; i++) expect(await store.deduper.claim(`r${i}`, Date.now())).toBe(false);
      expect(await store.posts.load()).toEqual(STATE);
      expect(await store.rateLedger.reserve('robot', { id: 's2', now: now + 1, until: now + 10_001, limit: 1, windowMs: WINDOW })).toBeGreaterThan(0);
      expect(await store.deduper.claim('after-restart', Date.now())).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('fails a command while Redis is down rather than hanging, and recovers', async () => {
    const store = createRedisStateStore({ url: redis?.url ?? '', keyPrefix: `down-${process.pid}:`, dedupeRetentionMs: 600_000, logger });
    try {
      expect(await store.deduper.claim('before', Date.now())).toBe(true);
      await redis?.stop();
      await expect(store.deduper.claim('during', Date.now())).rejects.toThrow();
      await redis?.start();
      expect(await store.deduper.claim('before', Date.now())).toBe(false);
      expect(await store.deduper.claim('during', Date.now())).toBe(true);
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(skipRedis)('redis unanswered log under a burst', () => {
  it('counts every question two busy instances record at once, none lost waiting for the lock', async () => {
    const keyPrefix = `test-${process.pid}-burst:`;
    const logLines: string[] = [];
    const watched = createLogger('info', { write: (line: string) => void logLines.push(line) });
    const stores = [0, 1].map(() => createRedisStateStore({ url: redis?.url ?? '', keyPrefix, dedupeRetentionMs: 1000, logger: watched }));
    const logs = stores.map((store) => store.unansweredLog(ANALYSIS));
    const questions = ['sofa-mosn 支持 http3 吗', 'Seata 支持 Oracle 吗', 'layotto 能跑在 windows 上吗', 'sofa-registry 怎么扩容'];
    const at = Date.now();
    try {
      // 400 questions at once across two instances: one lock round trip each used to outlast the wait.
      const logOf = (i: number) => logs[i % logs.length] as (typeof logs)[number];
      await Promise.all(Array.from({ length: 400 }, (_, i) => logOf(i).record({ text: questions[i % questions.length] ?? '', chat: 'Community Q&A', at: at + i })));
      const groups = await logOf(0).groups();
      expect(groups.reduce((sum, g) => sum + g.count, 0)).toBe(400);
      expect(logLines.filter((line) => line.includes('not recorded'))).toEqual([]);
    } finally {
      await Promise.all(logs.map((log) => log.close()));
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});
