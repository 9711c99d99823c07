import { archivedPageUrl, type ArchivedFileInput, type EventEntry, type EventKind, type Link, type Problem } from './entry.js';
import { EVENT_YEARS, isEventYear, parseChineseDateTime, type ChineseDateTimeRange } from './parse-cn-datetime.js';
import { mentionedProject } from './projects.js';
import { trimTrailing } from '../shared/trim-text-end.js';

export const NO_TIME_LINE_MESSAGE = 'no 活动时间 line: the event start is the page date';
export const UNREAD_TIME_LINE_MESSAGE = 'no date in this time line: the event start is the page date';

/**
 * True for a page that announces or recalls an event: it has a title and a date, and its
 * title, description, categories or tags name an event series (SOFAChannel, Meetup, 开源之夏 …)
 * or its body has an event summary (`## 概要`, `活动时间：`). SOFA Weekly posts mention live
 * streams every week, so they are never activity pages.
 */
export function isActivityPage(data: Record<string, unknown>, body: string): boolean {
  const title = text(data['title']);
  if (!title || !pageDate(data['date'])) return false;
  const labels = [title, ...texts(data['categories']), ...texts(data['tags'])];
  if (labels.some((label) => WEEKLY.test(label))) return false;
  const described = [...labels, text(data['description']) ?? '', text(data['descripton']) ?? ''];
  // Loose words such as 直播 are only trusted in the front matter: blog bodies use them freely.
  return described.some((label) => EVENT_WORDS.test(label)) || hasEventSummary(body);
}

/**
 * Turns an activity page into one event entry. The start comes from the first time line of the
 * body (`活动时间：`, `**直播时间：**`, `时间：`, `日期：` + `时间：`); without one, the page date is
 * the start and a warning says so. Only a missing title or date makes the page unusable.
 * Throws RangeError for an invalid zone (configuration, checked before any page is read).
 */
export function importActivityPage(input: ArchivedFileInput): { entries: EventEntry[]; problems: Problem[] } {
  const { file, data, zone } = input;
  const title = text(data['title']);
  const date = pageDate(data['date']);
  if (!title || !date) {
    const missing = !title ? '`title`' : '`date` (YYYY-MM-DD…)';
    return { entries: [], problems: [{ file, line: 1, severity: 'error', message: `an activity page needs a front-matter ${missing}` }] };
  }
  // The page date dates the event (its year, or the whole start without a time line).
  const year = Number(date.slice(0, 4));
  if (!isEventYear(year)) {
    const message = `date: the year ${year} is outside ${EVENT_YEARS.first}–${EVENT_YEARS.last}, so this activity page cannot date its event`;
    return { entries: [], problems: [{ file, line: 1, severity: 'error', message }] };
  }

  const lines = bodyLines(input.body);
  const problems: Problem[] = [];
  const found = findTimeLine(lines, date, zone);
  if (!found.time) {
    problems.push(
      found.unreadLine === undefined
        ? { file, line: 1, severity: 'warning', message: NO_TIME_LINE_MESSAGE }
        : { file, line: input.bodyLine + found.unreadLine, severity: 'warning', message: UNREAD_TIME_LINE_MESSAGE },
    );
  }
  const time = found.time ?? startOfDay(date, zone);

  const summary = summaryItems(lines, found.line);
  const roledLinks = summaryLinks(summary);
  const links = roledLinks.map((l) => l.link);
  const url = pickUrl(roledLinks);
  const location = labelValue(lines, LOCATION_LABEL);
  const tags = texts(data['tags']);
  const project = projectIn(tags);
  const description = text(data['description']) ?? text(data['descripton']);
  const body = [description, renderSummary(summary)].filter((part): part is string => !!part).join('\n\n');

  const entry: EventEntry = {
    kind: 'event',
    id: input.idPrefix,
    title,
    body,
    links,
    date,
    tags,
    start: time.start,
    eventKind: eventKindOf(lines, [title, ...texts(data['categories']), ...tags]),
    source: { file, line: found.line === undefined ? input.bodyLine : input.bodyLine + found.line },
    // The page on the website: the archive names each page after its folder there.
    origin: { title: `SOFAStack 活动页 ${date}`, url: archivedPageUrl(input, 'activities'), date },
    ...(time.end ? { end: time.end } : {}),
    ...(url ? { url } : {}),
    ...(location ? { location } : {}),
    ...(project ? { project } : {}),
  };
  return { entries: [entry], problems };
}

const WEEKLY = /sofa\s*weekly/i;
const EVENT_WORDS =
  /SOFAChannel|SOFAMeetup|Meetup|Webinar|Workshop|SOFALab|SOFATalk|直播|开源之夏|周年|Summer\s*20\d\d|Open Source Promotion Plan/i;

const TIME_LABEL = /^(?:(?:活动|直播|线上直播|日程)?时间|日期)$/;
const DATE_ONLY_LABEL = /^日期$/;
const LOCATION_LABEL = /^(?:活动)?地点$/;
const FORM_LABEL = /^活动形式$/;
const SUMMARY_HEADING = /^#{1,6}\s*概要\s*$/;
const HEADING = /^#{1,6}\s/;

interface BodyLine {
  /** The line as written. */
  raw: string;
  /** False inside fenced code, whose `时间：` lines are examples, not announcements. */
  prose: boolean;
}

function bodyLines(body: string): BodyLine[] {
  let inFence = false;
  return body.split(/\r?\n/).map((raw) => {
    if (/^\s*(?:```|~~~)/.test(raw)) {
      inFence = !inFence;
      return { raw, prose: false };
    }
    return { raw, prose: !inFence };
  });
}

/** Scalar front-matter text, trimmed; undefined when absent, empty or not a string. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A list written as a list or as a single value (`categories: "SOFAChannel"`). */
function texts(value: unknown): string[] {
  const values = Array.isArray(value) ? (value as unknown[]) : [value];
  return values.map(text).filter((v): v is string => v !== undefined);
}

/** The calendar part of the front-matter date as written (2019-01-17T10:20:00.000Z → 2019-01-17). */
function pageDate(value: unknown): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text(value) ?? '');
  if (!m) return undefined;
  const [, y, mo, d] = m.map(Number) as [number, number, number, number];
  const check = new Date(Date.UTC(y, mo - 1, d));
  return check.getUTCMonth() === mo - 1 && check.getUTCDate() === d ? m[0] : undefined;
}

/** 00:00 of a date that pageDate has already checked, in the zone. */
function startOfDay(date: string, zone: string): ChineseDateTimeRange {
  const parsed = parseChineseDateTime(date, { referenceDate: date, zone });
  if (!parsed) throw new Error(`unreachable: the page date ${date} did not parse`);
  return { start: parsed.start };
}

interface Labelled {
  label: string;
  value: string;
}

/**
 * Splits `- **活动时间：**8 月 29 日`, `* \u200b**活动时间**\u200b：…`, `活动形式：线上直播` into label and
 * value. Emphasis and zero-width spaces go first, so the label pattern is a plain bounded run.
 */
function labelled(line: string): Labelled | undefined {
  const plain = line.replace(/\*\*|__|[\u200B-\u200D\u2060\uFEFF]/g, '');
  const m = /^\s*(?:>\s*)*(?:(?:[-*+]|\d+\.)\s+)?([^\s：:[\]()<>/][^：:[\]()<>/]{0,14}?)\s*[：:]\s*(.*)$/.exec(plain);
  return m ? { label: (m[1] ?? '').trim(), value: (m[2] ?? '').trim() } : undefined;
}

interface TimeLineSearch {
  time?: ChineseDateTimeRange;
  /** 0-based body line of the time line that was read. */
  line?: number;
  /** 0-based body line of the first time line, when no time line held a date. */
  unreadLine?: number;
}

function findTimeLine(lines: BodyLine[], referenceDate: string, zone: string): TimeLineSearch {
  let unreadLine: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line?.prose) continue;
    const item = labelled(line.raw);
    if (!item || !TIME_LABEL.test(item.label)) continue;
    // The workshop page writes `日期：2019年6月24日` and then `时间：9:00 – 16:00` on the next line.
    const next = DATE_ONLY_LABEL.test(item.label) ? nextTimeLine(lines, i) : undefined;
    const candidates = next ? [`${item.value} ${next.value}`, item.value] : [item.value];
    for (const candidate of candidates) {
      const time = parseChineseDateTime(candidate, { referenceDate, zone });
      if (time) return { time, line: i };
    }
    unreadLine ??= i;
  }
  return unreadLine === undefined ? {} : { unreadLine };
}

/** The `时间：` line right after a `日期：` line (blank lines allowed between). */
function nextTimeLine(lines: BodyLine[], from: number): Labelled | undefined {
  for (let i = from + 1; i < lines.length; i++) {
    const raw = lines[i]?.raw ?? '';
    if (raw.trim() === '') continue;
    const item = labelled(raw);
    return item && TIME_LABEL.test(item.label) && !DATE_ONLY_LABEL.test(item.label) ? item : undefined;
  }
  return undefined;
}

function hasEventSummary(body: string): boolean {
  return bodyLines(body).some((line) => {
    if (!line.prose) return false;
    if (SUMMARY_HEADING.test(line.raw.trim())) return true;
    const item = labelled(line.raw);
    return item !== undefined && /^(?:活动|直播|线上直播)时间$/.test(item.label);
  });
}

/** First value of a `label：value` line in the body, as plain text. */
function labelValue(lines: BodyLine[], label: RegExp): string | undefined {
  for (const line of lines) {
    if (!line.prose) continue;
    const item = labelled(line.raw);
    if (item && label.test(item.label)) {
      const value = plainText(item.value);
      if (value) return value;
    }
  }
  return undefined;
}

/** A 概要 entry: `- 资料下载：` with the links written under it as children. */
interface SummaryItem {
  label: string | undefined;
  text: string;
  children: string[];
}

/**
 * The lines of the 概要 section; on pages without one, the block of list items and
 * `label：value` lines around the time line (the same facts, unheaded).
 */
function summaryItems(lines: BodyLine[], timeLine: number | undefined): SummaryItem[] {
  const range = summaryRange(lines, timeLine);
  if (!range) return [];
  const items: SummaryItem[] = [];
  for (let i = range.from; i < range.to; i++) {
    const line = lines[i];
    if (!line?.prose) continue;
    const content = cleanInline(line.raw.replace(/^\s*(?:>\s*)*(?:(?:[-*+]|\d+\.)\s+)?/, ''));
    if (content === '') continue;
    const startsItem = /^\s{0,1}(?:[-*+]|\d+\.)\s/.test(line.raw) || (/^\S/.test(line.raw) && isLabelLine(line.raw));
    const last = items[items.length - 1];
    if (startsItem || !last) {
      items.push({ label: labelled(line.raw)?.label, text: content, children: [] });
    } else {
      last.children.push(content);
    }
  }
  return items;
}

function isLabelLine(raw: string): boolean {
  return labelled(raw) !== undefined;
}

function summaryRange(lines: BodyLine[], timeLine: number | undefined): { from: number; to: number } | undefined {
  const heading = lines.findIndex((line) => line.prose && SUMMARY_HEADING.test(line.raw.trim()));
  if (heading !== -1) {
    let to = heading + 1;
    while (to < lines.length && !HEADING.test(lines[to]?.raw ?? '')) to++;
    return { from: heading + 1, to };
  }
  if (timeLine === undefined) return undefined;
  const isBlockLine = (i: number): boolean => {
    const raw = lines[i]?.raw ?? '';
    return raw.trim() === '' || /^\s*(?:[-*+]|\d+\.)\s/.test(raw) || /^\s{2,}\S/.test(raw) || isLabelLine(raw);
  };
  let from = timeLine;
  while (from > 0 && isBlockLine(from - 1)) from--;
  let to = timeLine + 1;
  while (to < lines.length && isBlockLine(to)) to++;
  return { from, to };
}

function renderSummary(items: SummaryItem[]): string {
  return items.flatMap((item) => [`- ${item.text}`, ...item.children.map((child) => `  - ${child}`)]).join('\n');
}

/**
 * A URL inside Markdown `(...)`, which may itself hold one level of parentheses: slide links such
 * as `…Apache%20seata(inbucating)…(1).pdf`. No `[`/`]`, so a scan never runs past the next link.
 */
const URL_IN_PARENS = '(?:[^()[\\]\\s]|\\([^()[\\]\\s]*\\))+';
const IMAGE = new RegExp(`!\\[[^[\\]\\n]*\\]\\(${URL_IN_PARENS}\\)`, 'g');
const MARKDOWN_LINK = new RegExp(`\\[([^[\\]\\n]*)\\]\\(${URL_IN_PARENS}\\)`, 'g');

/** Images, HTML tags (not autolinks), emphasis and zero-width spaces out; spaces collapsed. */
function cleanInline(line: string): string {
  return line
    .replace(IMAGE, '')
    .replace(/<(?![a-z][a-z0-9+.-]*:)\/?[a-zA-Z][^<>]*>/g, '')
    .replace(/\*\*|[\u200B-\u200D\u2060\uFEFF]/g, '')
    // A lone `*` is emphasis next to Chinese text or a space; inside URLs (A*TzAJ…) it is data.
    .replace(/(?<=[\s\u3000-\u9fff\uff00-\uffef])\*|\*(?=[\s\u3000-\u9fff\uff00-\uffef])/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Link text in place of links, for values such as a location. */
function plainText(value: string): string {
  return cleanInline(value)
    .replace(MARKDOWN_LINK, '$1')
    .replace(/<(https?:\/\/[^<>\s]+)>/g, '$1')
    .trim();
}

const LINK = new RegExp(
  `\\[([^[\\]\\n]*)\\]\\((https?://${URL_IN_PARENS})\\)|<(https?://[^<>\\s]+)>|(https?://[^\\s<>()[\\]"'\\u3000-\\u9fff\\uff00-\\uffef]+)`,
  'g',
);
const GENERIC_LINK_TEXT = /^(?:请?戳这里|点击\S{0,4}|这里|此处|链接|点我|link|here)$/i;

/** A summary link and what its item says it is (the label, or the link text when there is none). */
interface RoledLink {
  link: Link;
  role: string;
}

function summaryLinks(items: SummaryItem[]): RoledLink[] {
  const links: RoledLink[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    for (const line of [item.text, ...item.children]) {
      for (const link of linksIn(line, item.label)) {
        if (seen.has(link.url)) continue;
        seen.add(link.url);
        links.push({ link, role: item.label ?? link.title });
      }
    }
  }
  return links;
}

/** Links of one line; a link whose text says nothing (戳这里, the URL itself) takes the item's label. */
function linksIn(line: string, label: string | undefined): Link[] {
  const links: Link[] = [];
  for (const m of line.matchAll(LINK)) {
    const url = trimTrailing((m[2] ?? m[3] ?? m[4] ?? '').replace(/\\_/g, '_'), '.,;:!?', false);
    const linkText = (m[1] ?? '').trim();
    const title = linkText && !GENERIC_LINK_TEXT.test(linkText) && !/^(?:https?:\/\/|www\.)/i.test(linkText) ? linkText : (label ?? url);
    links.push({ title, url });
  }
  return links;
}

/**
 * The one link to show with the event, chosen by what the summary calls it (a talk title such as
 * 《蚂蚁注册中心…》 must not count as 注册). Archived pages gain a replay link after the event, and a
 * replay is what a reader asking later wants; before that, the sign-up, then the live room, then
 * whatever the summary links first.
 */
function pickUrl(links: RoledLink[]): string | undefined {
  const tiers = [/视频|回放|回看|回顾(?!文章)/, /报名|注册|活动入口/, /直播间|直播地址/];
  for (const tier of tiers) {
    const found = links.find((l) => tier.test(l.role));
    if (found) return found.link.url;
  }
  return links[0]?.link.url;
}

/**
 * `活动形式：` decides when present (线下 Meetup + 线上直播 is a meetup streamed live); otherwise the
 * series named in the title, categories and tags.
 */
function eventKindOf(lines: BodyLine[], labels: string[]): EventKind {
  const form = labelValue(lines, FORM_LABEL);
  if (form && /线下/.test(form)) return 'meetup';
  if (form && /线上|直播/.test(form)) return 'live';
  const all = labels.join(' ');
  if (/SOFAChannel|SOFATalk|直播|线上|webinar/i.test(all)) return 'live';
  // "不办 Meetup" (the 8th anniversary "no Meetup, a PR challenge instead") is not a meetup.
  if (/(?<![不没]办\s?)meetup|线下/i.test(all)) return 'meetup';
  return 'other';
}

function projectIn(tags: string[]): string | undefined {
  for (const tag of tags) {
    const project = mentionedProject(tag);
    if (project) return project;
  }
  return undefined;
}
