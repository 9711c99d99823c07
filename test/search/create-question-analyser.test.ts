import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createTokenizer } from '../../src/search/create-tokenizer.js';
import { analyseQuestion, createQuestionAnalyser, type QuestionAnalysis } from '../../src/search/create-question-analyser.js';
import { createRemoteQuestionAnalyser } from '../../src/search/create-remote-question-analyser.js';

const tokenizer = createTokenizer(loadConfig({ CONFIG_DIR: 'config' }).vocabulary);

describe('createQuestionAnalyser', () => {
  it('folds one phrasing written differently to one normal form, and keeps its content words as terms', () => {
    const analyser = createQuestionAnalyser(tokenizer);
    const a = analyser.analyse('SOFARPC 怎么配置超时？');
    const b = analyser.analyse('sofarpc怎么配置超时');
    expect(a.normal).toBe(b.normal);
    expect(a.terms).toEqual(expect.arrayContaining(['sofarpc', '超时']));
  });
});

describe('createRemoteQuestionAnalyser', () => {
  it('asks elsewhere only for texts it has not seen, and answers as the tokenizer does', async () => {
    const asked: string[][] = [];
    const analyser = createRemoteQuestionAnalyser((texts) => {
      asked.push(texts);
      return Promise.resolve(texts.map((text) => analyseQuestion(tokenizer, text)));
    });
    await analyser.prepare(['seata 回滚失败', 'jraft 快照', 'seata 回滚失败']);
    await analyser.prepare(['jraft 快照', 'mosn 支持 http3 吗']);
    await analyser.prepare(['jraft 快照']);
    expect(asked).toEqual([['seata 回滚失败', 'jraft 快照'], ['mosn 支持 http3 吗']]);
    expect(analyser.analyse('mosn 支持 http3 吗')).toEqual(analyseQuestion(tokenizer, 'mosn 支持 http3 吗'));
  });

  it('refuses to analyse a text it was not given, rather than guess', () => {
    const analyser = createRemoteQuestionAnalyser(() => Promise.resolve<QuestionAnalysis[]>([]));
    expect(() => analyser.analyse('never prepared')).toThrow(/not prepared/);
  });

  it('fails a prepare whose answer does not match what it asked', async () => {
    const analyser = createRemoteQuestionAnalyser(() => Promise.resolve<QuestionAnalysis[]>([]));
    await expect(analyser.prepare(['a question'])).rejects.toThrow(/got 0/);
  });
});
