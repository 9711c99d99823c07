// The shapes every section parser of a weekly post shares: the section it reads, the drafts it
// returns and the post context it reports problems to. Kept apart so parsers depend on no orchestration.
import type { Entry, FaqEntry, Link, Problem } from '../entry.js';
import type { Line } from './lines.js';

/** An entry before it gets its id, the post's date and its source (only the line is known). */
export type Draft<T extends Entry> = Omit<T, 'id' | 'date' | 'source'> & { line: number };

/** A reader Q&A entry as every Q&A-section parser makes one: no tags or aliases in the archive. */
export function faqDraft(faq: { title: string; body: string; url: string | undefined; links: Link[]; project: string | undefined; line: number }): Draft<FaqEntry> {
  const { title, body, url, links, project, line } = faq;
  return { kind: 'faq', title, body, ...(url ? { url } : {}), links, ...(project ? { project } : {}), tags: [], aliases: [], line };
}

/** What every section parser of one post shares: where it is, its date, and where problems go. */
export interface PostContext {
  file: string;
  date: string | undefined;
  zone: string;
  problems: Problem[];
}

export function warning(file: string, line: number, message: string): Problem {
  return { file, line, severity: 'warning', message };
}

/** What a section announces: by its heading, or by its content where the heading misleads. */
export type SectionKind = 'qa' | 'release' | 'reading' | 'event' | 'meeting' | 'skip' | 'unknown';

/** The lines under one heading of the post. */
export interface Section {
  kind: SectionKind;
  /** Heading text without Markdown; empty for the text before the first heading. */
  title: string;
  heading: Line | undefined;
  level: number;
  lines: Line[];
}
