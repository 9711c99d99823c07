// Imports one archived "SOFA Weekly" post: reader Q&A pairs, release notes, recommended reading and
// announced events. The posts were written by hand over five years, so every section is read line by
// line with small, forgiving recognisers instead of one grammar; anything unrecognised is skipped.
//
// One module per concern: lines.ts (lines, links, prose), sections.ts (headings), reader-qa.ts
// (with reader-notes.ts for its non-Q&A paragraphs), releases.ts, reading.ts and events.ts (one
// section kind each); post.ts holds the shapes they share.
import { archivedPageUrl, type ArchivedFileInput, type Entry, type EventEntry, type FaqEntry, type Origin, type Problem, type ReadingEntry, type ReleaseEntry } from '../entry.js';
import { parseEventSection } from './events.js';
import { checkUrl, LINK, stripImages, toLines, type Line } from './lines.js';
import { warning, type Draft, type PostContext } from './post.js';
import { parseQaSection } from './reader-qa.js';
import { parseReadingSection, splitTrailingReading } from './reading.js';
import { parseReleaseSection } from './releases.js';
import { splitSections } from './sections.js';

const WEEKLY_LABEL = /sofa\s*weekly/i;

/** True for a SOFA Weekly post: by its labels, or by a body that has reader Q&A and release notes. */
export function isWeeklyPost(data: Record<string, unknown>, body: string): boolean {
  const labelled = ['categories', 'tags', 'title'].some((key) => stringsOf(data[key]).some((s) => WEEKLY_LABEL.test(s)));
  if (labelled) return true;
  const kinds = new Set(splitSections(toLines(body, 1)).map((s) => s.kind));
  return kinds.has('qa') && kinds.has('release');
}

export function importWeeklyPost(input: ArchivedFileInput): { entries: Entry[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const date = postDate(input.data.date);
  if (!date) {
    problems.push(warning(input.file, 1, 'front matter has no date (YYYY-MM-DD…): entries are undated and events are skipped'));
  }
  const context: PostContext = { file: input.file, date, zone: input.zone, problems };
  const lines = toLines(input.body, input.bodyLine);
  warnMistypedLinks(lines, context);
  const sections = splitSections(lines);
  const origin = postOrigin(input, date);

  const faqs: Draft<FaqEntry>[] = [];
  const notes: Draft<FaqEntry>[] = [];
  const releases: Draft<ReleaseEntry>[] = [];
  const readings: Draft<ReadingEntry>[] = [];
  const events: Draft<EventEntry>[] = [];
  for (const whole of sections) {
    const { section, trailing } = splitTrailingReading(whole);
    switch (section.kind) {
      case 'qa': {
        const qa = parseQaSection(section, context);
        faqs.push(...qa.pairs);
        notes.push(...qa.notes);
        break;
      }
      case 'release':
        releases.push(...parseReleaseSection(section));
        break;
      case 'reading':
        readings.push(...parseReadingSection(section));
        break;
      case 'event':
      case 'meeting':
        events.push(...parseEventSection(section, context));
        break;
      case 'skip':
      case 'unknown':
        break;
    }
    readings.push(...trailing);
  }

  const finish = <T extends Entry>(drafts: Draft<T>[], kind: string): T[] =>
    drafts.map(({ line, ...rest }, i) => {
      const entry = { ...rest, id: `${input.idPrefix}#${kind}-${i + 1}`, ...(date ? { date } : {}), source: { file: input.file, line }, origin };
      return entry as unknown as T;
    });
  const entries: Entry[] = [
    ...finish(faqs, 'qa'),
    // Notes are numbered apart so that adding one never shifts the pairs' ids.
    ...finish(notes, 'note'),
    ...finish(releases, 'release'),
    ...finish(readings, 'reading'),
    ...finish(events, 'event'),
  ];
  return { entries, problems };
}

/** The post's page on the website, `<site>/blog/<slug>/` (the archive names each post `<date>-<slug>.md`). */
function postOrigin(input: ArchivedFileInput, date: string | undefined): Origin {
  const url = archivedPageUrl(input, 'blog');
  return date ? { title: `SOFA Weekly ${date}`, url, date } : { title: 'SOFA Weekly', url };
}

/** One warning per mistyped link target: what it was read as, or that it was dropped. */
function warnMistypedLinks(lines: Line[], context: PostContext): void {
  for (const line of lines) {
    if (line.code) continue;
    for (const m of stripImages(line.text).matchAll(LINK)) {
      const target = m[2] ?? '';
      const { url, fix } = checkUrl(target, m[1]);
      if (fix === 'repaired') context.problems.push(warning(context.file, line.line, `mistyped link target "${target}": read as ${url}`));
      if (fix === 'dropped') context.problems.push(warning(context.file, line.line, `link target "${target}" is not a URL and no repair is certain: the link is dropped`));
    }
  }
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** The calendar part of the front-matter date, as written. */
function postDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return /^\s*(\d{4}-\d{2}-\d{2})/.exec(value)?.[1];
}
