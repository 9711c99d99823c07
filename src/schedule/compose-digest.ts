// The weekly digest: what the knowledge says happened this week (releases, Q&A, reading) and
// what is coming up (events), as values and as one DingTalk Markdown message.
import { DateTime } from 'luxon';
import { escapeUrl, sanitizeMarkdown } from '../shared/sanitize-markdown.js';
import { cutToBytes } from '../shared/trim-text-end.js';
import type { Entry, EventEntry, EventKind, FaqEntry, ReadingEntry, ReleaseEntry } from '../knowledge/entry.js';

export interface DigestOptions {
  /** The moment the digest is composed for: ISO 8601, with an offset (without one it is read in `zone`). */
  now: string;
  /** IANA zone whose Monday-to-Monday week is digested and in which event times are shown. */
  zone: string;
  /** Events starting in [now, now + this many days) are listed. */
  eventsAheadDays: number;
  /** Upper bound for the Markdown's UTF-8 size. */
  maxBytes: number;
  /** Name in the title; "SOFA Weekly" by default. */
  siteName?: string;
  /** YYYY-MM-DD: digest the week containing this day instead of the week containing `now`. */
  weekOf?: string;
  /** Where the full list can be read (e.g. the published weekly post); linked when items are left out. */
  fullListUrl?: string;
}

/** The digested week, as calendar dates in the digest's zone. */
export interface DigestWeek {
  /** The Monday, YYYY-MM-DD. */
  start: string;
  /** The Sunday (the last day, inclusive), YYYY-MM-DD. */
  end: string;
}

export interface DigestEntries {
  /** Releases dated this week, by project (then as given). */
  releases: ReleaseEntry[];
  /** Q&A entries dated this week, as given. */
  faqs: FaqEntry[];
  /** Reading recommendations dated this week, as given. */
  readings: ReadingEntry[];
  /** Events starting in [now, now + eventsAheadDays), soonest first. */
  events: EventEntry[];
}

export interface Digest {
  /** `now` as an ISO 8601 instant with the zone's offset. */
  now: string;
  zone: string;
  week: DigestWeek;
  /** E.g. "SOFA Weekly | 11/16 - 11/22": the message title in the chat list. */
  title: string;
  /** Every selected entry; the Markdown may show fewer (see `omitted`). */
  entries: DigestEntries;
  /** How many entries the Markdown leaves out to stay within maxBytes. */
  omitted: number;
  /** DingTalk's Markdown subset: headings, bold, links, lists and quotes. */
  markdown: string;
}

export const EMPTY_WEEK_TEXT = '本周没有新的发布、问答和阅读。';

/** Nothing to post: no release, Q&A or reading of the week and no event ahead. */
export function isEmptyDigest(digest: Digest): boolean {
  const { releases, faqs, readings, events } = digest.entries;
  return releases.length + faqs.length + readings.length + events.length === 0;
}

const DEFAULT_SITE_NAME = 'SOFA Weekly';
const EXCERPT_CHARS = 80;
const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'] as const;
const EVENT_KIND_LABELS: Readonly<Record<EventKind, string>> = { live: '直播', meetup: 'Meetup', other: '活动' };

/** Composes the digest of the week containing `now` (or `weekOf`). Throws RangeError on an invalid `now`, `weekOf` or zone. */
export function composeDigest(entries: readonly Entry[], options: DigestOptions): Digest {
  const now = DateTime.fromISO(options.now, { zone: options.zone });
  if (!now.isValid) throw new RangeError(`now: cannot read "${options.now}" in zone "${options.zone}": ${now.invalidExplanation ?? now.invalidReason ?? 'invalid'}`);
  const anchor = options.weekOf === undefined ? now : DateTime.fromISO(options.weekOf, { zone: options.zone });
  if (!anchor.isValid || (options.weekOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.weekOf))) {
    throw new RangeError(`weekOf: expected a date such as 2024-05-20, got "${options.weekOf ?? ''}"`);
  }
  // luxon's weeks are ISO weeks: Monday 00:00 in the zone.
  const monday = anchor.startOf('week');
  const week: DigestWeek = { start: isoDate(monday), end: isoDate(monday.plus({ days: 6 })) };
  const inWeek = (date: string | undefined): boolean => date !== undefined && date >= week.start && date <= week.end;

  // Calendar days in the zone, so "14 days ahead" stays 14 local days across a DST change.
  const from = now.toMillis();
  const until = now.plus({ days: options.eventsAheadDays }).toMillis();
  const startOf = (event: EventEntry): number => DateTime.fromISO(event.start, { zone: options.zone }).toMillis();

  const selected: DigestEntries = {
    // Array.prototype.sort is stable: releases of one project, and events at one time, keep their order.
    releases: entries.filter((e): e is ReleaseEntry => e.kind === 'release' && inWeek(e.date)).sort((a, b) => compareText(a.project, b.project)),
    faqs: entries.filter((e): e is FaqEntry => e.kind === 'faq' && inWeek(e.date)),
    readings: entries.filter((e): e is ReadingEntry => e.kind === 'reading' && inWeek(e.date)),
    events: entries
      .filter((e): e is EventEntry => {
        if (e.kind !== 'event') return false;
        const start = startOf(e);
        return start >= from && start < until;
      })
      .sort((a, b) => startOf(a) - startOf(b)),
  };

  const title = `${options.siteName ?? DEFAULT_SITE_NAME} | ${monday.toFormat('MM/dd')} - ${monday.plus({ days: 6 }).toFormat('MM/dd')}`;
  const sections: Section[] = [
    { heading: '#### 本周发布', separator: '\n\n', items: selected.releases.map(releaseItem) },
    { heading: '#### 问答精选', separator: '\n\n', items: selected.faqs.map(faqItem) },
    { heading: '#### 推荐阅读', separator: '\n', items: selected.readings.map(readingItem) },
    { heading: '#### 近期活动', separator: '\n', items: selected.events.map((e) => eventItem(e, options.zone)) },
  ];
  const nothingNew = selected.releases.length + selected.faqs.length + selected.readings.length === 0;
  const head = nothingNew ? `### ${title}\n\n${EMPTY_WEEK_TEXT}` : `### ${title}`;
  const { markdown, omitted } = fitSections(head, sections, options.maxBytes, httpUrl(options.fullListUrl));
  return { now: isoInstant(now), zone: options.zone, week, title, entries: selected, omitted, markdown };
}

/**
 * A release body as its list of changes: one change a line, list markers and blank lines dropped.
 * Curated release notes are written as Markdown lists, archived ones as bare lines; both list alike.
 */
export function releaseChanges(body: string): string[] {
  return body
    .split('\n')
    .map((line) => line.trim().replace(/^(?:[-*+]|\d{1,3}[.)])\s+/, '').trim())
    .filter((line) => line !== '');
}

// ---------------------------------------------------------------------------------------------
// Items

interface Section {
  heading: string;
  /** Between items: a blank line for blocks, a line break for list items. */
  separator: string;
  items: string[];
}

function releaseItem(release: ReleaseEntry): string {
  const parts = [`**${escapeBold(`${release.project} ${release.version}`)}**`];
  const changes = releaseChanges(release.body).filter((line) => !/^(?:`{3,}|~{3,})/.test(line));
  if (changes.length > 0) parts.push(changes.map((c) => `- ${c}`).join('\n'));
  if (release.url) parts.push(`[发布报告](${escapeUrl(release.url)})`);
  return parts.join('\n\n');
}

function faqItem(faq: FaqEntry): string {
  const question = escapeBold(oneLine(faq.title));
  const head = faq.url ? `**[${escapeLinkText(question)}](${escapeUrl(faq.url)})**` : `**${question}**`;
  const excerpt = answerExcerpt(faq.body);
  return excerpt ? `${head}\n\n> ${excerpt}` : head;
}

function readingItem(reading: ReadingEntry): string {
  const title = oneLine(reading.title);
  return reading.url ? `- [${escapeLinkText(title)}](${escapeUrl(reading.url)})` : `- ${title}`;
}

function eventItem(event: EventEntry, zone: string): string {
  const start = DateTime.fromISO(event.start, { zone });
  const when = `${start.month} 月 ${start.day} 日 周${WEEKDAYS[start.weekday - 1] ?? ''} ${start.toFormat('HH:mm')}`;
  const title = oneLine(event.title);
  const name = event.url ? `[${escapeLinkText(title)}](${escapeUrl(event.url)})` : `**${escapeBold(title)}**`;
  return `- ${when} · ${EVENT_KIND_LABELS[event.eventKind]} · ${name}`;
}

/**
 * The answer as one short line of plain text: no links, images, code, emphasis or block markers.
 * Read from the sanitised answer, whose link targets have no parentheses left to end them early
 * and whose links to other schemes are text already.
 */
function answerExcerpt(body: string): string {
  const text = sanitizeMarkdown(body)
    .replace(/^[ \t]*(?:`{3,}|~{3,}).*$/gm, '')
    .replace(/!\[[^[\]]*\]\([^()]*\)/g, '')
    .replace(/\[([^[\]]*)\]\([^()]*\)/g, '$1')
    .replace(/^[ \t]*(?:>[ \t]?)+/gm, '')
    .replace(/^\s*(?:#{1,6}\s+|[-*+]\s+|\d{1,3}[.)、]\s*)/gm, '')
    .replace(/[*_`[\]<>]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...text];
  return chars.length > EXCERPT_CHARS ? `${chars.slice(0, EXCERPT_CHARS).join('').trimEnd()}…` : text;
}

// ---------------------------------------------------------------------------------------------
// Fitting the byte budget

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
const PARAGRAPH = '\n\n';

/**
 * Joins the sections under the head, leaving out items from the end of the longest section (by
 * bytes) until the Markdown fits, and then says how many were left out. Sizes are tracked as sums
 * so a huge week costs one pass, not one re-render per dropped item.
 */
function fitSections(head: string, sections: readonly Section[], maxBytes: number, fullListUrl: string | undefined): { markdown: string; omitted: number } {
  // Items are measured as they will be sent: sanitising turns each `<` of a tag into a 3-byte `＜`.
  const shown = sections.map((section) => {
    const s = { ...section, items: section.items.map(sanitizeMarkdown) };
    return { ...s, count: s.items.length, size: sectionBytes(s, s.items.length) };
  });
  const total = (omitted: number): number =>
    bytes(head) +
    shown.reduce((sum, s) => sum + (s.count > 0 ? bytes(PARAGRAPH) + s.size : 0), 0) +
    (omitted > 0 ? bytes(PARAGRAPH) + bytes(omittedNote(omitted, fullListUrl)) : 0);
  let omitted = 0;
  while (total(omitted) > maxBytes) {
    const longest = shown.reduce<(typeof shown)[number] | undefined>((best, s) => (s.count > 0 && (!best || s.size > best.size) ? s : best), undefined);
    if (!longest) break;
    const dropped = longest.items[longest.count - 1] ?? '';
    longest.count--;
    longest.size = longest.count === 0 ? 0 : longest.size - bytes(dropped) - bytes(longest.separator);
    omitted++;
  }
  const parts = [head, ...shown.filter((s) => s.count > 0).map((s) => `${s.heading}${PARAGRAPH}${s.items.slice(0, s.count).join(s.separator)}`)];
  if (omitted > 0) parts.push(omittedNote(omitted, fullListUrl));
  const markdown = parts.join(PARAGRAPH);
  // Only a budget smaller than the title and the note gets here: cut at a character boundary.
  return { markdown: bytes(markdown) <= maxBytes ? markdown : cutToBytes(markdown, maxBytes), omitted };
}

function sectionBytes(section: Section, count: number): number {
  if (count === 0) return 0;
  const items = section.items.slice(0, count);
  return bytes(section.heading) + bytes(PARAGRAPH) + items.reduce((sum, item) => sum + bytes(item), 0) + (count - 1) * bytes(section.separator);
}

function omittedNote(omitted: number, fullListUrl: string | undefined): string {
  return fullListUrl ? `……篇幅所限，另有 ${omitted} 条未列出，完整列表见[这里](${escapeUrl(fullListUrl)})。` : `……篇幅所限，另有 ${omitted} 条未列出。`;
}


// ---------------------------------------------------------------------------------------------
// Small helpers

function httpUrl(url: string | undefined): string | undefined {
  return url !== undefined && /^https?:\/\/\S+$/i.test(url.trim()) ? url.trim() : undefined;
}

function isoDate(dt: DateTime): string {
  return dt.toFormat('yyyy-MM-dd');
}

function isoInstant(dt: DateTime): string {
  // toFormat rather than toISO: the offset is always written as +hh:mm, never Z, as the importers write it.
  return dt.toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
}

function compareText(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function escapeLinkText(text: string): string {
  return text.replace(/[[\]]/g, (c) => (c === '[' ? '【' : '】'));
}

function escapeBold(text: string): string {
  return text.replace(/\*+/g, '*');
}
