import { writeFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logger.js';
import { createApp, type App } from '../../src/app.js';
import { startFakeDingTalk, type FakeDingTalk } from '../helpers/fake-dingtalk.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';
import { APP_SECRET, groupMessage, signedHeaders } from '../helpers/start-bot-server.js';

const faq = (answer: string) => `---\nquestion: SOFAJRaft 支持 Multi-Raft 吗？\nproject: SOFAJRaft\n---\n${answer}\n`;

let fake: FakeDingTalk;
let app: App;
let url: string;
let dir: string;
let asked = 0;

beforeAll(async () => {
  fake = await startFakeDingTalk();
  dir = tempKnowledge({ 'faq/multi-raft.md': faq('支持，第一版答案。'), 'faq/other.md': '---\nquestion: Seata 全局锁是行级的吗？\n---\n是行级的。\n' });
  const config = loadConfig({
    CONFIG_DIR: 'config',
    DINGTALK_APP_SECRET: APP_SECRET,
    KNOWLEDGE_DIR: dir,
    DATA_DIR: tempKnowledge({}),
    DINGTALK_SESSION_HOSTS: new URL(fake.url).host,
    LOG_LEVEL: 'silent',
  });
  app = createApp({ config, logger: createLogger('silent') });
  url = `http://127.0.0.1:${((await app.listen(0, '127.0.0.1')).address() as AddressInfo).port}`;
  await app.load();
  await app.watchKnowledge();
});

afterAll(async () => {
  await app.close();
  await fake.close();
});

/** Asks the running bot through a signed callback and returns the reply text it posted. */
async function ask(question: string): Promise<string> {
  const session = `live-${++asked}`;
  await fetch(`${url}/dingtalk/callback`, { method: 'POST', headers: signedHeaders(), body: JSON.stringify(groupMessage(question, fake.sessionWebhook(session))) });
  const [reply] = await fake.waitFor((r) => r.query.session === session);
  return JSON.stringify(reply?.json);
}

/** Asks until the reply contains `expected`, for at most two seconds after the edit. */
async function askUntil(question: string, expected: string, since: number): Promise<string> {
  let last = '';
  while (Date.now() - since < 2000) {
    last = await ask(question);
    if (last.includes(expected)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return last;
}

describe('live knowledge reload', () => {
  it('serves an edited answer within two seconds, without a restart', async () => {
    expect(await ask('jraft 支持 multi raft 吗')).toContain('第一版答案');
    const edited = Date.now();
    writeFileSync(join(dir, 'faq/multi-raft.md'), faq('支持，第二版答案：RheaKV 就是 multi raft group。'));
    expect(await askUntil('jraft 支持 multi raft 吗', '第二版答案', edited)).toContain('第二版答案');
  });

  it('keeps the last good version of a broken file and lists the error in /readyz', async () => {
    writeFileSync(join(dir, 'faq/multi-raft.md'), '---\nquestion: [broken\n---\n这版坏了。\n');
    const broken = Date.now();
    let errors: string[] = [];
    while (Date.now() - broken < 2000 && errors.length === 0) {
      errors = ((await (await fetch(`${url}/readyz`)).json()) as { errors: string[] }).errors;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(errors).toEqual([expect.stringMatching(/faq\/multi-raft\.md:\d+: invalid YAML front matter/)]);
    expect(await ask('jraft 支持 multi raft 吗')).toContain('第二版答案');
  });

  it('drops a deleted file and picks up a new one', async () => {
    rmSync(join(dir, 'faq/other.md'));
    writeFileSync(join(dir, 'faq/new.md'), '---\nquestion: MOSN 支持 dubbo 协议吗？\n---\n支持 dubbo 协议。\n');
    const changed = Date.now();
    expect(await askUntil('mosn dubbo 协议 支持', '支持 dubbo 协议', changed)).toContain('支持 dubbo 协议');
    expect(await ask('seata 全局锁 行级')).not.toContain('是行级的');
  });
});
