import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { startFakeDingTalk, type FakeDingTalk } from '../helpers/fake-dingtalk.js';
import { FIXTURE_FILES } from '../helpers/knowledge-fixture.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';
import { askInGroup, startApp } from '../helpers/start-app.js';

// The admins' chat commands against the running bot, through signed callbacks.
const BROKEN = '---\nquestion: [broken\n---\n坏了。\n';

let fake: FakeDingTalk;
let app: App;
let url: string;
let dir: string;

beforeAll(async () => {
  fake = await startFakeDingTalk();
  dir = tempKnowledge({ ...FIXTURE_FILES, 'faq/broken-at-start.md': BROKEN });
  ({ app, url } = await startApp({ fake, knowledgeDir: dir }));
});

afterAll(async () => {
  await app.close();
  await fake.close();
});

let asked = 0;
/** Says something in a group, as an admin (DingTalk's isAdmin) or a member, and returns the reply's Markdown. */
async function say(text: string, as: 'admin' | 'member'): Promise<string> {
  const session = `admin-${++asked}`;
  const reply = await askInGroup(fake, url, session, text, { isAdmin: as === 'admin', senderStaffId: as === 'admin' ? 'boss01' : 'user0042' });
  return (reply as { markdown: { text: string } }).markdown.text;
}

// The steps of one story, in order: each test starts from the state the one before it left
// (vitest's sequence.shuffle must not reorder them).
describe('admin commands in chat', { shuffle: false }, () => {
  it('refuses members politely', async () => {
    for (const command of ['重新加载', '状态', '待回答']) {
      const reply = await say(command, 'member');
      expect(reply).toContain('只有管理员可以使用');
      expect(reply).not.toContain('知识库');
    }
  });

  it('状态 shows entries per kind, knowledge errors, posts and unanswered questions', async () => {
    const reply = await say('状态', 'admin');
    expect(reply).toContain('**机器人状态**');
    expect(reply).toContain('知识库：14 个文件，问答 5 · 发布 4 · 活动 3 · 阅读 1');
    expect(reply).toMatch(/知识错误 1 个[^\n]*\n- [^\n]*faq\/broken-at-start\.md:\d+: invalid YAML front matter/);
    expect(reply).toContain('最近的推送：无');
    expect(reply).toContain('待发送的推送：0 条');
    expect(reply).toMatch(/@boss01$/);
  });

  it('重新加载 re-reads the knowledge now and answers with the outcome', async () => {
    writeFileSync(join(dir, 'faq/new.md'), '---\nquestion: Layotto 支持 WebAssembly 吗？\n---\n支持，Layotto 可以运行 WebAssembly 模块。\n');
    const reply = await say('重新加载', 'admin');
    expect(reply).toMatch(/\*\*知识库已重新加载\*\*（\d+\.\d 秒）/);
    expect(reply).toContain('知识库：15 个文件，问答 6');
    expect(reply).toContain('broken-at-start.md');
    expect(await say('layotto 支持 webassembly 吗', 'member')).toContain('Layotto 可以运行 WebAssembly 模块');
  });

  it('待回答 lists what members asked that the bot could not answer', async () => {
    expect(await say('待回答', 'admin')).toContain('目前没有记录到没答上的问题');
    // Abstained on twice, and one "did you mean" (a suggestion is not an answer either).
    expect(await say('sofa-mosn 支持 http3 吗', 'member')).toContain('没有找到答案');
    expect(await say('mosn 能不能用 http/3', 'member')).toContain('没有找到答案');
    expect(await say('seata 主键', 'member')).toContain('你想问的是不是');
    await app.http.idle();
    const reply = await say('待回答', 'admin');
    expect(reply).toContain('前 2 组，共 2 组');
    expect(reply).toContain('1. sofa-mosn 支持 http3 吗（2 次，另有 1 种问法');
    expect(reply).toContain('2. seata 主键（1 次');
    expect(await say('状态', 'admin')).toContain('未答问题：2 组');
  });
});
