import { z } from 'zod';
import { DateTime } from 'luxon';
import { parseOffset } from '../shared/parse-offset.js';
import { EVENT_YEARS, isEventYear } from './parse-cn-datetime.js';
import { EVENT_KINDS, type Entry, type EntryKind, type EventKind, type Problem } from './entry.js';
import type { FrontMatter } from './parse-front-matter.js';

/** Folder names that decide the kind of a file without `kind:` in its front matter. */
export const KIND_FOLDERS: Readonly<Record<string, EntryKind>> = {
  faq: 'faq',
  releases: 'release',
  events: 'event',
  reading: 'reading',
};

const text = z.string().trim().min(1, 'must not be empty');
// YAML lets admins write a single value where a list is meant; accept both.
const textList = z
  .union([text, z.array(text)])
  .transform((v) => (typeof v === 'string' ? [v] : v))
  .optional();
const httpUrl = z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' });
const date = text.refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && DateTime.fromISO(s, { setZone: true }).isValid, {
  message: 'expected a date such as 2024-05-17',
});
const link = z.object({ title: text, url: httpUrl }).strict();

// Keys every kind accepts: `kind` (the entry kind, or an event kind), an explicit `id`, and labels.
const common = {
  kind: text.optional(),
  id: text.regex(/^[\w./#-]+$/, 'use letters, digits, ".", "/", "#", "_" and "-" only').optional(),
  tags: textList,
  links: z.array(link).optional(),
};

const schemas = {
  faq: z
    .object({ ...common, question: text, aliases: textList, project: text.optional(), date: date.optional() })
    .strict(),
  release: z.object({ ...common, project: text, version: text, date: date.optional(), url: httpUrl.optional() }).strict(),
  event: z
    .object({
      ...common,
      title: text,
      start: text,
      end: text.optional(),
      url: httpUrl.optional(),
      location: text.optional(),
      project: text.optional(),
      remind: z
        .union([text, z.array(text)])
        .transform((v) => (typeof v === 'string' ? [v] : v))
        .refine((list) => list.every((o) => parseOffset(o) !== undefined), {
          message: 'expected offsets such as 1d, 2h or 15m',
        })
        .optional(),
      groups: textList,
    })
    .strict(),
  reading: z
    .object({ ...common, title: text, url: httpUrl, date: date.optional(), project: text.optional() })
    .strict(),
} as const;

/** The entry kind a front-matter `kind:` names; event kinds (live, meetup, other) imply an event. */
export function kindFromFrontMatter(value: unknown): EntryKind | undefined {
  if (typeof value !== 'string') return undefined;
  const kind = value.trim().toLowerCase();
  if (kind in schemas) return kind as EntryKind;
  if ((EVENT_KINDS as readonly string[]).includes(kind)) return 'event';
  return undefined;
}

export interface CuratedInput {
  file: string;
  /** Used when the front matter has no `id`. */
  defaultId: string;
  kind: EntryKind;
  frontMatter: FrontMatter;
  zone: string;
}

/** Validates an admin-written file of a known kind; returns its entry or every problem found. */
export function parseCuratedEntry(input: CuratedInput): { entry?: Entry; problems: Problem[] } {
  const { file, kind, frontMatter } = input;
  const problem = (line: number, message: string): Problem => ({ file, line, severity: 'error', message });
  const result = schemas[kind].safeParse(frontMatter.data);
  if (!result.success) {
    return {
      problems: result.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) =>
              problem(
                frontMatter.lineOf([...issue.path, key]),
                `unknown field "${key}" for a ${kind} entry (known: ${Object.keys(schemas[kind].shape).join(', ')})`,
              ),
            )
          : [problem(frontMatter.lineOf(issue.path), describeIssue(issue))],
      ),
    };
  }
  const data = result.data;
  const body = frontMatter.body.trim();
  const base = {
    id: data.id ?? input.defaultId,
    body,
    links: data.links ?? [],
    tags: data.tags ?? [],
    source: { file, line: 1 },
  };
  const dateOf = (s: string | undefined) => (s ? { date: s.slice(0, 10) } : {});

  switch (kind) {
    case 'faq': {
      const d = result.data as z.infer<typeof schemas.faq>;
      if (!body) return { problems: [problem(frontMatter.bodyLine, 'the answer (the text after the front matter) is empty')] };
      const url = d.links?.[0]?.url;
      return {
        problems: [],
        entry: {
          ...base,
          kind: 'faq',
          title: d.question,
          aliases: d.aliases ?? [],
          ...(url ? { url } : {}),
          ...(d.project ? { project: d.project } : {}),
          ...dateOf(d.date),
        },
      };
    }
    case 'release': {
      const d = result.data as z.infer<typeof schemas.release>;
      return {
        problems: [],
        entry: {
          ...base,
          kind: 'release',
          title: `${d.project} ${d.version}`,
          project: d.project,
          version: d.version,
          ...(d.url ? { url: d.url } : {}),
          ...dateOf(d.date),
        },
      };
    }
    case 'event': {
      const d = result.data as z.infer<typeof schemas.event>;
      const problems: Problem[] = [];
      const instantOf = (field: 'start' | 'end', value: string, example: string): string | undefined => {
        const parsed = toInstant(value, input.zone, example);
        if ('instant' in parsed) return parsed.instant;
        problems.push(problem(frontMatter.lineOf([field]), `${field}: ${parsed.problem}`));
        return undefined;
      };
      const start = instantOf('start', d.start, '2024-05-30T19:00');
      const end = d.end === undefined ? undefined : instantOf('end', d.end, '2024-05-30T21:00');
      if (start && end && end < start) problems.push(problem(frontMatter.lineOf(['end']), 'end: is before start'));
      const eventKind = eventKindOf(d.kind);
      if (!start || problems.length > 0) return { problems };
      return {
        problems,
        entry: {
          ...base,
          kind: 'event',
          title: d.title,
          start,
          eventKind,
          ...(end ? { end } : {}),
          ...(d.url ? { url: d.url } : {}),
          ...(d.location ? { location: d.location } : {}),
          ...(d.project ? { project: d.project } : {}),
          ...(d.remind ? { remind: d.remind } : {}),
          ...(d.groups ? { groups: d.groups } : {}),
          date: start.slice(0, 10),
        },
      };
    }
    case 'reading': {
      const d = result.data as z.infer<typeof schemas.reading>;
      return {
        problems: [],
        entry: {
          ...base,
          kind: 'reading',
          title: d.title,
          url: d.url,
          ...(d.project ? { project: d.project } : {}),
          ...dateOf(d.date),
        },
      };
    }
  }
}

function eventKindOf(kind: string | undefined): EventKind {
  const k = kind?.toLowerCase();
  return (EVENT_KINDS as readonly string[]).includes(k ?? '') ? (k as EventKind) : 'other';
}

// Real UTC offsets run from -12:00 (Baker Island) to +14:00 (Kiribati); luxon reads +25:00 too.
const OFFSET_MINUTES = { min: -12 * 60, max: 14 * 60 } as const;

/** ISO 8601 in, ISO 8601 with offset out, or what is wrong; a time without an offset is read in `zone`. */
function toInstant(value: string, zone: string, example: string): { instant: string } | { problem: string } {
  const dt = DateTime.fromISO(value, { zone, setZone: true });
  const instant = dt.isValid ? dt.toISO({ suppressMilliseconds: true }) : null;
  if (instant === null) return { problem: `expected an ISO 8601 date-time such as ${example}` };
  if (!isEventYear(dt.year)) return { problem: `the year ${dt.year} is outside ${EVENT_YEARS.first}–${EVENT_YEARS.last}` };
  if (dt.offset < OFFSET_MINUTES.min || dt.offset > OFFSET_MINUTES.max) {
    return { problem: `the UTC offset ${dt.toFormat('ZZ')} is outside -12:00 to +14:00` };
  }
  return { instant };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.');
  if (issue.code === 'invalid_type' && issue.input === undefined) return `missing required field "${field}"`;
  return `${field}: ${issue.message}`;
}
