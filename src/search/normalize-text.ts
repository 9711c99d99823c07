import { ConverterBuilder } from 'opencc-js/core';
import * as t2cn from 'opencc-js/preset/t2cn';

// Traditional (any region) to mainland simplified, so 請問 and 请问 index alike. The t2cn preset
// loads only the dictionaries this direction needs.
const toSimplified = ConverterBuilder(t2cn)({ from: 't', to: 'cn' });

// Chat noise that carries no meaning for matching: mentions, stickers, emoji, control characters.
// A Java annotation (@GlobalTransactional, @Reference: a capital, then six or more letters) is
// what the question is about, not a mention.
const MENTION = /@(?![A-Z][A-Za-z0-9]{5,}(?=\s|$))[^\s@]{1,20}(?=\s|$)/gu;
const CHAT_PLACEHOLDER = /\[(?:图片|表情|语音|视频|文件|动画表情|链接|image|sticker)\]/giu;
// Pictographs, skin-tone modifiers and the joiners and selectors that glue emoji sequences together.
const EMOJI = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\u{FE0F}|\u{200D}|\u{20E3}/gu;
const CONTROL = /[\p{Cc}\p{Cf}]/gu;
// "AT" in capitals is Seata's AT mode ("AT 模式", "Seata-AT", "AT 和 TCC"); lower-case "at" is the
// English preposition. Read before case is folded.
const AT_MODE = /(?<![A-Za-z0-9_.])AT(?![A-Za-z0-9_])/g;

/**
 * Folds the ways one text can be written: full-width to half-width (NFKC), case, traditional to
 * simplified Chinese; drops @mentions, chat placeholders, emoji and control characters.
 * Punctuation is kept: the tokenizer decides what separates words.
 */
export function normalizeText(text: string): string {
  // Mentions and the AT mode are read before case is folded: both depend on capitals.
  const folded = text.normalize('NFKC').replace(CONTROL, ' ').replace(MENTION, ' ').replace(AT_MODE, ' atmode ').toLowerCase();
  const cleaned = folded
    .replace(CHAT_PLACEHOLDER, ' ')
    .replace(EMOJI, ' ');
  return toSimplified(cleaned).replace(/\s+/g, ' ').trim();
}
