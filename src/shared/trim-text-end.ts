// Trimming the end of text that may come from a member or a knowledge file. A scan from the end,
// not `/[…]+$/` or `/\uFFFD+$/`: such a regex retries from every position of a long run that is
// not at the end, so "a" + "." × 60,000 + "b" held the callback thread for seconds.

/** `text` without the trailing characters in `chars`, and without trailing white space when `whiteSpace`. */
export function trimTrailing(text: string, chars: string, whiteSpace = true): string {
  let end = text.length;
  while (end > 0) {
    const char = text[end - 1] as string;
    if (!chars.includes(char) && !(whiteSpace && /\s/u.test(char))) break;
    end--;
  }
  return text.slice(0, end);
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, never splitting a character. */
export function cutToBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= maxBytes) return text;
  let end = Math.max(0, maxBytes);
  // A continuation byte (10xxxxxx) at the cut means the cut is inside a character: back up to its start.
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
