import { beforeAll, describe, expect, it } from 'vitest';
import { createAnswerer } from '../../src/search/create-answerer.js';
import type { Answerer } from '../../src/search/answer-types.js';
import { FIXTURE_NOW, loadFixture, type Fixture } from '../helpers/knowledge-fixture.js';

let answerer: Answerer;
let config: Fixture['config'];
let entries: Fixture['entries'];
const now = FIXTURE_NOW;
beforeAll(async () => {
  ({ answerer, config, entries } = await loadFixture());
});

const ids = (question: string) => answerer.ask(question, now).matches.map((m) => m.entry.id);

describe('createAnswerer', () => {
  it('answers paraphrases, with or without filler, and across project spellings', () => {
    for (const question of ['jraft 支持 multi raft 吗', '大佬们请教一下，sofa-jraft 能不能跑 multi-raft？谢谢🙏', '@小助手 SOFA JRaft multi raft group 支持吗']) {
      const result = answerer.ask(question, now);
      expect(result.outcome).toBe('answer');
      expect(result.matches[0]?.entry.id).toBe('faq/multi-raft');
      expect(result.matches[0]?.score).toBeGreaterThanOrEqual(config.search.answerThreshold);
    }
  });

  it('tolerates typos and pinyin-input slips', () => {
    expect(ids('sofatracer 彩样率 怎么配置')[0]).toBe('faq/tracer-sampling');
    expect(ids('mosn 一个 listner 能处理多种协议吗')[0]).toBe('faq/mosn-listener');
  });

  it('sends a version question to that release', () => {
    const result = answerer.ask('SOFARPC 5.7.6 更新了什么', now);
    expect(result).toMatchObject({ outcome: 'answer', intent: 'release' });
    expect(result.matches[0]?.entry.id).toBe('releases/rpc-5.7.6');
    expect(ids('sofa rpc 5.7.5 修了哪些 bug')[0]).toBe('releases/rpc-5.7.5');
    // Full-width input is folded once, for the words and the version alike.
    expect(ids('ＳＯＦＡＲＰＣ ５．７．６ 更新了什么')[0]).toBe('releases/rpc-5.7.6');
  });

  it('answers "latest version" with the newest release of that project', () => {
    const result = answerer.ask('Seata 最新版本是哪个', now);
    expect(result).toMatchObject({ outcome: 'answer', intent: 'latest-release' });
    expect(result.matches[0]?.entry.id).toBe('releases/seata-1.4.0');
  });

  it('answers a version it does not hold with the newest release of that project, saying so', () => {
    const result = answerer.ask('seata 9.9.9 改了啥', now);
    expect(result).toMatchObject({ outcome: 'answer', intent: 'unknown-release' });
    expect(result.matches[0]?.entry.id).toBe('releases/seata-1.4.0');
    // A version it holds, or a question about more than the release, is not this.
    expect(answerer.ask('SOFARPC 5.7.6 更新了什么', now).intent).toBe('release');
    expect(answerer.ask('seata 9.9.9 支持 XA 吗', now).intent).not.toBe('unknown-release');
  });

  it('reads "最新版本是多少", "最新版" and "最新版是几" as the same request for the newest release', () => {
    // Each once left a word ("多少", the "版" of 最新版) that sent the question to the Q&A instead.
    for (const question of ['Seata 最新版本是多少', 'seata 最新版', 'Seata 最新版是几']) {
      const result = answerer.ask(question, now);
      expect(result).toMatchObject({ outcome: 'answer', intent: 'latest-release' });
      expect(result.matches[0]?.entry.id).toBe('releases/seata-1.4.0');
    }
  });

  it('lists upcoming events from now, nearest first', () => {
    const result = answerer.ask('下次直播什么时候', now);
    expect(result).toMatchObject({ outcome: 'answer', intent: 'event' });
    expect(result.matches.map((m) => m.entry.id)).toEqual(['events/next', 'events/later']);
    expect(answerer.ask('最近有什么活动', new Date('2025-01-01T00:00:00Z'))).toMatchObject({ outcome: 'abstain', intent: 'event', matches: [] });
  });

  it('sends a reading request to reading entries', () => {
    const result = answerer.ask('有没有讲 Seata Saga 的文章', now);
    expect(result.intent).toBe('reading');
    expect(result.matches[0]?.entry.id).toBe('reading/saga');
  });

  it('stays quiet on chit-chat and off-topic questions', () => {
    for (const question of ['大家早上好', '谢谢大佬，问题解决了！', '有人在吗？', 'Python 里怎么给 list 去重', 'nginx 怎么配置 https 证书']) {
      expect(answerer.ask(question, now).outcome, question).not.toBe('answer');
    }
  });

  it('abstains honestly on empty, huge, emoji-only, control-character and mention-only input', () => {
    for (const question of ['', ' ', '🙏🙏🙏', '@小助手', '\u0000\u0001\u0002', 'x'.repeat(10_240), '啊'.repeat(10_240)]) {
      expect(answerer.ask(question, now)).toMatchObject({ outcome: 'abstain', matches: [] });
    }
  });

  it('answers, suggests or abstains as the top score stands against the two thresholds', () => {
    const question = 'Seata 全局锁 粒度';
    const score = answerer.rank(question, now).matches[0]?.score ?? 0;
    expect(score).toBeGreaterThan(0.1);
    expect(score).toBeLessThan(1);
    const withThresholds = (answerThreshold: number, suggestThreshold: number) =>
      createAnswerer(entries, { ...config, search: { ...config.search, answerThreshold, suggestThreshold, suggestions: 3 } }).ask(question, now);

    const answered = withThresholds(score, score);
    expect(answered.outcome).toBe('answer');
    expect(answered.matches[0]?.entry.id).toBe('faq/global-lock');
    expect(answered.matches.length).toBeLessThanOrEqual(4);

    const suggested = withThresholds(Math.min(1, score + 0.01), score);
    expect(suggested.outcome).toBe('suggest');
    expect(suggested.matches[0]?.entry.id).toBe('faq/global-lock');
    expect(suggested.matches.length).toBeLessThanOrEqual(3);

    expect(withThresholds(Math.min(1, score + 0.02), Math.min(1, score + 0.01))).toMatchObject({ outcome: 'abstain', matches: [] });
  });

  it('scores every match in [0, 1] and explains text matches with features', () => {
    for (const m of answerer.rank('Seata 全局锁 粒度', now).matches) {
      expect(m.score).toBeGreaterThanOrEqual(0);
      expect(m.score).toBeLessThanOrEqual(1);
      expect(m.features?.questionCoverage).toBeGreaterThan(0);
    }
  });
});
