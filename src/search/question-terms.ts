/**
 * The words that tell one question from another, for grouping questions the bot could not answer:
 * the tokenizer's words with separators squeezed out ("http/3" and "http3" are one word), and
 * without the parts it also emits of longer words ("http" and "3" of "http3", "早上" of "早上好"),
 * so a word's parts do not count as extra agreement.
 */
export function questionTerms(tokens: readonly string[]): string[] {
  const squeezed = [...new Set(tokens.map((t) => t.replace(/[^\p{L}\p{N}]+/gu, '')).filter(Boolean))];
  return squeezed.filter((term) => !squeezed.some((other) => other.length > term.length && other.includes(term)));
}
