import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDingTalk, type FakeDingTalk } from '../helpers/fake-dingtalk.js';
import { FIXTURE_FILES } from '../helpers/knowledge-fixture.js';
import { askInGroup, startApp } from '../helpers/start-app.js';
import { configDir, deploy, type Deployment } from '../helpers/deploy-bots.js';
import { skipRedis, startRedis, type TestRedis } from '../helpers/start-redis.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';

// Three entries close enough that "seata-sample 示例" gets a "did you mean" list of all three, one
// of them titled with a long pasted paragraph, as archived chat questions are.
const faq = (question: string, answer: string) => `---\nquestion: ${question}\nproject: Seata\n---\n${answer}\n`;
const LONG_TITLE =
  '好的，谢谢。 1. seata-sample 里的 AT 模式示例怎么跑起来？需要先启动 seata-server，再启动各个业务服务，注意注册中心的配置要和 server 一致，否则会找不到事务分组';
const SAMPLES: Record<string, string> = {
  'faq/seata-sample.md': faq(LONG_TITLE, '先启动 seata-server，再按 README 启动 business、order、storage 三个服务。'),
  'faq/seata-tcc.md': faq('seata-sample 里的 TCC 示例怎么跑？', '运行 TccProviderStarter，再运行 TccConsumerStarter。'),
  'faq/seata-saga.md': faq('seata-sample 的 Saga 示例需要哪些表？', '需要 seata_state_machine_def 等三张表。'),
};
const ASK = 'seata-sample 示例';
const APOLOGY = '没有找到答案';

const markdownOf = (reply: unknown) => (reply as { markdown: { title: string; text: string } }).markdown;
/** The numbered lines of a "did you mean" reply. */
const itemsOf = (reply: unknown) => markdownOf(reply).text.split('\n').filter((line) => /^\d+\. /.test(line));
let sessions = 0;
const session = () => `pick-${sessions++}`;

// The steps of one story, in order: each test starts from the state the one before it left
// (vitest's sequence.shuffle must not reorder them).
describe('picking from a "did you mean" list by number (one instance, files)', { shuffle: false }, () => {
  let fake: FakeDingTalk;
  let dataDir: string;
  let knowledgeDir: string;
  let bot: Awaited<ReturnType<typeof startApp>>;

  beforeAll(async () => {
    fake = await startFakeDingTalk();
    dataDir = tempKnowledge({});
    knowledgeDir = tempKnowledge({ ...FIXTURE_FILES, ...SAMPLES });
    bot = await startApp({ fake, knowledgeDir, env: { DATA_DIR: dataDir } });
  });
  afterAll(async () => {
    await bot.app.close();
    await fake.close();
  });

  it('numbers the list with one short line per entry, the question, at most 60 characters', async () => {
    const reply = await askInGroup(fake, bot.url, session(), ASK);
    expect(markdownOf(reply).title).toBe('你想问的是不是');
    const items = itemsOf(reply);
    expect(items).toEqual(['1. seata-sample 的 Saga 示例需要哪些表？', '2. seata-sample 里的 TCC 示例怎么跑？', expect.stringMatching(/^3\. 好的，谢谢。 1\. seata-sample 里的 AT 模式示例.*…$/) as unknown]);
    for (const item of items) expect(item.replace(/^\d+\. /, '').length).toBeLessThanOrEqual(60);
    expect(markdownOf(reply).text).toContain('回复编号（1、2、3）看答案');
    // Titles only: no answer text.
    expect(markdownOf(reply).text).not.toContain('business、order、storage');
  });

  it("answers `1`, `第二个` and `３` from the same member in the same chat with that entry's answer", async () => {
    const chat = { conversationId: 'cidPickA==' };
    await askInGroup(fake, bot.url, session(), ASK, chat);
    expect(markdownOf(await askInGroup(fake, bot.url, session(), '1', chat)).text).toContain('需要 seata_state_machine_def 等三张表。');
    expect(markdownOf(await askInGroup(fake, bot.url, session(), '第二个', chat)).text).toContain('运行 TccProviderStarter');
    const third = markdownOf(await askInGroup(fake, bot.url, session(), '３', chat));
    expect(third.text).toContain('先启动 seata-server，再按 README 启动');
    expect(third.title.length).toBeLessThanOrEqual(60);
  });

  it('gives a short hint, not the apology, for a number without a list: another member, another chat, a number past the list', async () => {
    await askInGroup(fake, bot.url, session(), ASK, { conversationId: 'cidPickB==' });
    for (const [text, overrides] of [
      ['1', { conversationId: 'cidPickB==', senderStaffId: 'user0099' }],
      ['1', { conversationId: 'cidPickC==' }],
      ['第4个', { conversationId: 'cidPickB==' }],
    ] as const) {
      const reply = markdownOf(await askInGroup(fake, bot.url, session(), text, overrides));
      expect(reply.title, text).toBe('没有可选的问题');
      expect(reply.text).toContain('十分钟内可以回复编号');
      expect(reply.text).not.toContain(APOLOGY);
    }
  });

  it('tells members in the help that a number picks from the list', async () => {
    expect(markdownOf(await askInGroup(fake, bot.url, session(), '帮助')).text).toContain('回复编号看那一条的答案');
  });

  it('does not log a number without a list as an unanswered question', async () => {
    await askInGroup(fake, bot.url, session(), '2', { conversationId: 'cidPickD==' });
    await bot.app.http.idle();
    const report = markdownOf(await askInGroup(fake, bot.url, session(), '待回答', { conversationId: 'cidPickD==', isAdmin: true })).text;
    // The "did you mean" question of the other tests is the one group; the lone numbers are none.
    expect(report).toContain('共 1 组');
    expect(report).toContain(`1. ${ASK}（`);
  });

  it('says the entry is no longer available when it left the knowledge, and still picks after a restart', async () => {
    const chat = { conversationId: 'cidPickE==' };
    await askInGroup(fake, bot.url, session(), ASK, chat);
    await bot.app.close();
    const { 'faq/seata-saga.md': _removed, ...rest } = SAMPLES;
    const restarted = await startApp({ fake, knowledgeDir: tempKnowledge({ ...FIXTURE_FILES, ...rest }), env: { DATA_DIR: dataDir } });
    bot = restarted;
    const gone = markdownOf(await askInGroup(fake, bot.url, session(), '1', chat));
    expect(gone.title).toBe('这一条已不在');
    expect(gone.text).toContain('已经不在知识库里');
    expect(markdownOf(await askInGroup(fake, bot.url, session(), '选2', chat)).text).toContain('运行 TccProviderStarter');
  });
});

describe.skipIf(skipRedis)('picking from a "did you mean" list on two instances sharing one Redis', () => {
  let redis: TestRedis;
  let deployment: Deployment;
  beforeAll(async () => {
    redis = await startRedis();
    deployment = await deploy({ store: 'redis', instances: 2, redisUrl: redis.url, knowledge: SAMPLES });
  });
  afterAll(async () => {
    await deployment.close();
    await redis.close();
  });

  it('answers a `1` that reaches the other instance with the first entry of the list', async () => {
    const [first, second] = deployment.urls as [string, string];
    const chat = { conversationId: 'cidPickRedis==' };
    expect(itemsOf(await askInGroup(deployment.fake, first, session(), ASK, chat))[0]).toBe('1. seata-sample 的 Saga 示例需要哪些表？');
    expect(markdownOf(await askInGroup(deployment.fake, second, session(), '1', chat)).text).toContain('需要 seata_state_machine_def 等三张表。');
  });
});

describe('"did you mean" entries as links that send their number (search.pickLinks)', () => {
  let fake: FakeDingTalk;
  let knowledgeDir: string;
  beforeAll(async () => {
    fake = await startFakeDingTalk();
    knowledgeDir = tempKnowledge({ ...FIXTURE_FILES, ...SAMPLES });
  });
  afterAll(async () => {
    await fake.close();
  });
  const privately = { conversationType: '1', conversationId: 'cidPrivatePick==' };

  it('links each entry in 1:1 chats when set, never in groups, and not by default', async () => {
    const on = await startApp({ fake, knowledgeDir, env: { CONFIG_DIR: configDir('search:\n  pickLinks: true\n') } });
    const off = await startApp({ fake, knowledgeDir });
    try {
      expect(itemsOf(await askInGroup(fake, on.url, session(), ASK, privately))).toEqual([
        '1. [seata-sample 的 Saga 示例需要哪些表？](dtmd://dingtalkclient/sendMessage?content=1)',
        '2. [seata-sample 里的 TCC 示例怎么跑？](dtmd://dingtalkclient/sendMessage?content=2)',
        expect.stringMatching(/^3\. \[好的，谢谢。 .*…\]\(dtmd:\/\/dingtalkclient\/sendMessage\?content=3\)$/) as unknown,
      ]);
      expect(itemsOf(await askInGroup(fake, on.url, session(), ASK))[0]).toBe('1. seata-sample 的 Saga 示例需要哪些表？');
      expect(itemsOf(await askInGroup(fake, off.url, session(), ASK, privately))[0]).toBe('1. seata-sample 的 Saga 示例需要哪些表？');
      // What the link sends is an ordinary number: it picks.
      expect(markdownOf(await askInGroup(fake, on.url, session(), '2', privately)).text).toContain('运行 TccProviderStarter');
    } finally {
      await Promise.all([on.app.close(), off.app.close()]);
    }
  });
});
