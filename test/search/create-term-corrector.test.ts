import { describe, expect, it } from 'vitest';
import { createTermCorrector } from '../../src/search/create-term-corrector.js';

const corrector = createTermCorrector(['listener', 'callback', 'tomcat', 'multi', 'group', '采样', '重试', '一致', 'raft']);

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

  it('leaves words with nothing close alone', () => {
    expect(corrector.correct('kubernetes')).toBeUndefined();
    expect(corrector.correct('苹果')).toBeUndefined();
    expect(corrector.correct('x')).toBeUndefined();
  });
});
