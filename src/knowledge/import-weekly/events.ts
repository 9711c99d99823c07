// Announced events and community meetings: topic, time, place and sign-up link of each.
import type { EventEntry, EventKind, Link } from '../entry.js';
import { mentionedProject } from '../projects.js';
import { parseChineseDateTime } from '../parse-cn-datetime.js';
import { canonicalProject, cleanLine, cleanText, dedupeLinks, extractLinks, isLinkOnly, plain, readProjectLink, stripImages, type Line } from './lines.js';
import { warning, type Draft, type PostContext, type Section } from './post.js';

interface EventDraft {
  first: Line;
  /** Links of the closing project-link line ("「Layotto」：…/issues/907"), kept out of the body. */
  projectLinks: Link[];
  title: string | undefined;
  timeText: string | undefined;
  location: string | undefined;
  signUp: string | undefined;
  project: string | undefined;
  lines: Line[];
}

/** `**主题**：…`, `- **直播时间：**…`, `时间：…`: a label and its value. */
function readField(text: string): { key: string; value: string } | undefined {
  const t = stripImages(text)
    .trim()
    .replace(/^[-+|]\s*/, '');
  const m = /^\*{0,2}([^：:*[\]()]{1,10}?)\s*\*{0,2}\s*[：:]\s*\*{0,2}\s*(.*)$/.exec(t);
  if (!m?.[1]) return undefined;
  return { key: m[1].trim(), value: (m[2] ?? '').trim() };
}

const TITLE_KEY = /主题$/;
const TIME_KEY = /时间$/;
const PLACE_KEY = /^(?:活动|日程|会议|分享)?(?:地点|地址)$/;
const SIGN_UP_KEY = /报名|直播间|入会链接|活动详情|日程详情|观看直播/;

/**
 * Reads announced events: each "主题" (or, in community-meeting notices, each "**Layotto：**"
 * project label) opens an event; its "时间", "地点" and sign-up lines follow. Older posts have no
 * labels, so the title comes from 《…》 and the time from the first line holding a date. Events
 * whose start cannot be read are skipped, and so is whatever sits under a "回顾" (review) heading.
 */
export function parseEventSection(section: Section, context: PostContext): Draft<EventEntry>[] {
  const groups: EventDraft[] = [];
  const open = (line: Line, project?: string): EventDraft => {
    const group: EventDraft = { first: line, projectLinks: [], title: undefined, timeText: undefined, location: undefined, signUp: undefined, project, lines: [] };
    groups.push(group);
    return group;
  };
  let current: EventDraft | undefined;
  // After a meeting's project link ("「Layotto」：…"), only its URL lines still belong to it.
  let closing: EventDraft | undefined;
  let review = /回顾/.test(section.title);
  for (const line of section.lines) {
    if (line.code) continue;
    const sub = /^\s*#{1,6}\s*(.*)$/.exec(line.text)?.[1];
    if (sub !== undefined) {
      review = /回顾/.test(sub);
      current = undefined;
      continue;
    }
    if (review || cleanLine(line.text).trim() === '') continue;
    const text = line.text.trim();
    if (closing && isLinkOnly(text)) {
      closing.projectLinks.push(...extractLinks(text));
      continue;
    }
    closing = undefined;
    if (section.kind === 'meeting') {
      const projectLink = readProjectLink(text);
      if (projectLink && current && /「/.test(text)) {
        current.projectLinks.push(...projectLink.links);
        closing = current;
        current = undefined;
        continue;
      }
      // "**Layotto：**" or "**MOSN**" opens the notice of that project's meeting.
      const label = /^\*\*\s*([A-Za-z][\w -]*?)\s*[：:]?\s*\*\*\s*[：:]?$/.exec(text)?.[1];
      const project = label ? canonicalProject(label) : undefined;
      if (project) {
        current = open(line, project);
        continue;
      }
    }
    const field = readField(text);
    if (field && TITLE_KEY.test(field.key) && (!current || current.title !== undefined)) current = open(line, current?.project);
    current ??= open(line);
    current.lines.push(line);
    if (!field) continue;
    if (TITLE_KEY.test(field.key) && current.title === undefined) current.title = field.value;
    else if (TIME_KEY.test(field.key) && current.timeText === undefined) current.timeText = field.value;
    else if (PLACE_KEY.test(field.key) && current.location === undefined) current.location = field.value;
    else if (SIGN_UP_KEY.test(field.key) && current.signUp === undefined) current.signUp = extractLinks(field.value)[0]?.url;
  }
  const drafts: Draft<EventEntry>[] = [];
  for (const group of groups) {
    const event = toEvent(group, section.kind === 'meeting', context);
    if (event) drafts.push(event);
  }
  return drafts;
}

function toEvent(group: EventDraft, meeting: boolean, context: PostContext): Draft<EventEntry> | undefined {
  if (!context.date) return undefined;
  const prose = group.lines.map((l) => l.text);
  const time = group.timeText !== undefined ? readEventTime([group.timeText], context) : readProseTime(prose, context.date, context);
  if (!time) return undefined;
  const title = eventTitle(group, prose);
  if (!title) return undefined;
  const links = dedupeLinks([...prose.flatMap((t) => extractLinks(t)), ...group.projectLinks]);
  const httpLinks = links.filter((l) => /^https?:/i.test(l.url));
  const signUpLine = prose.find((t) => /报名|点击|这里/.test(t));
  const url =
    (group.signUp && /^https?:/i.test(group.signUp) ? group.signUp : undefined) ??
    (signUpLine ? extractLinks(signUpLine).find((l) => /^https?:/i.test(l.url))?.url : undefined) ??
    httpLinks[0]?.url;
  const location = group.location ? plain(group.location) : undefined;
  const body = cleanText(group.lines.map((l) => ({ ...l, text: l.text.replace(/^\s*\|\s*/, '') })));
  const project = group.project ?? mentionedProject(title);
  return {
    kind: 'event',
    title,
    body,
    ...(url ? { url } : {}),
    links,
    ...(project ? { project } : {}),
    tags: [],
    line: group.first.line,
    start: time.start,
    ...(time.end ? { end: time.end } : {}),
    eventKind: meeting ? 'other' : eventKind(prose.join('\n')),
    ...(location ? { location } : {}),
  };
}

function readEventTime(texts: string[], context: PostContext): { start: string; end?: string } | undefined {
  if (!context.date) return undefined;
  for (const text of texts) {
    try {
      const found = parseChineseDateTime(plain(stripImages(text)), { referenceDate: context.date, zone: context.zone });
      if (found) return found;
    } catch {
      // An unusable zone is the caller's configuration, not the post's: report once, skip events.
      if (!context.problems.some((p) => p.message.startsWith('cannot read event times'))) {
        context.problems.push(warning(context.file, 1, `cannot read event times in zone "${context.zone}"`));
      }
      return undefined;
    }
  }
  return undefined;
}

/**
 * A date found in the prose of an announcement without a "时间" line. Announcements look ahead, so
 * a date well before the post is background ("2022 年 12 月 10 日，Occlum 正式发布 v1.0"), not the event.
 */
function readProseTime(prose: string[], postDate: string, context: PostContext): { start: string; end?: string } | undefined {
  const time = readEventTime(prose, context);
  if (!time || time.start.slice(0, 10) < shiftDate(postDate, -1)) return undefined;
  return time;
}

function shiftDate(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return Number.isNaN(d.getTime()) ? date : d.toISOString().slice(0, 10);
}

const EVENT_NAME = /meetup|webinar|sofachannel|#\s*\d|大会|年会|峰会|沙龙/i;

/**
 * The event's name: the "主题" value; else a 《…》 title or a bold event name ("Service Mesh
 * Meetup#8 特别场") in the first lines; else a named series in the text ("Service Mesh Meetup 成都站");
 * for a meeting notice without a topic, "<project> 社区会议".
 */
function eventTitle(group: EventDraft, prose: string[]): string | undefined {
  const unwrap = (s: string): string =>
    plain(stripImages(s))
      .replace(/^《(.*)》$/, '$1')
      .replace(/<[^>]*\/?>/g, '')
      .trim();
  if (group.title && unwrap(group.title) !== '') return unwrap(group.title);
  const first = prose.slice(0, 4).map((t) => stripImages(t));
  for (const text of first) {
    const quoted = /《([^》]+)》/.exec(plain(text))?.[1];
    if (quoted) return unwrap(quoted);
  }
  const bolds = first.flatMap((t) => [...t.matchAll(/\*\*([^*]{4,})\*\*/g)].map((m) => (m[1] ?? '').trim()));
  const namedBold = bolds.find((b) => EVENT_NAME.test(b));
  if (namedBold) return unwrap(namedBold);
  for (const text of first) {
    const named = /((?:[A-Z][\w-]*\s+){0,3}(?:Meetup|Webinar|SOFAChannel)\s*#?\s*\d*(?:\s*[\u4e00-\u9fa5]{1,4}站)?)/.exec(plain(text))?.[1];
    if (named) return named.trim();
  }
  const bold = bolds.find((b) => !/[：:！!]$/.test(b));
  if (bold) return unwrap(bold);
  if (group.project) return `${group.project} 社区会议`;
  return undefined;
}

function eventKind(text: string): EventKind {
  if (/直播|线上|webinar|sofachannel/i.test(text)) return 'live';
  if (/meetup|峰会|大会|年会|沙龙|地点|地址/i.test(text)) return 'meetup';
  return 'other';
}
