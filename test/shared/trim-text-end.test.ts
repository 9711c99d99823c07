import { describe, expect, it } from 'vitest';
import { cutToBytes, trimTrailing } from '../../src/shared/trim-text-end.js';

describe('trimTrailing', () => {
  it('drops the listed characters and white space from the end only', () => {
    expect(trimTrailing('怎么配置？？ 。 ', '？。')).toBe('怎么配置');
    expect(trimTrailing('？a？', '？')).toBe('？a');
  });

  it('keeps white space when asked to, and a run that is not at the end', () => {
    expect(trimTrailing('https://x.io/a. ', '.', false)).toBe('https://x.io/a. ');
    expect(trimTrailing('https://x.io/a...', '.', false)).toBe('https://x.io/a');
    const inner = `a${'.'.repeat(60_000)}b`;
    expect(trimTrailing(inner, '.')).toBe(inner);
  });
});

describe('cutToBytes', () => {
  it('returns text that fits unchanged', () => {
    expect(cutToBytes('超时', 6)).toBe('超时');
  });

  it('never splits a character: a cut inside one drops the whole character', () => {
    expect(cutToBytes('超时设置', 7)).toBe('超时'); // 3 bytes each; byte 7 is inside 设
    expect(cutToBytes('ab😀', 5)).toBe('ab'); // the emoji is 4 bytes
    expect(cutToBytes('ab😀c', 6)).toBe('ab😀');
    expect(cutToBytes('abc', 0)).toBe('');
    expect(cutToBytes('abc', -3)).toBe('');
  });

  it('keeps a replacement character that was in the text itself', () => {
    expect(cutToBytes('a\uFFFDbc', 4)).toBe('a\uFFFD');
  });
});
