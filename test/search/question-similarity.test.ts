import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createTokenizer } from '../../src/search/create-tokenizer.js';
import { questionTerms } from '../../src/search/question-terms.js';
import { questionSimilarity, SIMILAR_QUESTIONS } from '../../src/search/question-similarity.js';

const tokenizer = createTokenizer(loadConfig({ CONFIG_DIR: 'config' }).vocabulary);
const terms = (text: string) => questionTerms(tokenizer.tokenize(text));
const similarity = (a: string, b: string) => questionSimilarity(terms(a), terms(b));

describe('questionTerms', () => {
  it('squeezes separators and drops the parts of longer words', () => {
    expect(terms('mosn 能不能用 http/3')).toEqual(['mosn', 'http3', '不能']);
    expect(terms('MOSN 有 HTTP3 支持吗')).toEqual(['mosn', 'http3', '支持']);
    expect(terms('大家早上好')).toEqual(['早上好']);
    expect(terms('谢谢')).toEqual([]);
  });
});

describe('questionSimilarity', () => {
  it.each([
    ['sofa-mosn 支持 http3 吗', 'mosn 能不能用 http/3'],
    ['sofa-mosn 支持 http3 吗', 'MOSN 有 HTTP3 支持吗'],
    ['mosn 能不能用 http/3', 'MOSN 有 HTTP3 支持吗'],
    ['SOFARPC 支持 Kotlin 协程吗', 'sofarpc 能用 kotlin 的协程吗'],
  ])('takes "%s" and "%s" as one question', (a, b) => {
    expect(similarity(a, b)).toBeGreaterThanOrEqual(SIMILAR_QUESTIONS);
  });

  it.each([
    ['sofa-mosn 支持 http3 吗', 'Seata 支持 Oracle 吗'],
    ['mosn 支持 http3 吗', 'mosn 支持 grpc 吗'],
    ['mosn 怎么配置 tls', 'mosn 怎么配置日志'],
    ['jraft 快照怎么压缩', 'jraft 快照怎么恢复'],
  ])('keeps "%s" and "%s" apart: a shared project or framing is not the same question', (a, b) => {
    expect(similarity(a, b)).toBeLessThan(SIMILAR_QUESTIONS);
  });

  it('is 1 for the same terms, 0 for nothing shared or nothing at all', () => {
    expect(questionSimilarity(['mosn', 'http3'], ['http3', 'mosn'])).toBe(1);
    expect(questionSimilarity(['mosn'], ['seata'])).toBe(0);
    expect(questionSimilarity([], [])).toBe(0);
  });
});
