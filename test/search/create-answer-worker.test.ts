import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWER_WORKER_YOUNG_GENERATION_MB, createAnswerWorker, type AnswerWorker } from '../../src/search/create-answer-worker.js';
import type { Entry } from '../../src/knowledge/entry.js';
import { createLogger } from '../../src/logger.js';
import { createTokenizer } from '../../src/search/create-tokenizer.js';
import { createQuestionAnalyser } from '../../src/search/create-question-analyser.js';
import { FIXTURE_FILES, FIXTURE_NOW, loadFixture, type Fixture } from '../helpers/knowledge-fixture.js';

let fixture: Fixture;
let worker: AnswerWorker;
const QUESTIONS = ['jraft 支持 multi raft 吗', 'SOFARPC 5.7.6 更新了什么', '最新版本 seata', '下次直播什么时候', '有没有讲 saga 的文章', '大家早上好', 'seata 锁'];

beforeAll(async () => {
  fixture = await loadFixture();
  worker = createAnswerWorker({ config: fixture.config, logger: createLogger('silent') });
});

afterAll(async () => {
  await worker.close();
});

/** A worker with a stand-in engine from test/fixtures, built from the fixture, closed after `use`. */
async function withStandIn(file: string, use: (worker: AnswerWorker) => Promise<void>): Promise<void> {
  const standIn = createAnswerWorker({ config: fixture.config, logger: createLogger('silent'), workerUrl: new URL(`../fixtures/${file}`, import.meta.url) });
  try {
    await standIn.build(fixture.entries);
    await use(standIn);
  } finally {
    await standIn.close();
  }
}

describe('createAnswerWorker', () => {
  it('answers exactly as the engine in this thread does, with the entries it was given', async () => {
    await worker.build(fixture.entries);
    for (const question of QUESTIONS) {
      const inThread = fixture.answerer.ask(question, FIXTURE_NOW);
      const inWorker = await worker.ask(question, FIXTURE_NOW);
      expect(inWorker).toEqual(inThread);
      // The very objects built from, not copies: the chat layer compares and links them.
      for (const [i, match] of inWorker.matches.entries()) expect(match.entry).toBe(inThread.matches[i]?.entry);
      expect(await worker.rank(question, FIXTURE_NOW)).toEqual(fixture.answerer.rank(question, FIXTURE_NOW));
    }
  });

  it('analyses questions for the unanswered log as the engine\'s tokenizer in this thread does', async () => {
    await worker.build(fixture.entries);
    const texts = ['seata 回滚失败怎么排查', 'MOSN 支持 HTTP3 吗？', '谢谢'];
    const inThread = createQuestionAnalyser(createTokenizer(fixture.config.vocabulary));
    expect(await worker.analyse(texts)).toEqual(texts.map((text) => inThread.analyse(text)));
  });

  it('answers concurrent questions each with its own result', async () => {
    await worker.build(fixture.entries);
    const results = await Promise.all(QUESTIONS.map((q) => worker.ask(q, FIXTURE_NOW)));
    expect(results).toEqual(QUESTIONS.map((q) => fixture.answerer.ask(q, FIXTURE_NOW)));
  });

  it('answers from the old knowledge while the new is built, and from the new once built', async () => {
    await worker.build(fixture.entries);
    const added = await loadFixture({ ...FIXTURE_FILES, 'faq/http3.md': '---\nquestion: MOSN 支持 HTTP3 吗？\nproject: MOSN\n---\n支持，从 v1.5 起。\n' });
    const building = worker.build(added.entries);
    const during = await worker.ask('MOSN 支持 HTTP3 吗', FIXTURE_NOW);
    expect(during.outcome).not.toBe('answer');
    await building;
    const answered = await worker.ask('MOSN 支持 HTTP3 吗', FIXTURE_NOW);
    expect(answered.outcome).toBe('answer');
    expect(answered.matches[0]?.entry).toBe(added.entries.find((e) => e.id === 'faq/http3'));
  });

  it('answers a question asked during a long build from the previous engine, without waiting for the build', async () => {
    await worker.build(fixture.entries);
    // Thousands of entries: a build of seconds, as a large knowledge base takes.
    const large = Array.from({ length: 12_000 }, (_, i) => {
      const entry = fixture.entries[i % fixture.entries.length] as Entry;
      return { ...entry, id: `${entry.id}-${i}`, title: `${entry.title} 第 ${i} 份`, body: `${entry.body} 编号 ${i}` };
    });
    const order: string[] = [];
    const building = worker.build(large).then(() => order.push('built'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const during = await worker.ask('jraft 支持 multi raft 吗', FIXTURE_NOW);
    order.push('answered');
    await building;
    expect(order).toEqual(['answered', 'built']);
    // Answered by the engine in service when asked: an entry of the small knowledge, not a copy.
    expect(fixture.entries).toContain(during.matches[0]?.entry);
    expect(large).toContain((await worker.rank('jraft 支持 multi raft 吗', FIXTURE_NOW)).matches[0]?.entry);
  });

  it('keeps answering from the last good build when a build fails', async () => {
    await worker.build(fixture.entries);
    // An entry the engine cannot read makes the build throw inside the worker.
    const broken = [null as unknown as Entry];
    await expect(worker.build(broken)).rejects.toThrow(/building the answering engine failed/);
    const result = await worker.ask('jraft 支持 multi raft 吗', FIXTURE_NOW);
    expect(result.matches[0]?.entry.id).toBe('faq/multi-raft');
  });

  it('refuses questions once closed', async () => {
    const closing = createAnswerWorker({ config: fixture.config, logger: createLogger('silent') });
    await closing.build(fixture.entries);
    await closing.close();
    await expect(closing.ask('jraft', FIXTURE_NOW)).rejects.toThrow(/closed/);
  });

  it('restarts a crashed engine with the last knowledge it built, and answers questions asked meanwhile', async () => {
    await withStandIn('crashing-answer-worker.ts', async (crashing) => {
      await expect(crashing.ask('crash', FIXTURE_NOW)).rejects.toThrow(/restarted/);
      // Asked while the engine is down: held until it is back rather than lost.
      const meanwhile = await crashing.ask('jraft 支持 multi raft 吗', FIXTURE_NOW);
      expect(meanwhile.outcome).toBe('abstain');
    });
  });

  it("runs the engine with a small young generation: V8's default of 48 MB stays resident once a build has grown it", async () => {
    await withStandIn('limits-answer-worker.ts', async (reporting) => {
      const [analysis] = await reporting.analyse(['limits']);
      const limits = JSON.parse(analysis?.normal ?? '{}') as { maxYoungGenerationSizeMb?: number };
      expect(limits.maxYoungGenerationSizeMb).toBe(ANSWER_WORKER_YOUNG_GENERATION_MB);
      expect(ANSWER_WORKER_YOUNG_GENERATION_MB).toBeLessThanOrEqual(8);
    });
  });
});
