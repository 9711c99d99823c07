import { DateTime } from 'luxon';
import type { Entry, EventEntry, EventKind } from '../knowledge/entry.js';
import { parseOffset } from '../shared/parse-offset.js';
import { isValidZone } from '../shared/is-valid-zone.js';
import { escapeUrl } from '../shared/sanitize-markdown.js';

/** One reminder post: which event, to which group, when, and the message itself. */
export interface PlannedReminder {
  /**
   * Identifies the post for exactly-once delivery: event id, group, offset and the event's start
   * instant (UTC). Moving an event therefore retires its old keys and plans new ones, and a
   * reminder already sent for the old time never blocks the one for the new time.
   */
  key: string;
  /** The event's entry id. */
  event: string;
  /** The configured group's name. */
  group: string;
  /** When to post: ISO 8601 with the offset of `zone`. */
  at: string;
  /** The offset in its shortest form (`60m` and `1h` are both `1h`), as in the key. */
  offset: string;
  /** The event's start: ISO 8601 with the offset of `zone`. */
  start: string;
  /** The DingTalk Markdown title (shown in the chat list), e.g. `直播提醒：SOFAChannel#40`. */
  title: string;
  /** The message body in DingTalk's Markdown subset (bold, links, lists). */
  text: string;
}

export interface PlanRemindersOptions {
  /** Window start, inclusive: an ISO 8601 instant; a time without an offset is read in `zone`. */
  from: string;
  /** Window end, exclusive; read like `from`. */
  to: string;
  /** IANA zone the times in `at`, `start` and the text are written in. */
  zone: string;
  /** Offsets for events without `remind` of their own (config `reminders.offsets`). */
  defaultOffsets: readonly string[];
  /** The configured groups; only those whose `posts` include `reminders` are reminded. */
  groups: readonly { name: string; posts: readonly string[] }[];
}

const MINUTES_PER_DAY = 24 * 60;
// The kind, as the reminder's heading names it.
const HEADING: Readonly<Record<EventKind, string>> = { live: '直播提醒', meetup: 'Meetup 提醒', other: '活动提醒' };
const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];

/**
 * Plans every reminder that falls due in [from, to): for each event, each offset (its own
 * `remind`, else `defaultOffsets`) and each group it goes to, one reminder at start − offset,
 * provided that instant lies in the window and before the start. Sorted by `at`, then group,
 * then event id and offset, so the same input always gives the same list.
 *
 * - Offsets are fixed durations: `1d` is 24 hours, not "the same wall-clock time the day
 *   before". That is what `parseOffset` (and the config's validation) already means, it keeps
 *   "1 小时后" exactly true, and it has no ambiguous or missing local times to resolve on a DST
 *   change. In a zone with DST a `1d` reminder can thus land an hour off the start's clock time
 *   (Europe/Berlin); in Asia/Shanghai, which has none, the two readings agree.
 * - Offsets naming the same duration (`1h`, `60m`) are one reminder; malformed ones (the
 *   loader and config already report them) are skipped.
 * - An event's `groups` is intersected with the configured groups that take reminders: names
 *   that are unknown, or of a group that does not take reminders, are ignored; an empty list
 *   means no group. Without `groups`, every group that takes reminders is reminded.
 *
 * Throws RangeError for an unknown zone or a `from` / `to` that is not ISO 8601.
 */
export function planReminders(entries: readonly Entry[], options: PlanRemindersOptions): PlannedReminder[] {
  const { zone } = options;
  if (!isValidZone(zone)) throw new RangeError(`zone: not an IANA time zone: ${zone}`);
  const from = instant(options.from, zone, 'from');
  const to = instant(options.to, zone, 'to');
  const reminderGroups = options.groups.filter((g) => g.posts.includes('reminders')).map((g) => g.name);

  const planned: { ms: number; reminder: PlannedReminder }[] = [];
  for (const entry of entries) {
    if (entry.kind !== 'event') continue;
    const startMs = Date.parse(entry.start);
    if (Number.isNaN(startMs)) continue;
    const groups = entry.groups === undefined ? reminderGroups : reminderGroups.filter((g) => entry.groups?.includes(g));
    for (const minutes of offsetsOf(entry.remind ?? options.defaultOffsets)) {
      const ms = startMs - minutes * 60_000;
      if (ms < from || ms >= to || ms >= startMs) continue;
      for (const group of groups) planned.push({ ms, reminder: reminderFor(entry, group, minutes, ms, startMs, zone) });
    }
  }
  return planned
    .sort((a, b) => a.ms - b.ms || compare(a.reminder.group, b.reminder.group) || compare(a.reminder.key, b.reminder.key))
    .map((p) => p.reminder);
}

/** How soon an event starts when a reminder with this offset is posted: `明天`, `3 天后`, `1 小时后`, `15 分钟后`. */
export function describeOffset(offset: string): string {
  const minutes = parseOffset(offset);
  if (minutes === undefined) throw new RangeError(`not an offset such as 1d, 2h or 15m: ${offset}`);
  if (minutes % MINUTES_PER_DAY === 0) return daysAhead(minutes / MINUTES_PER_DAY);
  if (minutes % 60 === 0) return `${minutes / 60} 小时后`;
  if (minutes > 60) return `${Math.floor(minutes / 60)} 小时 ${minutes % 60} 分钟后`;
  return `${minutes} 分钟后`;
}

function reminderFor(event: EventEntry, group: string, minutes: number, ms: number, startMs: number, zone: string): PlannedReminder {
  const offset = canonicalOffset(minutes);
  const at = DateTime.fromMillis(ms, { zone });
  const start = DateTime.fromMillis(startMs, { zone });
  const startUtc = DateTime.fromMillis(startMs, { zone: 'utc' }).toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'");
  const heading = HEADING[event.eventKind];
  return {
    key: [event.id, group, offset, startUtc].map(keyPart).join('|'),
    event: event.id,
    group,
    at: iso(at),
    offset,
    start: iso(start),
    title: `${heading}：${event.title}`,
    text: reminderText(event, heading, howSoon(at, start, minutes), start, zone),
  };
}

function reminderText(event: EventEntry, heading: string, soon: string, start: DateTime, zone: string): string {
  const title = escapeInline(event.title);
  const url = event.url === undefined ? undefined : escapeUrl(event.url);
  const lines = [`- 时间：${timeRange(start, event.end, zone)}`];
  if (event.location) lines.push(`- 地点：${escapeInline(event.location)}`);
  const paragraphs = [
    `**${heading}：${soon}开始**`,
    url ? `**[${escapeLinkText(title)}](${url})**` : `**${title}**`,
    lines.join('\n'),
  ];
  if (url) paragraphs.push(`链接：[${escapeLinkText(event.url ?? '')}](${url})`);
  return paragraphs.join('\n\n');
}

/**
 * For whole days the words follow the calendar in `zone`, not the duration: across a DST change
 * a `1d` reminder can fall on the start's own day (Europe/Berlin, the night the clocks go back),
 * and "明天" would then be wrong.
 */
function howSoon(at: DateTime, start: DateTime, minutes: number): string {
  if (minutes % MINUTES_PER_DAY !== 0) return describeOffset(`${minutes}m`);
  return daysAhead(Math.round(start.startOf('day').diff(at.startOf('day'), 'days').days));
}

function daysAhead(days: number): string {
  if (days === 0) return '今天';
  return days === 1 ? '明天' : `${days} 天后`;
}

/** `11 月 28 日 周四 19:00–21:00`; an end on another day is written in full; the year only when it is not the start's. */
function timeRange(start: DateTime, end: string | undefined, zone: string): string {
  const first = `${day(start)} ${start.toFormat('HH:mm')}`;
  const endMs = end === undefined ? NaN : Date.parse(end);
  if (Number.isNaN(endMs)) return first;
  const last = DateTime.fromMillis(endMs, { zone });
  if (last.hasSame(start, 'day')) return `${first}–${last.toFormat('HH:mm')}`;
  return `${first} – ${last.year === start.year ? '' : `${last.year} 年 `}${day(last)} ${last.toFormat('HH:mm')}`;
}

function day(dt: DateTime): string {
  return `${dt.month} 月 ${dt.day} 日 周${WEEKDAYS[dt.weekday - 1] ?? ''}`;
}

/** Distinct durations, in the order first written; malformed offsets are left out. */
function offsetsOf(offsets: readonly string[]): number[] {
  const minutes = offsets.map(parseOffset).filter((m): m is number => m !== undefined);
  return [...new Set(minutes)];
}

/** The shortest spelling, so `60m` and `1h` give the same key and a rewrite does not re-send. */
function canonicalOffset(minutes: number): string {
  if (minutes % MINUTES_PER_DAY === 0) return `${minutes / MINUTES_PER_DAY}d`;
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

function instant(value: string, zone: string, name: string): number {
  const dt = DateTime.fromISO(value, { zone });
  if (!dt.isValid) throw new RangeError(`${name}: not an ISO 8601 date-time: ${value}`);
  return dt.toMillis();
}

// toFormat rather than toISO: the offset is always +hh:mm, never Z, like the loader writes it.
function iso(dt: DateTime): string {
  return dt.toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
}

// Ids are file paths and group names free text; escaping the separator keeps keys unambiguous.
function keyPart(part: string): string {
  return part.replace(/[%|]/g, (c) => (c === '%' ? '%25' : '%7C'));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function escapeLinkText(text: string): string {
  return text.replace(/[[\]]/g, (c) => (c === '[' ? '【' : '】'));
}

function escapeInline(text: string): string {
  return text.replace(/\*\*/g, '*');
}
