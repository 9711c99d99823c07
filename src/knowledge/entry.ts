// The shapes every knowledge source (curated files, weekly posts, activity pages) produces.
// Search, digest and export all read these and nothing else.

export const ENTRY_KINDS = ['faq', 'release', 'event', 'reading'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export const EVENT_KINDS = ['live', 'meetup', 'other'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface Link {
  title: string;
  url: string;
}

/** The published page an archived entry was imported from, as a member can open it. */
export interface Origin {
  /** What the reply names it by, e.g. "SOFA Weekly 2019-08-02". */
  title: string;
  url: string;
  /** Calendar date (YYYY-MM-DD) it was published, when known. */
  date?: string;
}

/** Where an entry came from: a path as given to the loader, and a 1-based line. */
export interface Source {
  file: string;
  line: number;
}

interface EntryBase {
  /** Unique across the whole knowledge base. */
  id: string;
  /** The question for a Q&A entry, "Project version" for a release, the title otherwise. */
  title: string;
  /** The answer, change list or description, as Markdown. May be empty for reading entries. */
  body: string;
  url?: string;
  links: Link[];
  /** Calendar date (YYYY-MM-DD) the entry is about: the post's date for archived entries. */
  date?: string;
  project?: string;
  tags: string[];
  source: Source;
  /**
   * Archived entries only: the page they were published on, which the reply cites. Kept apart from
   * `url` and `links`, which are the answer's own links (and what search and evaluation read).
   */
  origin?: Origin;
}

export interface FaqEntry extends EntryBase {
  kind: 'faq';
  aliases: string[];
  /**
   * Archived follow-ups only: the question asked just before in the same asker's exchange, which
   * a follow-up ("那当集群规模比较大的时候呢？") leaves unsaid.
   */
  follows?: string;
}

export interface ReleaseEntry extends EntryBase {
  kind: 'release';
  project: string;
  version: string;
}

export interface EventEntry extends EntryBase {
  kind: 'event';
  /** ISO 8601 with offset. */
  start: string;
  end?: string;
  eventKind: EventKind;
  location?: string;
  /** Reminder offsets such as "1d"; absent means the configured default. */
  remind?: string[];
  /** Group names from config; absent means every group that receives reminders. */
  groups?: string[];
}

export interface ReadingEntry extends EntryBase {
  kind: 'reading';
}

export type Entry = FaqEntry | ReleaseEntry | EventEntry | ReadingEntry;

export type Severity = 'error' | 'warning';

/** A problem with a knowledge file, always pointing at a file and a 1-based line. */
export interface Problem {
  file: string;
  line: number;
  severity: Severity;
  message: string;
}

/** What an importer of archived pages (weekly posts, activity pages) is given for one file. */
export interface ArchivedFileInput {
  /** Path as given to the loader; sources and problems point at it. */
  file: string;
  /** The file's id; an importer that makes several entries appends `#kind-n`. */
  idPrefix: string;
  /** Front matter; every scalar is a string. */
  data: Record<string, unknown>;
  /** Markdown after the front matter. */
  body: string;
  /** 1-based file line of the body's first line. */
  bodyLine: number;
  /** IANA zone for times written without an offset. */
  zone: string;
  /** Base URL of the website the archived pages are published on; absent: https://www.sofastack.tech. */
  siteUrl?: string | undefined;
}

/** The SOFAStack website, where the archived posts and activity pages are published. */
export const DEFAULT_SITE_URL = 'https://www.sofastack.tech';

/**
 * An archived file's page on the website: `<site>/<section>/<slug>/`, the slug being the file name
 * without `.md` and without the `YYYY-MM-DD-` prefix the archive gives weekly posts.
 */
export function archivedPageUrl(input: Pick<ArchivedFileInput, 'file' | 'siteUrl'>, section: 'blog' | 'activities'): string {
  const name = input.file.replace(/^.*[\\/]/, '').replace(/\.(?:md|markdown)$/i, '');
  const slug = name.replace(/^\d{4}-\d{2}-\d{2}-/, '');
  return `${(input.siteUrl ?? DEFAULT_SITE_URL).replace(/\/+$/, '')}/${section}/${encodeURIComponent(slug)}/`;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}
