import { describe, expect, it } from 'vitest';
import { createTermCorrector } from '../../src/search/create-term-corrector.js';

// The index's words, and the words of a segmenter's dictionary that the index lacks.
const INDEXED = ['listener', 'callback', 'tomcat', 'multi', 'group', '采样', '重试', '一致', '关系', '配知', 'raft'];
const DICTIONARY = new Set(['关机', '关系', '配置', '苹果']);
const corrector = createTermCorrector(INDEXED, (word) => DICTIONARY.has(word));

describe('createTermCorrector', () => {
  it.each([
    ['listner', 'listener'],
    ['callbak', 'callback'],
    ['tomact', 'tomcat'],
    ['mutli', 'multi'],
    ['gruop', 'group'],
  ])('corrects the misspelt identifier %s to %s', (typo, word) => {
    expect(corrector.correct(typo)).toBe(word);
  });

  it.each([
    ['彩样', '采样'],
    ['充试', '重试'],
    ['一至', '一致'],
  ])('corrects the pinyin-input slip %s to %s', (typo, word) => {
    expect(corrector.correct(typo)).toBe(word);
  });

  it('reads a polyphone of a known word in each of its readings (重试 as chongshi), a question\'s word in its common one', () => {
    expect(corrector.correct('虫试')).toBe('重试');
    // 关系 also reads guanji (系: ji), but both are words: neither is a slip for the other.
    expect(corrector.correct('关机')).toBeUndefined();
    expect(createTermCorrector(INDEXED, () => false).correct('关机')).toBe('关系');
  });

  it('reads a real word as a word the knowledge misspelt (配置 as its 配知)', () => {
    expect(corrector.correct('配置')).toBe('配知');
  });

  it('leaves words with nothing close alone', () => {
    expect(corrector.correct('kubernetes')).toBeUndefined();
    expect(corrector.correct('苹果')).toBeUndefined();
    expect(corrector.correct('x')).toBeUndefined();
  });
});
