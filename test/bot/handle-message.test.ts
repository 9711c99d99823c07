import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { handleMessage, type BotContext, type ChatMessage } from '../../src/bot/handle-message.js';
import { toMarkdownMessage } from '../../src/dingtalk/send-session-reply.js';
import { FIXTURE_NOW, loadFixture, type Fixture } from '../helpers/knowledge-fixture.js';

const DIGEST = { zone: 'Asia/Shanghai', eventsAheadDays: 14 };
let fixture: Fixture;
beforeAll(async () => {
  fixture = await loadFixture();
});

/** Transcript harness: say something in a group as user0042 and read the bot's reply. */
async function say(text: string, options: Partial<ChatMessage> = {}, context: Partial<BotContext> = {}) {
  const { reply, handledAs, action, question } = await handleMessage(
    { text, msgtype: 'text', isGroup: true, senderStaffId: 'user0042', ...options },
    { answerer: fixture.answerer, entries: fixture.entries, now: FIXTURE_NOW, maxReplyBytes: 20_000, digest: DIGEST, admins: ['admin007'], ...context },
  );
  return { ...reply, handledAs, action, question };
}

describe('group behaviour', () => {
  it('answers a question with the answer, its source link and related questions, and @s the asker', async () => {
    const reply = await say(' 大佬们请教一下，jraft 支持 multi raft 吗？谢谢');
    expect(reply.handledAs).toBe('answer');
    expect(reply.markdown).toMatch(/^\*\*SOFAJRaft 支持 Multi-Raft 吗？\*\*\n\n支持，RheaKV 就是基于 multi raft group 实现的。/);
    expect(reply.markdown).toContain('来源：[RheaKV 文档](https://example.org/rheakv)');
    expect(reply.markdown).toMatch(/\n\n@user0042$/);
    expect(reply.atUserIds).toEqual(['user0042']);
  });

  it('does not @ anyone in a 1:1 chat', async () => {
    const reply = await say('jraft 支持 multi raft 吗', { isGroup: false });
    expect(reply.atUserIds).toEqual([]);
    expect(reply.markdown).not.toContain('@user0042');
  });

  it('answers 帮助 / help with what it can do', async () => {
    for (const text of ['帮助', 'help', ' 帮助？']) {
      const reply = await say(text);
      expect(reply.handledAs).toBe('help');
      expect(reply.markdown).toContain('最新版本 Seata');
    }
  });

  it('answers 最新版本 <project> with the newest release and its changes as a list', async () => {
    const reply = await say('最新版本 seata');
    expect(reply.handledAs).toBe('answer');
    expect(reply.markdown).toMatch(/^\*\*Seata 1\.4\.0\*\*\n\n这是知识库里记录的最新版本[^\n]*\n\n- 支持 yml 配置/);
  });

  it('answers <project> <version> with that release', async () => {
    const reply = await say('SOFARPC 5.7.6');
    expect(reply.markdown).toMatch(/^\*\*SOFARPC v5\.7\.6\*\*\n\n(?:发布于 [^\n]*\n\n)?- 支持 Hessian 黑名单\n- 升级 Netty/);
    expect(reply.markdown).toContain('(https://example.org/rpc-5.7.6)');
  });

  it('lists upcoming events for 活动 and 直播, soonest first', async () => {
    for (const text of ['活动', '直播']) {
      const reply = await say(text);
      expect(reply.handledAs).toBe('events');
      expect(reply.markdown).toMatch(/\*\*近期活动\*\*\n\n- \[SOFAChannel#40 直播（2024-05-30 19:00）\]\(https:\/\/example\.org\/live\/40\)\n- SOFA Meetup#20 上海站（2024-06-15 13:00）/);
      expect(reply.markdown).not.toContain('SOFAChannel#8');
    }
  });

  it('offers "did you mean" when unsure and stays honest when it knows nothing, pointing at GitHub issues', async () => {
    const unknown = await say('SOFARPC 支持 Kotlin 协程吗');
    expect(unknown.handledAs).toBe('abstain');
    expect(unknown.markdown).toContain('[SOFARPC 的 GitHub issues](https://github.com/sofastack/sofa-rpc/issues)');
    const chat = await say('大家早上好');
    expect(chat.handledAs).not.toBe('answer');
  });

  it('previews this week\'s digest for 周报, with the upcoming events', async () => {
    const reply = await say('周报');
    expect(reply.handledAs).toBe('digest');
    expect(reply.title).toBe('SOFA Weekly | 05/20 - 05/26');
    expect(reply.markdown).toContain('SOFAChannel#40 直播');
  });

  it('sends the digest on 周报 发送 for admins only', async () => {
    expect(await say('周报 发送')).toMatchObject({ handledAs: 'refused' });
    expect((await say("周报 发送")).action).toBeUndefined();
    expect(await say('周报 发送', { senderStaffId: 'admin007' })).toMatchObject({ handledAs: 'digest-send', action: 'send-digest' });
    expect(await say('周报 发送', { isAdmin: true })).toMatchObject({ handledAs: 'digest-send', action: 'send-digest' });
  });

  it('says when this week\'s digest was already sent, and that a quiet week sends none, instead of sending', async () => {
    const admin = { isAdmin: true };
    const sent = await say('周报 发送', admin, { digestSentAt: () => Promise.resolve('2024-05-31T10:00:12.000Z') });
    expect(sent.action).toBeUndefined();
    expect(sent.markdown).toContain('本周周报已在 5 月 31 日 18:00 发送过');
    const quiet = await say('周报 发送', admin, { entries: [] });
    expect(quiet.action).toBeUndefined();
    expect(quiet.markdown).toContain('周报不发送');
  });

  it('runs 重新加载, 状态 and 待回答 for admins only, and refuses everyone else politely', async () => {
    for (const [text, action] of [
      ['重新加载', 'reload'],
      ['reload', 'reload'],
      ['状态', 'status'],
      ['status', 'status'],
      ['待回答', 'unanswered'],
      ['unanswered', 'unanswered'],
    ] as const) {
      const refused = await say(text);
      expect(refused).toMatchObject({ handledAs: 'refused', title: '需要管理员权限' });
      expect(refused.markdown).toContain('只有管理员可以使用');
      expect(refused.action).toBeUndefined();
      expect(await say(text, { senderStaffId: 'admin007' })).toMatchObject({ handledAs: `admin-${action}`, action });
      expect(await say(text, { isAdmin: true })).toMatchObject({ handledAs: `admin-${action}`, action });
    }
  });

  it('hands the transport the question it asked the engine, for the unanswered log', async () => {
    expect(await say('@小助手 请问 SOFARPC 支持 Kotlin 协程吗')).toMatchObject({ handledAs: 'abstain', question: 'SOFARPC 支持 Kotlin 协程吗' });
    expect(await say('jraft 支持 multi raft 吗')).toMatchObject({ handledAs: 'answer', question: 'jraft 支持 multi raft 吗' });
    expect((await say('帮助')).question).toBeUndefined();
  });

  it('tells what it understands when the message is not text', async () => {
    const reply = await say('', { msgtype: 'picture' });
    expect(reply.handledAs).toBe('unsupported');
    expect(reply.markdown).toContain('只能读懂文字消息');
  });

  it('keeps a long answer full of tags within the byte budget as it is sent, sanitised', async () => {
    const long = '配置 <scope>provided</scope>。'.repeat(1500);
    const big = await (await import('../helpers/knowledge-fixture.js')).loadFixture({ 'faq/tags.md': `---\nquestion: Seata 标签很多的回答？\n---\n${long}\n` });
    const { reply } = await handleMessage(
      { text: 'Seata 标签很多的回答', msgtype: 'text', isGroup: true, senderStaffId: 'user0042' },
      { answerer: big.answerer, entries: big.entries, now: FIXTURE_NOW, maxReplyBytes: 20_000, digest: DIGEST, admins: [] },
    );
    const bytes = Buffer.byteLength(JSON.stringify(toMarkdownMessage(reply)));
    expect(bytes).toBeLessThanOrEqual(20_000);
    expect(bytes).toBeGreaterThan(15_000);
    expect(reply.markdown).toContain('＜scope＞provided＜/scope＞');
  });

  it('keeps a long answer within the byte budget and links to the full text', async () => {
    const long = '很长的回答。'.repeat(3000);
    const big = await (await import('../helpers/knowledge-fixture.js')).loadFixture({
      'faq/long.md': `---\nquestion: Seata 超长回答测试？\nlinks:\n  - title: 原文\n    url: https://example.org/full\n---\n${long}\n`,
    });
    const { reply } = await handleMessage(
      { text: 'Seata 超长回答测试', msgtype: 'text', isGroup: true, senderStaffId: 'user0042' },
      { answerer: big.answerer, entries: big.entries, now: FIXTURE_NOW, maxReplyBytes: 20_000, digest: DIGEST, admins: [] },
    );
    const bytes = Buffer.byteLength(JSON.stringify({ msgtype: 'markdown', markdown: { title: reply.title, text: reply.markdown }, at: { atUserIds: reply.atUserIds } }));
    expect(bytes).toBeLessThanOrEqual(20_000);
    expect(bytes).toBeGreaterThan(15_000);
    expect(reply.markdown).toContain('完整内容见[原文](https://example.org/full)');
    expect(reply.markdown).toMatch(/@user0042$/);
  });
});

describe('small talk', () => {
  it.each(['你好', '谢谢大佬', '早上好各位', '👍', '@问答机器人'])('answers %j briefly, without the apology, and asks the engine nothing', async (text) => {
    const reply = await say(text);
    expect(reply.handledAs).toBe('small-talk');
    expect(reply.markdown).not.toMatch(/抱歉|没有找到/);
    // Nothing for the unanswered log: it records only questions put to the engine.
    expect(reply.question).toBeUndefined();
  });

  it('points a greeting to 帮助', async () => {
    expect((await say('你好')).markdown).toContain('发送“帮助”');
  });
});

describe('archived answers cite their post', () => {
  const POST = '2019-08-02-sofa-weekly-20190802.md';
  const post = readFileSync(new URL(`../fixtures/weekly/${POST}`, import.meta.url), 'utf8');
  const CITE = '来自 [SOFA Weekly 2019-08-02](https://www.sofastack.tech/blog/sofa-weekly-20190802/)';
  const ask = async (files: Record<string, string>, text: string) => {
    const knowledge = await loadFixture(files);
    const { reply } = await handleMessage(
      { text, msgtype: 'text', isGroup: true, senderStaffId: 'user0042' },
      { answerer: knowledge.answerer, entries: knowledge.entries, now: FIXTURE_NOW, maxReplyBytes: 20_000, digest: DIGEST, admins: [] },
    );
    return reply;
  };

  it('ends with the post and its date instead of a bare repository home page', async () => {
    const reply = await ask({ [`weekly/${POST}`]: post }, 'SOFATracer 能和 Dubbo 一起用吗');
    expect(reply.markdown).toMatch(/^\*\*SOFATracer 能和 Dubbo 一起用吗？\*\*\n\n可以，SOFATracer 提供了 Dubbo 埋点。/);
    expect(reply.markdown).not.toContain('来源');
    expect(reply.markdown).not.toContain('https://github.com/sofastack/sofa-tracer');
    expect(reply.markdown.endsWith(`\n\n${CITE}\n\n@user0042`)).toBe(true);
  });

  it('keeps the links to something specific as 来源 and drops the repository home page', async () => {
    const reply = await ask({ [`weekly/${POST}`]: post }, 'SOFARPC 的泛化调用怎么写');
    expect(reply.markdown).toContain(
      '来源：[泛化调用文档](https://github.com/sofastack/sofa-rpc/blob/master/generic.md) · [相关 issue](https://github.com/sofastack/sofa-rpc/issues/1234)\n',
    );
    expect(reply.markdown).not.toContain('(https://github.com/sofastack/sofa-rpc)');
    expect(reply.markdown).toMatch(new RegExp(`\\n\\n${CITE.replace(/[[\]().]/g, '\\$&')}\\n\\n@user0042$`));
  });

  it('keeps a long archived answer within the byte budget, pointing to the post for the full text', async () => {
    const long = `A：${'很长的回答。'.repeat(3000)}`;
    const reply = await ask({ [`weekly/${POST}`]: post.replace('A：可以，SOFATracer 提供了 Dubbo 埋点。', long) }, 'SOFATracer 能和 Dubbo 一起用吗');
    expect(Buffer.byteLength(JSON.stringify(toMarkdownMessage(reply)))).toBeLessThanOrEqual(20_000);
    expect(reply.markdown).toContain('完整内容见[原文](https://www.sofastack.tech/blog/sofa-weekly-20190802/)');
    expect(reply.markdown).toContain(`${CITE}\n\n@user0042`);
  });
});

describe('release dates', () => {
  it('says when a release came out, and that "latest" is the newest the knowledge holds', async () => {
    const latest = await say('Seata 最新版本');
    expect(latest.markdown).toMatch(/^\*\*Seata 1\.4\.0\*\*\n\n这是知识库里记录的最新版本，发布于 \d{4}-\d{2}-\d{2}(，[^；]+)?；/);
    expect((await say('SOFARPC 5.7.6 更新了什么')).markdown).toMatch(/\n\n发布于 \d{4}-\d{2}-\d{2}(，.+)?。\n/);
    expect((await say('seata 9.9.9 改了啥')).markdown).toMatch(/^\*\*Seata 1\.4\.0\*\*\n\n知识库里没有你问的这个版本。这是知识库里记录的最新版本，发布于 /);
  });
});

describe('reading requests', () => {
  it('lists the articles on the topic with their dates, not one claimed answer', async () => {
    const reply = await say('有没有讲 saga 的文章');
    expect(reply.handledAs).toBe('answer');
    expect(reply.markdown).toMatch(/^\*\*相关文章\*\*\n\n- \[[^\]]+\]\(https?:\/\/[^)]+\)/);
  });
});
