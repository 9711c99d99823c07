import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { APP_SEND_PATH, startFakeDingTalk, type FakeDingTalk, type FakeRequest } from '../helpers/fake-dingtalk.js';
import { FIXTURE_FILES } from '../helpers/knowledge-fixture.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';
import { askInGroup } from '../helpers/start-app.js';
import { configDir } from '../helpers/deploy-bots.js';
import { APP_SECRET } from '../helpers/start-bot-server.js';

// Issue #16's acceptance with real processes: groups subscribed through signed callbacks, the bot
// killed with SIGKILL and started again on the same DATA_DIR, then the digest on request and a
// reminder falling due later reach the admin's group once each, through the app robot.

const APP = { appKey: 'dingrobottest', appSecret: APP_SECRET };
const GROUP_A = { conversationId: 'cidKillA==', conversationTitle: 'Group A' };
const GROUP_B = { conversationId: 'cidKillB==', conversationTitle: 'Group B' };
const ADMIN = { isAdmin: true, senderStaffId: 'admin01' };
const MEMBER = { isAdmin: false, senderStaffId: 'member01' };

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
const paramOf = (r: FakeRequest) => JSON.parse((r.json as { msgParam: string }).msgParam) as { title: string };
const conversationOf = (r: FakeRequest) => (r.json as { openConversationId: string }).openConversationId;
const markdownOf = (reply: unknown) => (reply as { markdown: { text: string } }).markdown.text;

describe('subscriptions from the chat across kill -9 (real processes)', () => {
  let fake: FakeDingTalk;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    fake = await startFakeDingTalk({ app: APP });
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await fake.close();
  });

  it('posts 周报 发送 and a later reminder once each to the admin\'s group, nothing to the member\'s, one token fetch at most per process', async () => {
    // The reminder (1 h before) falls due 45 s from now: after the subscriptions, the kill and 周报 发送.
    const event = `---\ntitle: 杀进程测试直播\nstart: ${new Date(Date.now() + 60 * 60_000 + 45_000).toISOString()}\nkind: live\nremind: [1h]\n---\n`;
    const dataDir = join(tempKnowledge({}), 'data');
    mkdirSync(dataDir);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CONFIG_DIR: configDir(''),
      KNOWLEDGE_DIR: tempKnowledge({ ...FIXTURE_FILES, 'events/kill.md': event }),
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      DINGTALK_APP_KEY: APP.appKey,
      DINGTALK_APP_SECRET: APP.appSecret,
      DINGTALK_OPENAPI_BASE: fake.url,
      DINGTALK_SESSION_HOSTS: new URL(fake.url).host,
      LOG_LEVEL: 'warn',
    };
    const start = async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: 'ignore' });
      children.push(child);
      await vi.waitFor(async () => expect((await fetch(`${url}/readyz`)).status).toBe(200), { timeout: 30_000, interval: 100 });
      return child;
    };
    const killed = (child: ChildProcess) =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    let session = 0;
    const say = async (text: string, who: Record<string, unknown>) => markdownOf(await askInGroup(fake, url, `kill-${session++}`, text, who));

    const first = await start();
    expect(await say('订阅 提醒', { ...GROUP_A, ...ADMIN })).toContain('**已订阅**：活动提醒');
    expect(await say('订阅 周报', { ...GROUP_A, ...ADMIN })).toContain('本群现在收到：周报');
    expect(await say('订阅 提醒', { ...GROUP_B, ...MEMBER })).toContain('只有管理员可以设置本群接收哪些推送');
    const tokensBefore = fake.tokenRequests().length;
    await killed(first);
    expect(tokensBefore).toBeLessThanOrEqual(1);

    await start();
    expect(await say('周报 发送', { ...GROUP_A, ...ADMIN })).toContain('马上发送');
    const [digest] = await fake.waitFor((r) => r.path === APP_SEND_PATH, { timeoutMs: 20_000 });
    expect(digest?.json).toMatchObject({ robotCode: APP.appKey, openConversationId: GROUP_A.conversationId, msgKey: 'sampleMarkdown' });
    expect(digest?.reply.accepted).toBe(true);

    // The scheduler ticks every minute: the reminder goes out at the first tick after it fell due.
    await fake.waitFor((r) => r.path === APP_SEND_PATH, { count: 2, timeoutMs: 150_000 });
    // Time for a duplicate to show, were there one.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const sends = fake.appSends();
    expect(sends.map((r) => [conversationOf(r), paramOf(r).title.includes('杀进程测试直播') ? 'reminder' : 'digest'])).toEqual([
      [GROUP_A.conversationId, 'digest'],
      [GROUP_A.conversationId, 'reminder'],
    ]);
    expect(sends.every((r) => r.reply.accepted)).toBe(true);
    expect(fake.tokenRequests().length - tokensBefore).toBe(1);
  }, 240_000);
});
