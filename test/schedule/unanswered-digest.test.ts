import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logger.js';
import { createRobotClient } from '../../src/dingtalk/create-robot-client.js';
import type { RobotClient } from '../../src/dingtalk/robot-client.js';
import { createPostStore, type PostStore } from '../../src/state/create-post-store.js';
import { createFileUnansweredLog } from '../../src/state/create-file-unanswered-log.js';
import type { UnansweredLog } from '../../src/state/unanswered-log.js';
import { createQuestionAnalyser } from '../../src/search/create-question-analyser.js';
import { createTokenizer } from '../../src/search/create-tokenizer.js';
import { createScheduler, msgUuidFor, type ScheduledGroup, type Scheduler } from '../../src/schedule/create-scheduler.js';
import { composeUnansweredDigest } from '../../src/schedule/compose-unanswered-digest.js';
import { startFakeDingTalk, type FakeDingTalk } from '../helpers/fake-dingtalk.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';

const config = loadConfig({ CONFIG_DIR: 'config' });
const logger = createLogger('silent');
const analyser = createQuestionAnalyser(createTokenizer(config.vocabulary));
const ADMINS = { token: 'token-admins', secret: 'SEC-admins-secret' };
const COMMUNITY = { token: 'token-community', secret: 'SEC-community-secret' };
// Monday 2024-05-27 10:00 in Asia/Shanghai: the default schedule, covering Monday 05-20 to Sunday 05-26.
const DUE = Date.parse('2024-05-27T02:00:00Z');
const DAY = 86_400_000;

let fake: FakeDingTalk;
let client: RobotClient;
let store: PostStore;
let unanswered: UnansweredLog;
let now: number;
const schedulers: Scheduler[] = [];

function groups(): ScheduledGroup[] {
  return [
    { name: 'admins', posts: ['admin'], client, target: { group: 'admins', accessToken: ADMINS.token, secret: ADMINS.secret } },
    { name: 'community', posts: ['digest', 'reminders'], client, target: { group: 'community', accessToken: COMMUNITY.token, secret: COMMUNITY.secret } },
  ];
}

/** A scheduler as after a (re)start: same DATA_DIR, fresh process state. */
function startScheduler(): Scheduler {
  const scheduler = createScheduler({ config, groups: groups(), entries: () => [], store, unanswered, now: () => now, logger });
  schedulers.push(scheduler);
  return scheduler;
}

beforeEach(async () => {
  fake = await startFakeDingTalk({ robots: { [ADMINS.token]: { secret: ADMINS.secret }, [COMMUNITY.token]: { secret: COMMUNITY.secret } } });
  client = createRobotClient({ apiBase: fake.url, logger, timeoutMs: 300, retry: { baseDelayMs: 10, maxDelayMs: 50 }, rate: { throttleMs: 100 } });
  store = createPostStore(tempKnowledge({}));
  unanswered = createFileUnansweredLog({ dataDir: tempKnowledge({}), zone: config.timezone, analyser, logger });
  now = DUE;
  await store.save({ lastTick: new Date(DUE - 60_000).toISOString(), outbox: [], log: {} });
});

afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.stop()));
  await unanswered.close();
  client.close();
  await fake.close();
});

const adminPosts = () => fake.delivered().filter((r) => r.query.access_token === ADMINS.token);

describe('the weekly admin digest of unanswered questions', () => {
  it('posts the week\'s top unanswered questions to the admin group only, exactly once across restarts', async () => {
    const week = DUE - 7 * DAY;
    for (const [offset, text] of [
      [0, 'sofa-mosn 支持 http3 吗'],
      [DAY, 'mosn 能不能用 http/3'],
      [2 * DAY, 'MOSN 有 HTTP3 支持吗'],
      [3 * DAY, 'Seata 支持 Oracle 吗'],
    ] as const) {
      await unanswered.record({ text, chat: 'Community Q&A', at: week + offset });
    }
    // Asked the week before and on the day of the post: not this post's week.
    await unanswered.record({ text: 'sofarpc 支持 kotlin 协程吗', chat: 'g', at: week - DAY });
    await unanswered.record({ text: 'layotto 怎么部署', chat: 'g', at: DUE - 60_000 });

    expect(await startScheduler().tick()).toMatchObject({ planned: 1, sent: 1 });
    const [post] = adminPosts();
    const body = post?.json as { msgUuid: string; markdown: { title: string; text: string } };
    expect(body.msgUuid).toBe(msgUuidFor('unanswered:2024-W22:admins'));
    expect(body.markdown.title).toBe('未答问题 | 05/20 - 05/26');
    expect(body.markdown.text).toContain('1. sofa-mosn 支持 http3 吗（3 次，另有 2 种问法） · Community Q&A');
    expect(body.markdown.text).toContain('2. Seata 支持 Oracle 吗（1 次）');
    expect(body.markdown.text).not.toMatch(/kotlin|layotto/);
    expect(fake.delivered()).toHaveLength(1);

    // The next minute, and after a restart that looks back over the due time, nothing more.
    now += 60_000;
    expect(await startScheduler().tick()).toMatchObject({ planned: 0, sent: 0 });
    await store.save({ ...(await store.load()), lastTick: new Date(DUE - 10 * 60_000).toISOString() });
    expect(await startScheduler().tick()).toMatchObject({ planned: 0, sent: 0 });
    expect(adminPosts()).toHaveLength(1);
    expect((await store.load()).log['unanswered:2024-W22:admins']).toMatchObject({ outcome: 'sent', kind: 'unanswered', group: 'admins' });
  });

  it('resends an interrupted post after a restart with the same msgUuid, which DingTalk drops', async () => {
    await unanswered.record({ text: 'Seata 支持 Oracle 吗', chat: 'g', at: DUE - 2 * DAY });
    // DingTalk takes the message but every answer comes after the client's timeout (5 attempts):
    // the post stays in the outbox.
    fake.script(Array.from({ length: 5 }, () => ({ delayMs: 1000 })));
    expect(await startScheduler().tick()).toMatchObject({ planned: 1, sent: 0, pending: 1 });
    now += 60_000;
    expect(await startScheduler().tick()).toMatchObject({ planned: 0, sent: 1, pending: 0 });
    const uuids = fake.sends().map((r) => (r.json as { msgUuid: string }).msgUuid);
    expect(new Set(uuids)).toEqual(new Set([msgUuidFor('unanswered:2024-W22:admins')]));
    expect(fake.sends().filter((r) => r.reply.duplicate).length).toBeGreaterThan(0);
    expect(adminPosts()).toHaveLength(1);
  });

  it('posts nothing in a week without unanswered questions', async () => {
    await unanswered.record({ text: 'Seata 支持 Oracle 吗', chat: 'g', at: DUE - 10 * DAY });
    expect(await startScheduler().tick()).toMatchObject({ planned: 0, sent: 0 });
    expect(fake.requests).toHaveLength(0);
  });

  it('posts nothing without an admin group', async () => {
    await unanswered.record({ text: 'Seata 支持 Oracle 吗', chat: 'g', at: DUE - DAY });
    const scheduler = createScheduler({ config, groups: groups().slice(1), entries: () => [], store, unanswered, now: () => now, logger });
    schedulers.push(scheduler);
    expect(await scheduler.tick()).toMatchObject({ planned: 0, sent: 0 });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('composeUnansweredDigest', () => {
  const group = (question: string, count: number) => ({ id: question, question, count, firstSeen: '', lastSeen: '', variants: [], chats: [] });

  it('stays within the byte budget and says how many it left out', () => {
    const groups = Array.from({ length: 20 }, (_, i) => group(`问题 ${i} ${'很长'.repeat(90)}`, 20 - i));
    const { markdown } = composeUnansweredDigest(groups, { from: '2024-05-20', to: '2024-05-26', maxBytes: 4000 });
    expect(Buffer.byteLength(markdown)).toBeLessThanOrEqual(4000);
    expect(markdown).toContain('1. 问题 0');
    expect(markdown).toMatch(/……另有 \d+ 个未列出/);
    expect(markdown).toContain('unanswered --draft');
  });
});
