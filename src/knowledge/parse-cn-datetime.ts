import { DateTime } from 'luxon';

/**
 * The years an event may fall in, for curated files and imported archives alike. Fixed rather
 * than relative to today, so a file that validates once validates always; wide enough for any
 * real announcement, narrow enough that a typo (2204, 0, 99999) is an error, not a date that is
 * "upcoming" forever or prints as +099999.
 */
export const EVENT_YEARS = { first: 1970, last: 2099 } as const;

export function isEventYear(year: number): boolean {
  return year >= EVENT_YEARS.first && year <= EVENT_YEARS.last;
}

/** A start (and maybe an end) as ISO 8601 with offset, e.g. 2019-08-29T19:00:00+08:00. */
export interface ChineseDateTimeRange {
  start: string;
  end?: string;
}

export interface ChineseDateTimeOptions {
  /** YYYY-MM-DD: the date of the page or post the text comes from; supplies a missing year. */
  referenceDate: string;
  /** IANA zone the wall-clock times in the text are read in, e.g. Asia/Shanghai. */
  zone: string;
}

/**
 * Finds the first date in a Chinese announcement line, with the time after it and the end of a
 * range if there is one: `8 月 29 日周四晚 7 点`, `2021 年 09 月 11 日（周六）13:30-17:00`,
 * `2019-11-02 09:00 ~ 11-03 17:00`, `2026 年 4 月 1 日-2026 年 4 月 25 日`. A date without a time
 * is 00:00 local; an end date without a time is 00:00 of that day. Returns undefined when the text
 * holds no date. Throws RangeError for an invalid zone or reference date (a caller's bug, not the
 * text's).
 *
 * Without a year in the text, the year is the one that puts the date no more than two months
 * before and less than ten months after the reference date: a December post announcing
 * "1 月 9 日" means next January, and a January post recalling "12 月 28 日" means last December.
 */
export function parseChineseDateTime(text: string, opts: ChineseDateTimeOptions): ChineseDateTimeRange | undefined {
  const reference = parseReference(opts);
  const s = normalize(text);

  for (const m of s.matchAll(DATE)) {
    const startDate = dateFromMatch(m, reference);
    // Not a calendar date (13 月 40 日, 2 月 30 日): keep looking for a real one.
    if (!startDate) continue;
    const numeric = m[NUMERIC_YEAR] !== undefined;

    let pos = m.index + m[0].length;
    pos = skip(FILLER, s, pos);
    const startTime = readTime(s, pos, undefined);
    if (startTime) pos = startTime.next;
    const start = at(startDate, startTime?.clock ?? MIDNIGHT, opts.zone);

    const end = readEnd(s, pos, { startDate, start, startPeriod: startTime?.period, numeric, zone: opts.zone });
    return end ? { start: iso(start), end: iso(end) } : { start: iso(start) };
  }
  return undefined;
}

interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

interface Clock {
  hour: number;
  minute: number;
}

const MIDNIGHT: Clock = { hour: 0, minute: 0 };

// All patterns run on normalized text: ASCII digits and punctuation, single spaces, so every gap
// is ` ?` and no quantifier can backtrack over a long run (a 100 KB line stays linear).
const YEAR = '((?:19|20)\\d{2})';
/**
 * Group numbers: 1-3 year-month-day with 年月日; 4-5 month-day; 6-9 numeric (year, separator,
 * month, day) as in 2019-01-17 or 2020/5/28. Dots are not accepted: they are version numbers.
 */
const DATE = new RegExp(
  `(?<!\\d)${YEAR} ?年 ?(\\d{1,2}) ?月 ?(\\d{1,2}) ?[日号]` +
    `|(?<!\\d)(\\d{1,2}) ?月 ?(\\d{1,2}) ?[日号]` +
    `|(?<!\\d)${YEAR}([-/])(\\d{1,2})\\7(\\d{1,2})(?!\\d)`,
  'g',
);
const NUMERIC_YEAR = 6;

// The same forms anchored at a position, for the end of a range.
const FULL_DATE_AT = new RegExp(
  `${YEAR} ?年 ?(\\d{1,2}) ?月 ?(\\d{1,2}) ?[日号]|${YEAR}([-/])(\\d{1,2})\\5(\\d{1,2})(?!\\d)`,
  'y',
);
const MONTH_DAY_AT = /(\d{1,2}) ?月 ?(\d{1,2}) ?[日号]/y;
/** `11-03` after `2019-11-02 09:00 ~`; not followed by `:` so that 20-21 hours never qualify. */
const NUMERIC_MONTH_DAY_AT = /(\d{1,2})[-/](\d{1,2})(?![\d:])/y;
/** `27 日` in `5 月 26 日-27 日`. */
const DAY_AT = /(\d{1,2}) ?[日号]/y;

/**
 * What may stand between a date and its time: spaces, commas, Markdown emphasis, brackets, and
 * weekday words such as （周四）, 下周三, 本周日, （星期日）, （明天）. Each alternative starts with a
 * different character class, so the `*` cannot backtrack more than one step.
 */
const FILLER = /(?:[ ,*_、()[\]]|[下本这上]?(?:周|星期|礼拜)[一二三四五六日天]|[明今后]天)*/y;
const PERIOD = /(上午|下午|中午|晚上|傍晚|凌晨|早上|早晨|早|晚) ?/y;
/** 19:00, 9:30, 7 点, 7点半, 8 点 30 分. */
const TIME = /(\d{1,2})(?::(\d{1,2})(?!\d)| ?点(?: ?(半)| ?(\d{1,2}) ?分)?)/y;
const RANGE = / ?(?:-{1,3}|~|至|到) ?/y;

function parseReference(opts: ChineseDateTimeOptions): DateTime {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.referenceDate)) {
    throw new RangeError(`referenceDate must be YYYY-MM-DD, got "${opts.referenceDate}"`);
  }
  const reference = DateTime.fromISO(opts.referenceDate, { zone: opts.zone });
  if (!reference.isValid) {
    throw new RangeError(`cannot use referenceDate "${opts.referenceDate}" in zone "${opts.zone}": ${reference.invalidExplanation ?? reference.invalidReason ?? 'invalid'}`);
  }
  return reference;
}

/** Full-width forms to ASCII, dashes to `-`, zero-width characters out, whitespace to one space. */
function normalize(text: string): string {
  return text
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\u2010-\u2015\u2212\uFE58\uFE63]/g, '-')
    .replace(/[\u301C\u3030]/g, '~')
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
    .replace(/\s+/g, ' ');
}

function matchAt(re: RegExp, s: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(s);
}

function skip(re: RegExp, s: string, pos: number): number {
  const m = matchAt(re, s, pos);
  return m ? pos + m[0].length : pos;
}

function dateFromMatch(m: RegExpMatchArray, reference: DateTime): CalendarDate | undefined {
  if (m[1] !== undefined) return calendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
  if (m[4] !== undefined) return yearlessDate(Number(m[4]), Number(m[5]), reference);
  return calendarDate(Number(m[6]), Number(m[8]), Number(m[9]));
}

function calendarDate(year: number, month: number, day: number): CalendarDate | undefined {
  // A year outside the range (from a page dated 0001 or 9999) is no date, like 2 月 30 日.
  if (!isEventYear(year)) return undefined;
  return DateTime.fromObject({ year, month, day }, { zone: 'UTC' }).isValid ? { year, month, day } : undefined;
}

/** The year among the reference's, the next and the previous that falls in the window. */
function yearlessDate(month: number, day: number, reference: DateTime): CalendarDate | undefined {
  const from = reference.minus({ months: 2 });
  const until = reference.plus({ months: 10 });
  for (const year of [reference.year, reference.year + 1, reference.year - 1]) {
    const candidate = DateTime.fromObject({ year, month, day }, { zone: reference.zone });
    if (isEventYear(year) && candidate.isValid && candidate >= from && candidate < until) return { year, month, day };
  }
  return undefined;
}

interface TimeRead {
  clock: Clock;
  /** The word before the time (下午, 晚 …), inherited by an end time that has none. */
  period: string | undefined;
  next: number;
}

function readTime(s: string, pos: number, inheritedPeriod: string | undefined): TimeRead | undefined {
  const p = matchAt(PERIOD, s, pos);
  const period = p?.[1];
  const at = p ? pos + p[0].length : pos;
  const t = matchAt(TIME, s, at);
  if (!t) return undefined;
  const hour = Number(t[1]);
  const minute = t[2] !== undefined ? Number(t[2]) : t[3] !== undefined ? 30 : t[4] !== undefined ? Number(t[4]) : 0;
  if (minute > 59) return undefined;
  const hour24 = toHour24(hour, period ?? inheritedPeriod);
  if (hour24 > 24 || (hour24 === 24 && minute > 0)) return undefined;
  return { clock: { hour: hour24, minute }, period: period ?? inheritedPeriod, next: at + t[0].length };
}

/** 下午 2 点 is 14:00, but 下午 13 点 (as written in the archive) stays 13:00. */
function toHour24(hour: number, period: string | undefined): number {
  switch (period) {
    case '下午':
    case '傍晚':
      return hour < 12 ? hour + 12 : hour;
    case '晚':
    case '晚上':
      // 晚上 12 点 is midnight at the end of the day.
      return hour <= 12 ? hour + 12 : hour;
    case '中午':
      // 中午 1 点 is 13:00; 中午 11 点 and 12 点 are as written.
      return hour < 11 ? hour + 12 : hour;
    case '凌晨':
      return hour === 12 ? 0 : hour;
    default:
      return hour;
  }
}

interface EndContext {
  startDate: CalendarDate;
  start: DateTime;
  startPeriod: string | undefined;
  /** The start was written 2019-11-02, so 11-03 after it is a month-day. */
  numeric: boolean;
  zone: string;
}

function readEnd(s: string, pos: number, ctx: EndContext): DateTime | undefined {
  const sep = matchAt(RANGE, s, pos);
  if (!sep) return undefined;
  const from = pos + sep[0].length;

  const dated = readEndDate(s, from, ctx);
  if (dated) {
    const time = readTime(s, skip(FILLER, s, dated.next), undefined);
    const end = at(dated.date, time?.clock ?? MIDNIGHT, ctx.zone);
    // A range written backwards is a typo; keep the start rather than invent an order.
    return end >= ctx.start ? end : undefined;
  }

  const time = readTime(s, from, ctx.startPeriod);
  if (!time) return undefined;
  const end = at(ctx.startDate, time.clock, ctx.zone);
  // 22:00-01:00 ends the next day.
  return end < ctx.start ? end.plus({ days: 1 }) : end;
}

function readEndDate(s: string, pos: number, ctx: EndContext): { date: CalendarDate; next: number } | undefined {
  const full = matchAt(FULL_DATE_AT, s, pos);
  if (full) {
    const date =
      full[1] !== undefined
        ? calendarDate(Number(full[1]), Number(full[2]), Number(full[3]))
        : calendarDate(Number(full[4]), Number(full[6]), Number(full[7]));
    return date && { date, next: pos + full[0].length };
  }
  const monthDay = matchAt(MONTH_DAY_AT, s, pos) ?? (ctx.numeric ? matchAt(NUMERIC_MONTH_DAY_AT, s, pos) : null);
  if (monthDay) {
    const date = sameOrNextYear(ctx.startDate, Number(monthDay[1]), Number(monthDay[2]));
    return date && { date, next: pos + monthDay[0].length };
  }
  const day = matchAt(DAY_AT, s, pos);
  if (day) {
    const { year, month } = ctx.startDate;
    const date = calendarDate(year, month, Number(day[1]));
    return date && { date, next: pos + day[0].length };
  }
  return undefined;
}

/** An end month-day takes the start's year, or the next one when it would fall before the start (12 月 28 日 - 1 月 3 日). */
function sameOrNextYear(start: CalendarDate, month: number, day: number): CalendarDate | undefined {
  const before = month < start.month || (month === start.month && day < start.day);
  return calendarDate(before ? start.year + 1 : start.year, month, day);
}

function at(date: CalendarDate, clock: Clock, zone: string): DateTime {
  // 24:00 is the midnight that ends the day; luxon wants it as 00:00 of the next.
  const dt = DateTime.fromObject({ ...date, hour: clock.hour % 24, minute: clock.minute }, { zone });
  return clock.hour === 24 ? dt.plus({ days: 1 }) : dt;
}

function iso(dt: DateTime): string {
  // toFormat rather than toISO: the offset is always written as +hh:mm, never Z.
  return dt.toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
}
