/** Full-width look-alikes of Markdown's markup characters: shown as written, never read as markup. */
export const FULL_WIDTH: Readonly<Record<string, string>> = { '[': '【', ']': '】', '<': '＜', '>': '＞', '#': '＃', '-': '－', '+': '＋' };

/**
 * Words from elsewhere (a member's question, a file name, an error message) placed inside our
 * Markdown: shown as written on one line, never as a link, HTML, code, or a heading, quote, list
 * or rule of their own. Brackets become full-width (DingTalk's support for backslash escapes is
 * undocumented), `*` and backticks spaces, and a leading `#`, `-`, `+` or `1. ` full-width too.
 * Underscores are left as they are, as file names have them (`__x__` may still show bold).
 */
export function plainMarkdownText(text: string): string {
  return text
    .replace(/[[\]<>]/g, (c) => FULL_WIDTH[c] ?? c)
    .replace(/[*`]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[#+-]/, (c) => FULL_WIDTH[c] ?? c)
    .replace(/^(\d{1,9})([.)])(?= |$)/, (_, digits: string, mark: string) => `${digits}${mark === '.' ? '．' : '）'}`);
}
