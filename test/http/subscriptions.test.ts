import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { runCli } from '../../src/cli.js';
import { APP_SEND_PATH, startFakeDingTalk, type FakeDingTalk, type FakeRequest } from '../helpers/fake-dingtalk.js';
import { FIXTURE_FILES } from '../helpers/knowledge-fixture.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';
import { askInGroup, startApp } from '../helpers/start-app.js';
import { configDir } from '../helpers/deploy-bots.js';
import { APP_SECRET } from '../helpers/start-bot-server.js';
import { skipRedis, startRedis, type TestRedis } from '../helpers/start-redis.js';

// Issue #16's acceptance scenario through signed callbacks against the fake DingTalk: groups
// subscribed from the chat get the digest and the reminders through the app robot, exactly once.

// The app's credentials: its key is the robot code the callbacks carry, its secret signs them.
const APP = { appKey: 'dingrobottest', appSecret: APP_SECRET };
const GROUP_A = { conversationId: 'cidGroupA==', conversationTitle: 'Group A' };
const GROUP_B = { conversationId: 'cidGroupB==', conversationTitle: 'Group B' };
const ADMIN = { isAdmin: true, senderStaffId: 'admin01' };
const MEMBER = { isAdmin: false, senderStaffId: 'member01' };
const MINUTE = 60_000;

const start = Date.now();
// The reminder (1 h before the event) falls due ten minutes from the start: after 周报 发送.
const knowledge = () => tempKnowledge({ ...FIXTURE_FILES, 'events/soon.md': `---\ntitle: 订阅测试直播\nstart: ${new Date(start + 70 * MINUTE).toISOString()}\nkind: live\nremind: [1h]\n---\n` });
const appEnv = (fake: FakeDingTalk) => ({ DINGTALK_APP_KEY: APP.appKey, DINGTALK_APP_SECRET: APP.appSecret, DINGTALK_OPENAPI_BASE: fake.url });
const paramOf = (r: FakeRequest) => JSON.parse((r.json as { msgParam: string }).msgParam) as { title: string; text: string };
const conversationOf = (r: FakeRequest) => (r.json as { openConversationId: string }).openConversationId;
const markdownOf = (reply: unknown) => (reply as { markdown: { text: string } }).markdown.text;

let sessions = 0;
const say = (fake: FakeDingTalk, url: string, text: string, who: Record<string, unknown>) => askInGroup(fake, url, `subs-${sessions++}`, text, who).then(markdownOf);

describe('subscribing groups from the chat (file store)', () => {
  let fake: FakeDingTalk;
  const apps: App[] = [];
  let clock = start;
  const dataDir = tempKnowledge({});

  beforeAll(async () => {
    fake = await startFakeDingTalk({ app: APP });
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await fake.close();
  });

  it('posts the digest and a later reminder once to the group an admin subscribed, across a crash, and nothing to a member\'s group', async () => {
    const dir = knowledge();
    const boot = async () => {
      const started = await startApp({ fake, knowledgeDir: dir, env: { ...appEnv(fake), DATA_DIR: dataDir }, deps: { now: () => clock } });
      apps.push(started.app);
      return started;
    };
    const first = await boot();
    expect(await say(fake, first.url, '订阅 提醒', { ...GROUP_A, ...ADMIN })).toContain('**已订阅**：活动提醒');
    const both = await say(fake, first.url, '订阅 周报', { ...GROUP_A, ...ADMIN });
    expect(both).toContain('本群现在收到：周报');
    expect(both).toContain('活动提醒');
    expect(await say(fake, first.url, '订阅 提醒', { ...GROUP_B, ...MEMBER })).toContain('只有管理员可以设置本群接收哪些推送');
    expect(await say(fake, first.url, '订阅', { ...GROUP_B, ...ADMIN })).toContain('本群现在没有订阅任何推送');

    // A crash: the first instance is abandoned mid-life, without its shutdown; a new one starts on
    // the same DATA_DIR. Everything it needs was on disk (fsync) before the replies above were sent.
    const second = await boot();
    expect(await say(fake, second.url, '周报 发送', { ...GROUP_A, ...ADMIN })).toContain('马上发送');
    const [digest] = await fake.waitFor((r) => r.path === APP_SEND_PATH);
    expect(digest?.json).toMatchObject({ robotCode: APP.appKey, openConversationId: GROUP_A.conversationId, msgKey: 'sampleMarkdown' });
    expect(digest?.reply.accepted).toBe(true);
    expect(paramOf(digest as FakeRequest).title).toContain('SOFA Weekly');

    clock = start + 11 * MINUTE;
    await second.app.scheduler.tick();
    await second.app.scheduler.tick();
    const sends = fake.appSends();
    expect(sends.map((r) => [conversationOf(r), paramOf(r).title.includes('订阅测试直播') ? 'reminder' : 'digest'])).toEqual([
      [GROUP_A.conversationId, 'digest'],
      [GROUP_A.conversationId, 'reminder'],
    ]);
    expect(sends.every((r) => r.reply.accepted)).toBe(true);
    // One token for the instance that sent; none for the one that only took subscriptions.
    expect(fake.tokenRequests()).toHaveLength(1);

    const status = await say(fake, second.url, '状态', { ...GROUP_A, ...ADMIN });
    expect(status).toContain('订阅推送的群：');
    expect(status).toContain('- Group A：周报、活动提醒');

    const out: string[] = [];
    expect(await runCli(['subscriptions'], { CONFIG_DIR: 'config', DATA_DIR: dataDir }, { out: (l) => out.push(l), err: () => undefined })).toBe(0);
    expect(out.join('\n')).toContain('Group A');
    expect(out.join('\n')).not.toContain('Group B');
  });

  it('unsubscribes from the chat, and says so', async () => {
    const { url } = await startApp({ fake, knowledgeDir: knowledge(), env: { ...appEnv(fake), DATA_DIR: tempKnowledge({}) }, deps: { now: () => clock } }).then((s) => (apps.push(s.app), s));
    await say(fake, url, 'subscribe digest reminders', { ...GROUP_A, ...ADMIN });
    const reply = await say(fake, url, '退订 提醒', { ...GROUP_A, ...ADMIN });
    expect(reply).toContain('**已退订**：活动提醒');
    expect(reply).toContain('本群现在收到：周报');
  });

  it('refuses to subscribe without the app robot configured, changing nothing', async () => {
    const { url } = await startApp({ fake, knowledgeDir: knowledge(), env: { DATA_DIR: tempKnowledge({}) } }).then((s) => (apps.push(s.app), s));
    expect(await say(fake, url, '订阅 周报', { ...GROUP_A, ...ADMIN })).toContain('DINGTALK_APP_KEY');
    expect(await say(fake, url, '订阅', { ...GROUP_A, ...ADMIN })).toContain('本群现在没有订阅任何推送');
  });
});

describe.skipIf(skipRedis)('two instances on one Redis posting to a subscribed group', () => {
  let redis: TestRedis;
  let fake: FakeDingTalk;
  const apps: App[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    fake = await startFakeDingTalk({ app: APP });
    const dir = knowledge();
    const config = configDir(`state:\n  redisKeyPrefix: "subs-${process.pid}-${Date.now()}:"\n`);
    for (let i = 0; i < 2; i++) {
      const { app, url } = await startApp({ fake, knowledgeDir: dir, env: { ...appEnv(fake), CONFIG_DIR: config, REDIS_URL: redis.url } });
      apps.push(app);
      urls.push(url);
    }
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await fake.close();
    await redis.close();
  });

  it('posts the digest once though both instances are asked and both tick', async () => {
    await say(fake, urls[0] ?? '', '订阅 周报', { ...GROUP_A, ...ADMIN });
    // The other instance sees the subscription at once: it lives in Redis.
    expect(await say(fake, urls[1] ?? '', '订阅', { ...GROUP_A, ...ADMIN })).toContain('本群现在收到：周报');
    await Promise.all(apps.flatMap((app) => [app.scheduler.sendDigestNow(), app.scheduler.tick(), app.scheduler.sendDigestNow()]));
    await Promise.all(apps.map((app) => app.scheduler.tick()));
    expect(fake.appSends().map(conversationOf)).toEqual([GROUP_A.conversationId]);
    expect(fake.tokenRequests().length).toBeLessThanOrEqual(2);
  });
});
