import { ConverterBuilder } from 'opencc-js/core';
import * as t2cn from 'opencc-js/preset/t2cn';

// Traditional (any region) to mainland simplified, so 請問 and 请问 index alike. The t2cn preset
// loads only the dictionaries this direction needs.
const toSimplified = ConverterBuilder(t2cn)({ from: 't', to: 'cn' });

// Chat noise that carries no meaning for matching: mentions, stickers, emoji, control characters.
const MENTION = /@[^\s@]{1,20}(?=\s|$)/gu;
const CHAT_PLACEHOLDER = /\[(?:图片|表情|语音|视频|文件|动画表情|链接|image|sticker)\]/giu;
// Pictographs, skin-tone modifiers and the joiners and selectors that glue emoji sequences together.
const EMOJI = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\u{FE0F}|\u{200D}|\u{20E3}/gu;
const CONTROL = /[\p{Cc}\p{Cf}]/gu;

/**
 * Folds the ways one text can be written: full-width to half-width (NFKC), case, traditional to
 * simplified Chinese; drops @mentions, chat placeholders, emoji and control characters.
 * Punctuation is kept: the tokenizer decides what separates words.
 */
export function normalizeText(text: string): string {
  const folded = text.normalize('NFKC').toLowerCase();
  const cleaned = folded
    .replace(CONTROL, ' ')
    .replace(MENTION, ' ')
    .replace(CHAT_PLACEHOLDER, ' ')
    .replace(EMOJI, ' ');
  return toSimplified(cleaned).replace(/\s+/g, ' ').trim();
}
