import { describe, expect, it } from 'vitest';
import { createTermCorrector } from '../../src/search/create-term-corrector.js';

const corrector = createTermCorrector(['listener', 'callback', 'tomcat', 'multi', 'group', '采样', '重试', '一致', '能查', 'raft']);

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
    // 能 also reads nai and 哪 na or nai: two rare readings meeting are no slip of the input method.
    expect(corrector.correct('哪查')).toBeUndefined();
  });

  it('leaves words with nothing close alone', () => {
    expect(corrector.correct('kubernetes')).toBeUndefined();
    expect(corrector.correct('苹果')).toBeUndefined();
    expect(corrector.correct('x')).toBeUndefined();
  });
});
