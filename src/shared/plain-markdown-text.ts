/** A member's words placed inside our Markdown: shown as written, never as a link, bold or code. */
export function plainMarkdownText(text: string): string {
  return text
    .replace(/[[\]]/g, (c) => (c === '[' ? '【' : '】'))
    .replace(/[*`]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
