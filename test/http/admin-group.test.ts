import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { startFakeDingTalk, type FakeDingTalk, type FakeRequest } from '../helpers/fake-dingtalk.js';
import { FIXTURE_FILES } from '../helpers/knowledge-fixture.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';
import { askInGroup, startApp } from '../helpers/start-app.js';

// Knowledge errors posted to the admin group by the running bot, through the fake DingTalk's robot API.
const ADMINS = { token: 'token-admins', secret: 'SECadmins-test-secret' };
const BROKEN = '---\nquestion: [broken\n---\n坏了。\n';

let fake: FakeDingTalk;
let app: App;
let url: string;
let dir: string;

beforeAll(async () => {
  fake = await startFakeDingTalk({ robots: { [ADMINS.token]: { secret: ADMINS.secret } } });
  dir = tempKnowledge({ ...FIXTURE_FILES, 'faq/broken-at-start.md': BROKEN });
  ({ app, url } = await startApp({
    fake,
    knowledgeDir: dir,
    deps: {
      groups: [{ name: 'admins', posts: ['admin'], accessToken: ADMINS.token, secret: ADMINS.secret }],
      // Every new error at once here; the batching is createKnowledgeAlerts' own test.
      alertIntervalMs: 0,
    },
  }));
});

afterAll(async () => {
  await app.close();
  await fake.close();
});

let asked = 0;
/** Asks something in a group as a member and returns the reply's Markdown. */
async function ask(text: string): Promise<string> {
  const session = `admin-group-${++asked}`;
  const reply = await askInGroup(fake, url, session, text);
  return (reply as { markdown: { text: string } }).markdown.text;
}

const adminPosts = (): string[] => fake.sends().map((r: FakeRequest) => (r.json as { markdown: { text: string } }).markdown.text);
const waitForAdminPost = async (containing: string): Promise<string> => {
  const [post] = await fake.waitFor((r) => r.path === '/robot/send' && r.rawBody.includes(containing));
  expect(post?.query.access_token).toBe(ADMINS.token);
  return (post?.json as { markdown: { text: string } }).markdown.text;
};

describe('knowledge errors and the admin group', () => {
  it('posts the errors found at start-up as file:line: message', async () => {
    const post = await waitForAdminPost('broken-at-start.md');
    expect(post).toMatch(new RegExp(`- ${dir}/faq/broken-at-start\\.md:\\d+: invalid YAML front matter`));
  });

  it('posts a new error found by the watcher, not the old one again, and lists errors in /readyz', async () => {
    await app.watchKnowledge();
    // Rewriting the broken file reloads it with the same error: not news.
    writeFileSync(join(dir, 'faq/broken-at-start.md'), BROKEN);
    writeFileSync(join(dir, 'faq/global-lock.md'), '---\nquestion: Seata 的全局锁粒度是行级还是表级？\nalias: 全局锁\n---\n行级。\n');
    const post = await waitForAdminPost('global-lock.md');
    expect(post).toContain('知识库有 1 个新错误');
    expect(post).toMatch(/global-lock\.md:3: unknown field "alias" for a faq entry/);
    expect(post).not.toContain('broken-at-start.md');
    expect(adminPosts().filter((p) => p.includes('broken-at-start.md'))).toHaveLength(1);
    const ready = (await (await fetch(`${url}/readyz`)).json()) as { errors: string[] };
    expect(ready.errors).toEqual([expect.stringContaining('broken-at-start.md'), expect.stringContaining('global-lock.md:3: unknown field "alias"')]);
    // The broken file keeps serving its last good version.
    expect(await ask('seata 全局锁 是行级还是表级')).toContain('全局锁是行级的');
  });
});
