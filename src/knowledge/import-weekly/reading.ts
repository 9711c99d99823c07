// Recommended reading: article links, in their own sections or trailing another section.
import type { Link, ReadingEntry } from '../entry.js';
import { trimTrailing } from '../../shared/trim-text-end.js';
import { normalizeUrl, plain, stripImages, type Line } from './lines.js';
import type { Draft, Section } from './post.js';

/** `- [title](url)`, `[title](url)`, `*[title](url)*`, `- SOFAChannel#5：[title](url)`. */
export function readReadingItem(text: string): Link | undefined {
  const t = stripImages(text).trim();
  if (t === '' || t.startsWith('>')) return undefined;
  const unwrapped = t.replace(/^[-+*]\s+/, '').replace(/^[*_]+/, '');
  const body = trimTrailing(unwrapped, '*_', false).trim();
  const m = /^(?:[^[\]()]{0,40}[：:]\s*)?\*{0,2}\[((?:[^[\]]|\[[^[\]]*\])+)\]\(\s*<?([^)\s>]+)>?\s*\)\*{0,2}\s*[。；;，,]?$/.exec(body);
  if (!m?.[1] || !m[2]) return undefined;
  const title = plain(m[1]);
  // A bare URL as the text is a project or report link, not an article.
  if (title === '' || /^(?:https?:\/\/|www\.)/i.test(title)) return undefined;
  return { title, url: normalizeUrl(m[2], m[1]) };
}

/**
 * Some posts list articles with no heading of their own, right after the Q&A or release notes
 * (2021-12-17, 2023-03-17). Two or more article links ending such a section are reading entries.
 */
export function splitTrailingReading(section: Section): { section: Section; trailing: Draft<ReadingEntry>[] } {
  if (section.kind !== 'qa' && section.kind !== 'release' && section.kind !== 'event' && section.kind !== 'meeting') {
    return { section, trailing: [] };
  }
  let start = section.lines.length;
  let items = 0;
  for (let i = section.lines.length - 1; i >= 0; i--) {
    const line = section.lines[i] as Line;
    if (line.code) break;
    if (stripImages(line.text).trim() === '') continue;
    if (!readReadingItem(line.text)) break;
    items++;
    start = i;
  }
  if (items < 2) return { section, trailing: [] };
  const tail: Section = { ...section, kind: 'reading', lines: section.lines.slice(start) };
  return { section: { ...section, lines: section.lines.slice(0, start) }, trailing: parseReadingSection(tail) };
}

export function parseReadingSection(section: Section): Draft<ReadingEntry>[] {
  const drafts: Draft<ReadingEntry>[] = [];
  for (const line of section.lines) {
    if (line.code) continue;
    const item = readReadingItem(line.text);
    if (!item) continue;
    drafts.push({
      kind: 'reading',
      title: item.title,
      body: '',
      // A link dropped as mistyped (normalizeUrl gave no URL) leaves the title alone.
      ...(item.url ? { url: item.url } : {}),
      links: item.url ? [item] : [],
      tags: [],
      line: line.line,
    });
  }
  return drafts;
}
