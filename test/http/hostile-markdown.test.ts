import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import type { App } from '../../src/app.js';
import { unsafeMarkdown } from '../../src/shared/sanitize-markdown.js';
import { startFakeDingTalk, type FakeDingTalk } from '../helpers/fake-dingtalk.js';
import { FIXTURE_FILES } from '../helpers/knowledge-fixture.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';
import { askInGroup, startApp } from '../helpers/start-app.js';

// Hostile Markdown in knowledge files and file names, asked about through signed callbacks on
// loopback: what the fake DingTalk receives is checked as sent, byte for byte.
const ADMINS = { token: 'token-admins', secret: 'SECadmins-test-secret' };
const today = DateTime.now().setZone('Asia/Shanghai').toISODate() ?? '';
const HOSTILE_BODY = [
  '攻击示例：[x](javascript:alert(1))、[y](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)、[z](vbscript:msgbox(1))、',
  '[w](JaVaScRiPt:alert(1))、[v](java&#115;cript:alert(1))、[u](\tjavascript:alert(1))、<javascript:alert(1)>、![p](data:image/svg+xml;base64,PHN2Zz4=)。',
  '',
  '<img src=x onerror=alert(1)>',
  '',
  '<script>alert(1)</script>',
  '',
  '正常内容：[SOFA 文档](https://www.sofastack.tech/projects/sofa-rpc/overview/)，泛型写作 `List<String>`，依赖写作 <dependency>。',
].join('\n');
const HOSTILE_FAQ = `---\nquestion: SOFAHostile 的安全演示 <img src=x onerror=alert(2)> 是什么？\nproject: SOFARPC\ndate: ${today}\n---\n${HOSTILE_BODY}\n`;
const HOSTILE_EVENT = '---\ntitle: "[点我](javascript:alert(3)) <script>x</script> SOFAChannel#99"\nstart: 2099-05-30T19:00\nkind: live\nurl: https://example.org/live/99\n---\n';
// Linux allows newlines in file names: this path (its `//` makes folders) would inject lines, a
// list item, a link and a heading into the notices.
const EVIL_NAME = 'faq/evil\n- [link](https://evil.example)\n# 标题.md';
const BROKEN = '---\nquestion: [broken\n---\n坏了。\n';

let fake: FakeDingTalk;
let app: App;
let url: string;

beforeAll(async () => {
  fake = await startFakeDingTalk({ robots: { [ADMINS.token]: { secret: ADMINS.secret } } });
  const dir = tempKnowledge({ ...FIXTURE_FILES, 'faq/hostile.md': HOSTILE_FAQ, 'events/hostile.md': HOSTILE_EVENT, [EVIL_NAME]: BROKEN });
  ({ app, url } = await startApp({
    fake,
    knowledgeDir: dir,
    deps: { groups: [{ name: 'admins', posts: ['admin'], accessToken: ADMINS.token, secret: ADMINS.secret }], alertIntervalMs: 0 },
  }));
});

afterAll(async () => {
  await app.close();
  await fake.close();
});

let asked = 0;
/** Asks in a group and returns the reply exactly as the fake received it: the raw body and its markdown. */
async function ask(text: string, overrides: Record<string, unknown> = {}): Promise<{ raw: string; title: string; text: string }> {
  const session = `hostile-${++asked}`;
  await askInGroup(fake, url, session, text, overrides);
  const request = fake.sessionReplies().find((r) => r.query.session === session);
  const { markdown } = request?.json as { markdown: { title: string; text: string } };
  return { raw: request?.rawBody ?? '', ...markdown };
}

/** No raw HTML, and no script or data link by a CommonMark parse nor by a looser reading of `](…` and `<…:`. */
function expectSafe(raw: string, ...markdown: string[]): void {
  expect(raw).not.toMatch(/<img|<script|<\/script/i);
  expect(raw).not.toMatch(/\]\s*\(\s*<?\s*(?:javascript|vbscript|data):|<(?:javascript|vbscript|data):/i);
  for (const text of markdown) expect(unsafeMarkdown(text)).toEqual([]);
}

/** The same, and not even as text outside full-width brackets: the sanitiser drops the targets of the links it unmakes. */
function expectNoTrace(raw: string, ...markdown: string[]): void {
  expectSafe(raw, ...markdown);
  expect(raw.replace(/＜[^＞]*＞/g, '')).not.toMatch(/javascript:|vbscript:|data:|java&#115;cript/i);
}

describe('hostile Markdown in knowledge files never reaches the group', () => {
  it('an answer keeps its https link and text, and loses every script link, data link and raw HTML', async () => {
    const reply = await ask('SOFAHostile 的安全演示是什么');
    expect(reply.text).toContain('攻击示例');
    expectNoTrace(reply.raw, reply.title, reply.text);
    expect(reply.text).toContain('[SOFA 文档](https://www.sofastack.tech/projects/sofa-rpc/overview/)');
    // Links to other schemes become their text; tags are shown with full-width brackets.
    expect(reply.text).toMatch(/攻击示例：x、y、z、\s*w、v、u、＜javascript:alert\(1\)＞、p。/);
    expect(reply.text).toContain('＜img src=x onerror=alert(1)＞');
    expect(reply.text).toContain('＜script＞alert(1)＜/script＞');
    expect(reply.text).toContain('`List＜String＞`');
    expect(reply.title).toContain('＜img src=x onerror=alert(2)＞');
    expect(reply.text).toMatch(/@user0042$/);
  });

  it('the events list and the 周报 preview are sanitised too', async () => {
    const events = await ask('活动');
    expect(events.text).toContain('SOFAChannel#99');
    expectSafe(events.raw, events.text);
    // The composer already wrote the title's brackets full-width: its link is text inside the event's link.
    expect(events.text).toContain('[【点我】(javascript:alert(3)) ＜script＞x＜/script＞ SOFAChannel#99（2099-05-30 19:00）](https://example.org/live/99)');
    const digest = await ask('周报');
    expect(digest.text).toContain('SOFAHostile');
    expectNoTrace(digest.raw, digest.title, digest.text);
  });
});

describe('a file name with newlines and a link in it', () => {
  const evilLine = /\n- [^\n]*faq\/evil - 【link】\(https:\/+evil\.example\) # 标题\.md:\d+: invalid YAML front matter/;

  it('is one plain line in the admin-group notice', async () => {
    const [post] = await fake.waitFor((r) => r.path === '/robot/send' && r.rawBody.includes('evil.example'));
    const { text } = (post?.json as { markdown: { text: string } }).markdown;
    expect(text).toMatch(evilLine);
    expect(text).not.toContain('[link]');
    expect(text).not.toMatch(/^# /m);
    expectSafe(post?.rawBody ?? '', text);
  });

  it('is one plain line in the 状态 reply', async () => {
    const reply = await ask('状态', { isAdmin: true, senderStaffId: 'boss01' });
    expect(reply.text).toMatch(evilLine);
    expect(reply.text).not.toContain('[link]');
    expect(reply.text).not.toMatch(/^# /m);
    expect(reply.text.split('\n').filter((line) => line.includes('evil'))).toHaveLength(1);
  });
});
