import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logger.js';
import type { EventEntry } from '../../src/knowledge/entry.js';
import { createRobotClient } from '../../src/dingtalk/create-robot-client.js';
import { createAccessTokens } from '../../src/dingtalk/create-access-tokens.js';
import type { RobotClient } from '../../src/dingtalk/robot-client.js';
import { createPostStore, type PostStore } from '../../src/state/create-post-store.js';
import { createScheduler, type ScheduledGroup, type Scheduler } from '../../src/schedule/create-scheduler.js';
import { APP_SEND_PATH, startFakeDingTalk, type FakeDingTalk } from '../helpers/fake-dingtalk.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';

// Groups subscribed from the chat, posted to through the app robot, from the same outbox.

const config = loadConfig({ CONFIG_DIR: 'config' });
const logger = createLogger('silent');
const APP = { appKey: 'dingappkeysched', appSecret: 'sched-app-secret' };

const event = (id: string, start: string): EventEntry => ({ id, kind: 'event', title: `直播 ${id}`, body: '', links: [], tags: [], source: { file: 'x.md', line: 1 }, start, eventKind: 'live', remind: ['1h'] });

let fake: FakeDingTalk;
let client: RobotClient;
let store: PostStore;
let now: number;
let forgotten: string[];
let groups: ScheduledGroup[];
let scheduler: Scheduler;
const entries = [event('e1', '2024-05-30T11:00:00Z'), event('e2', '2024-05-30T12:00:00Z')];

const subscribed = (openConversationId: string, since: string): ScheduledGroup => ({
  name: `chat:${openConversationId}`,
  posts: ['reminders'],
  since: { reminders: since },
  client,
  target: { group: openConversationId, openConversationId },
  forget: (reason) => {
    forgotten.push(`${openConversationId}: ${reason}`);
    groups = groups.filter((g) => g.name !== `chat:${openConversationId}`);
    return Promise.resolve();
  },
});

const newScheduler = () => createScheduler({ config, groups: [], subscribed: () => Promise.resolve(groups), entries: () => entries, store, now: () => now, logger });
const sentTo = (id: string) => fake.appSends().filter((r) => r.reply.accepted && (r.json as { openConversationId: string }).openConversationId === id);

beforeEach(async () => {
  fake = await startFakeDingTalk({ app: { ...APP, groups: ['cidA==', 'cidB=='] } });
  const tokens = createAccessTokens({ openapiBase: fake.url, ...APP, logger });
  client = createRobotClient({ apiBase: fake.url, logger, timeoutMs: 300, retry: { baseDelayMs: 10, maxDelayMs: 50 }, appRobot: { openapiBase: fake.url, robotCode: APP.appKey, tokens } });
  store = createPostStore(tempKnowledge({}));
  forgotten = [];
  groups = [];
  scheduler = newScheduler();
});

afterEach(async () => {
  await scheduler.stop();
  client.close();
  await fake.close();
});

describe('subscribed groups', () => {
  it('gets only the posts that fell due after it subscribed', async () => {
    // e1's reminder fell due at 10:00, e2's at 11:00; A subscribed before both, B between them.
    groups = [subscribed('cidA==', '2024-05-30T09:00:00Z'), subscribed('cidB==', '2024-05-30T10:30:00Z')];
    now = Date.parse('2024-05-30T10:00:30Z');
    await scheduler.tick();
    now = Date.parse('2024-05-30T11:00:30Z');
    await scheduler.tick();
    await scheduler.tick();
    const titles = (id: string) => sentTo(id).map((r) => (JSON.parse((r.json as { msgParam: string }).msgParam) as { title: string }).title);
    expect(titles('cidA==')).toEqual([expect.stringContaining('e1'), expect.stringContaining('e2')]);
    expect(titles('cidB==')).toEqual([expect.stringContaining('e2')]);
  });

  it('does not resend a post whose request got no answer (a timeout), and records it as unconfirmed', async () => {
    groups = [subscribed('cidA==', '2024-05-30T09:00:00Z')];
    now = Date.parse('2024-05-30T10:00:30Z');
    fake.script([{ delayMs: 800 }], APP_SEND_PATH);
    const report = await scheduler.tick();
    expect(report).toMatchObject({ planned: 1, sent: 0, failed: 1, pending: 0 });
    await scheduler.tick();
    expect(fake.appSends()).toHaveLength(1);
    const { log } = await store.load();
    expect(Object.values(log).map((r) => r.outcome)).toEqual(['unconfirmed']);
  });

  it('records a post found "attempted" after a crash as unconfirmed, without sending it', async () => {
    groups = [subscribed('cidA==', '2024-05-30T09:00:00Z')];
    now = Date.parse('2024-05-30T10:00:30Z');
    // What a kill -9 between the "attempted" write and DingTalk's answer leaves behind.
    await store.save({
      lastTick: '2024-05-30T10:00:30.000Z',
      outbox: [{ key: 'reminder:x', kind: 'reminder', group: 'chat:cidA==', at: '2024-05-30T10:00:00.000Z', msgUuid: 'u', title: 't', markdown: 'm', attemptedAt: '2024-05-30T10:00:31.000Z' }],
      log: {},
    });
    await scheduler.tick();
    expect(fake.appSends()).toHaveLength(0);
    expect((await store.load()).log['reminder:x']?.outcome).toBe('unconfirmed');
  });

  it('retries a post DingTalk answered with 500s and clears "attempted" once it is sent', async () => {
    groups = [subscribed('cidA==', '2024-05-30T09:00:00Z')];
    now = Date.parse('2024-05-30T10:00:30Z');
    fake.script([{ status: 500 }, { status: 500 }], APP_SEND_PATH);
    expect(await scheduler.tick()).toMatchObject({ sent: 1, pending: 0 });
    expect(sentTo('cidA==')).toHaveLength(1);
    expect(Object.values((await store.load()).log).map((r) => r.outcome)).toEqual(['sent']);
  });

  it('unsubscribes a group DingTalk says the robot has left', async () => {
    groups = [subscribed('cidA==', '2024-05-30T09:00:00Z'), subscribed('cidB==', '2024-05-30T09:00:00Z')];
    fake.leaveGroup('cidB==');
    now = Date.parse('2024-05-30T10:00:30Z');
    await scheduler.tick();
    expect(sentTo('cidA==')).toHaveLength(1);
    expect(forgotten).toEqual([expect.stringContaining('cidB==: ')]);
    now = Date.parse('2024-05-30T11:00:30Z');
    await scheduler.tick();
    expect(fake.appSends().filter((r) => (r.json as { openConversationId: string }).openConversationId === 'cidB==')).toHaveLength(1);
  });
});
