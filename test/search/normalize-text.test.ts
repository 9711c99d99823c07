import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../src/search/normalize-text.js';

describe('normalizeText', () => {
  it.each([
    ['full-width letters, digits and spaces', 'ＳＯＦＡＲＰＣ　５．７．０', 'sofarpc 5.7.0'],
    ['case', 'SeaTa Saga Mode', 'seata saga mode'],
    ['traditional to simplified', '請問這個怎麼設定', '请问这个怎么设定'],
    ['emoji and skin tones', '谢谢🙏🏻 大佬👍', '谢谢 大佬'],
    ['an @mention', '@小助手 seata 怎么用', 'seata 怎么用'],
    ['chat placeholders', '[图片] 这个报错 [表情]', '这个报错'],
    ['control and zero-width characters', 'a\u0000b\u200bc\u0007d', 'a b c d'],
  ])('folds %s', (_, input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });

  it('reads "AT" in capitals as Seata\'s AT mode, and lower-case "at" as the English word', () => {
    expect(normalizeText('AT模式下 Seata-AT 和 TCC')).toBe('atmode 模式下 seata- atmode 和 tcc');
    expect(normalizeText('look at the DATA')).toBe('look at the data');
  });

  it('keeps punctuation for the tokenizer to judge', () => {
    expect(normalizeText('store.mode=db？')).toBe('store.mode=db?');
  });

  it('returns an empty string for nothing but noise', () => {
    expect(normalizeText('  😀😀 @robot  ')).toBe('');
  });
});
