import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { loadKnowledge } from '../../src/knowledge/load-knowledge.js';
import { createAnswerer } from '../../src/search/create-answerer.js';
import type { Answerer } from '../../src/search/answer-types.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';

const config = loadConfig({ CONFIG_DIR: 'config' });
const now = new Date('2024-05-20T12:00:00+08:00');

const faq = (question: string, answer: string, extra = '') => `---\nquestion: ${question}\n${extra}---\n${answer}\n`;
const files = {
  'faq/multi-raft.md': faq('SOFAJRaft 支持 Multi-Raft 吗？', '支持，RheaKV 就是基于 multi raft group 实现的。', 'project: SOFAJRaft\n'),
  'faq/global-lock.md': faq('Seata 的全局锁粒度是行级还是表级？', '全局锁是行级的，锁的是主键。', 'project: Seata\n'),
  'faq/saga-scene.md': faq('Seata Saga 模式适合什么场景？', '适合长事务和服务编排。', 'project: Seata\n'),
  'faq/tracer-sampling.md': faq('SOFATracer 的采样率怎么配置？', '通过 com.alipay.sofa.tracer.samplerPercentage 配置采样率。', 'project: SOFATracer\n'),
  'faq/mosn-listener.md': faq('MOSN 的一个 listener 能同时处理多种协议吗？', '可以，配置协议自动识别即可。', 'project: MOSN\n'),
  'releases/rpc-5.7.5.md': '---\nproject: SOFARPC\nversion: v5.7.5\ndate: 2020-08-01\n---\n- 修复泛化调用的问题\n',
  'releases/rpc-5.7.6.md': '---\nproject: SOFARPC\nversion: v5.7.6\ndate: 2020-09-01\n---\n- 支持 Hessian 黑名单\n',
  'releases/seata-1.3.0.md': '---\nproject: Seata\nversion: v1.3.0\ndate: 2020-07-14\n---\n- 支持多主键\n',
  'releases/seata-1.4.0.md': '---\nproject: Seata\nversion: 1.4.0\ndate: 2020-11-02\n---\n- 支持 yml 配置\n',
  'events/past.md': '---\ntitle: SOFAChannel#8 直播\nstart: 2024-05-01T19:00\nkind: live\n---\n',
  'events/next.md': '---\ntitle: SOFAChannel#40 直播\nstart: 2024-05-30T19:00\nkind: live\n---\n',
  'events/later.md': '---\ntitle: SOFA Meetup#20 上海站\nstart: 2024-06-15T13:00\nkind: meetup\n---\n',
  'reading/saga.md': '---\ntitle: Seata Saga 模式详解\nurl: https://example.org/saga\n---\n',
};

let answerer: Answerer;
beforeAll(async () => {
  const { entries, problems } = await loadKnowledge({ dirs: [tempKnowledge(files)], zone: config.timezone, maxFileBytes: 1 << 20 });
  expect(problems).toEqual([]);
  answerer = createAnswerer(entries, config);
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
  });

  it('answers "latest version" with the newest release of that project', () => {
    const result = answerer.ask('Seata 最新版本是哪个', now);
    expect(result).toMatchObject({ outcome: 'answer', intent: 'latest-release' });
    expect(result.matches[0]?.entry.id).toBe('releases/seata-1.4.0');
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

  it('answers, suggests or abstains as the top score stands against the two thresholds', async () => {
    const question = 'Seata 全局锁 粒度';
    const score = answerer.rank(question, now).matches[0]?.score ?? 0;
    expect(score).toBeGreaterThan(0.1);
    expect(score).toBeLessThan(1);
    const { entries } = await loadKnowledge({ dirs: [tempKnowledge(files)], zone: config.timezone, maxFileBytes: 1 << 20 });
    const withThresholds = (answerThreshold: number, suggestThreshold: number) =>
      createAnswerer(entries, { ...config, search: { answerThreshold, suggestThreshold, suggestions: 3 } }).ask(question, now);

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
