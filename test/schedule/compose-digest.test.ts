import { describe, expect, it } from 'vitest';
import { composeDigest, releaseChanges, EMPTY_WEEK_TEXT, type DigestOptions } from '../../src/schedule/compose-digest.js';
import { escapeUrl, sanitizeMarkdown } from '../../src/shared/sanitize-markdown.js';
import type { Entry, EventEntry, FaqEntry, ReadingEntry, ReleaseEntry } from '../../src/knowledge/entry.js';

const ZONE = 'Asia/Shanghai';
const base = { links: [], tags: [] };

function release(id: string, fields: Partial<ReleaseEntry> & Pick<ReleaseEntry, 'project' | 'version'>): ReleaseEntry {
  return { kind: 'release', id, title: `${fields.project} ${fields.version}`, body: '', ...base, source: { file: `${id}.md`, line: 1 }, ...fields };
}
function faq(id: string, fields: Partial<FaqEntry> = {}): FaqEntry {
  return { kind: 'faq', id, title: `${id}？`, body: `${id} 的回答。`, aliases: [], ...base, source: { file: `${id}.md`, line: 1 }, ...fields };
}
function reading(id: string, fields: Partial<ReadingEntry> = {}): ReadingEntry {
  return { kind: 'reading', id, title: id, body: '', url: `https://example.org/${id}`, ...base, source: { file: `${id}.md`, line: 1 }, ...fields };
}
function event(id: string, start: string, fields: Partial<EventEntry> = {}): EventEntry {
  return { kind: 'event', id, title: id, body: '', start, eventKind: 'live', ...base, source: { file: `${id}.md`, line: 1 }, ...fields };
}

const options = (overrides: Partial<DigestOptions> = {}): DigestOptions => ({
  now: '2020-11-16T00:00:00+08:00',
  zone: ZONE,
  eventsAheadDays: 14,
  maxBytes: 18_000,
  ...overrides,
});
const ids = (entries: readonly Entry[]) => entries.map((e) => e.id);
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('composeDigest: the week', () => {
  it('is Monday 00:00 to the next Monday in the zone: Sunday 23:59 is the old week, Monday 00:00 the new', () => {
    const sunday = composeDigest([], options({ now: '2020-11-22T23:59:59+08:00' }));
    expect(sunday.week).toEqual({ start: '2020-11-16', end: '2020-11-22' });
    expect(sunday.title).toBe('SOFA Weekly | 11/16 - 11/22');
    const monday = composeDigest([], options({ now: '2020-11-23T00:00:00+08:00' }));
    expect(monday.week).toEqual({ start: '2020-11-23', end: '2020-11-29' });
    expect(monday.title).toBe('SOFA Weekly | 11/23 - 11/29');
  });

  it('is taken in the zone: Monday 00:30 in Shanghai is still Sunday in New York', () => {
    const shanghai = composeDigest([], options({ now: '2020-11-23T00:30:00+08:00' }));
    const newYork = composeDigest([], options({ now: '2020-11-23T00:30:00+08:00', zone: 'America/New_York' }));
    expect(shanghai.week.start).toBe('2020-11-23');
    expect(newYork.week).toEqual({ start: '2020-11-16', end: '2020-11-22' });
    expect(newYork.now).toBe('2020-11-22T11:30:00-05:00');
    expect(newYork.zone).toBe('America/New_York');
  });

  it('reads a `now` without an offset in the zone, and can digest another week than now\'s', () => {
    expect(composeDigest([], options({ now: '2020-11-23T00:00' })).now).toBe('2020-11-23T00:00:00+08:00');
    const other = composeDigest([], options({ now: '2020-11-20T12:00:00+08:00', weekOf: '2020-12-02' }));
    expect(other.week).toEqual({ start: '2020-11-30', end: '2020-12-06' });
    expect(other.title).toBe('SOFA Weekly | 11/30 - 12/06');
  });

  it('puts the site name in the title', () => {
    expect(composeDigest([], options({ siteName: 'Layotto 周报' })).title).toBe('Layotto 周报 | 11/16 - 11/22');
  });

  it('refuses an unreadable now, week or zone', () => {
    expect(() => composeDigest([], options({ now: 'tomorrow' }))).toThrow(RangeError);
    expect(() => composeDigest([], options({ weekOf: '2020-02-30' }))).toThrow(RangeError);
    expect(() => composeDigest([], options({ weekOf: '2020-11-16T00:00' }))).toThrow(RangeError);
    expect(() => composeDigest([], options({ zone: 'Mars/Olympus' }))).toThrow(RangeError);
  });
});

describe('composeDigest: what is in it', () => {
  it('takes releases, Q&A and reading dated Monday to Sunday, and nothing dated just outside or undated', () => {
    const entries: Entry[] = [
      release('r-before', { project: 'MOSN', version: 'v0.1.0', date: '2020-11-15' }),
      release('r-mon', { project: 'MOSN', version: 'v0.2.0', date: '2020-11-16' }),
      release('r-sun', { project: 'Seata', version: '1.4.0', date: '2020-11-22' }),
      release('r-after', { project: 'Seata', version: '1.5.0', date: '2020-11-23' }),
      release('r-undated', { project: 'Seata', version: '1.6.0' }),
      faq('q-before', { date: '2020-11-15' }),
      faq('q-in', { date: '2020-11-18' }),
      faq('q-after', { date: '2020-11-23' }),
      reading('a-in', { date: '2020-11-22' }),
      reading('a-after', { date: '2020-11-23' }),
      reading('a-undated'),
    ];
    const digest = composeDigest(entries, options());
    expect(ids(digest.entries.releases)).toEqual(['r-mon', 'r-sun']);
    expect(ids(digest.entries.faqs)).toEqual(['q-in']);
    expect(ids(digest.entries.readings)).toEqual(['a-in']);
    expect(digest.omitted).toBe(0);
  });

  it('orders releases by project (keeping the order within one), Q&A and reading as given, events soonest first', () => {
    const entries: Entry[] = [
      release('seata', { project: 'Seata', version: '1.4.0', date: '2020-11-17' }),
      release('mosn-2', { project: 'MOSN', version: 'v0.19.0', date: '2020-11-18' }),
      release('jraft', { project: 'SOFAJRaft', version: '1.3.5', date: '2020-11-16' }),
      release('mosn-1', { project: 'MOSN', version: 'v0.18.0', date: '2020-11-16' }),
      release('layotto', { project: 'layotto', version: 'v0.1.0', date: '2020-11-16' }),
      faq('q2', { date: '2020-11-20' }),
      faq('q1', { date: '2020-11-16' }),
      reading('b', { date: '2020-11-20' }),
      reading('a', { date: '2020-11-16' }),
      event('late', '2020-11-25T19:00:00+08:00'),
      event('early', '2020-11-18T19:00:00+08:00'),
      event('utc', '2020-11-20T03:00:00Z'),
    ];
    const before = ids(entries);
    const digest = composeDigest(entries, options());
    expect(ids(digest.entries.releases)).toEqual(['layotto', 'mosn-2', 'mosn-1', 'seata', 'jraft']);
    expect(ids(digest.entries.faqs)).toEqual(['q2', 'q1']);
    expect(ids(digest.entries.readings)).toEqual(['b', 'a']);
    expect(ids(digest.entries.events)).toEqual(['early', 'utc', 'late']);
    // A pure function: the caller's array is left as it was.
    expect(ids(entries)).toEqual(before);
  });

  it('lists events starting in [now, now + 14 days): not one that began a minute ago, not at 14 or 15 days', () => {
    const entries: Entry[] = [
      event('past', '2020-11-18T11:59:00+08:00'),
      event('now', '2020-11-18T12:00:00+08:00'),
      event('day-13', '2020-12-01T19:00:00+08:00'),
      event('last-minute', '2020-12-02T11:59:00+08:00'),
      event('day-14', '2020-12-02T12:00:00+08:00'),
      event('day-15', '2020-12-03T12:00:00+08:00'),
    ];
    const digest = composeDigest(entries, options({ now: '2020-11-18T12:00:00+08:00' }));
    expect(ids(digest.entries.events)).toEqual(['now', 'day-13', 'last-minute']);
    expect(ids(composeDigest(entries, options({ now: '2020-11-18T12:00:00+08:00', eventsAheadDays: 15 })).entries.events)).toEqual([
      'now',
      'day-13',
      'last-minute',
      'day-14',
    ]);
  });

  it('reads an event start without an offset in the zone and shows every start in the zone', () => {
    const entries: Entry[] = [event('no-offset', '2020-11-20T19:00'), event('offset', '2020-11-20T19:00:00+08:00', { title: 'Meetup', eventKind: 'meetup', url: 'https://example.org/Meetup' })];
    const shanghai = composeDigest(entries, options());
    expect(shanghai.markdown).toContain('- 11 月 20 日 周五 19:00 · 直播 · **no-offset**\n- 11 月 20 日 周五 19:00 · Meetup · [Meetup]');
    const newYork = composeDigest(entries, options({ now: '2020-11-16T00:00:00-05:00', zone: 'America/New_York' }));
    // 19:00 in Shanghai is 06:00 in New York; the offset-less one is 19:00 New York time.
    expect(newYork.markdown).toContain('- 11 月 20 日 周五 06:00 · Meetup · [Meetup](https://example.org/Meetup)\n- 11 月 20 日 周五 19:00 · 直播 · **no-offset**');
  });
});

describe('composeDigest: the Markdown', () => {
  it('writes the sections in DingTalk\'s subset: releases, Q&A, reading, events', () => {
    const entries: Entry[] = [
      release('r', { project: 'Seata', version: 'v1.4.0', date: '2020-11-20', body: '- 支持 XA 模式\n- 修复 [#123](https://github.com/seata/seata/pull/123)\n', url: 'https://github.com/seata/seata/releases/tag/v1.4.0' }),
      release('r2', { project: 'SOFARPC', version: '5.7.6', date: '2020-11-20', body: '' }),
      faq('q', {
        date: '2020-11-18',
        title: 'Seata 支持 [XA] 吗？',
        url: 'https://seata.io/zh-cn/docs/xa.html',
        body: '支持，见 [XA 模式](https://seata.io/zh-cn/docs/xa.html)。\n\n```java\n@GlobalTransactional\n```\n\n**注意**数据源要代理。',
      }),
      faq('q-plain', { date: '2020-11-18', title: '没有链接的问题？', body: '> 引用的回答' }),
      reading('a', { date: '2020-11-19', title: 'Seata AT 模式详解', url: 'https://example.org/a (1)' }),
      event('e', '2020-11-25T19:00:00+08:00', { title: 'SOFAChannel#22', url: 'https://example.org/live/22' }),
      event('m', '2020-11-28T13:30:00+08:00', { title: 'Meetup 上海站', eventKind: 'other' }),
    ];
    const digest = composeDigest(entries, options());
    expect(digest.markdown).toBe(
      [
        '### SOFA Weekly | 11/16 - 11/22',
        '#### 本周发布',
        '**Seata v1.4.0**',
        '- 支持 XA 模式\n- 修复 [#123](https://github.com/seata/seata/pull/123)',
        '[发布报告](https://github.com/seata/seata/releases/tag/v1.4.0)',
        '**SOFARPC 5.7.6**',
        '#### 问答精选',
        '**[Seata 支持 【XA】 吗？](https://seata.io/zh-cn/docs/xa.html)**',
        '> 支持，见 XA 模式。 @GlobalTransactional 注意数据源要代理。',
        '**没有链接的问题？**',
        '> 引用的回答',
        '#### 推荐阅读',
        '- [Seata AT 模式详解](https://example.org/a%20%281%29)',
        '#### 近期活动',
        '- 11 月 25 日 周三 19:00 · 直播 · [SOFAChannel#22](https://example.org/live/22)\n- 11 月 28 日 周六 13:30 · 活动 · **Meetup 上海站**',
      ].join('\n\n'),
    );
    expect(digest.omitted).toBe(0);
  });

  it('cuts a long answer to an 80-character excerpt', () => {
    const long = '很'.repeat(100);
    const digest = composeDigest([faq('q', { date: '2020-11-18', body: long })], options());
    expect(digest.markdown).toContain(`> ${'很'.repeat(80)}…`);
    expect(digest.markdown).not.toContain('很'.repeat(81));
  });

  it('says so when there is nothing new, and still lists coming events', () => {
    const empty = composeDigest([], options());
    expect(empty.markdown).toBe(`### SOFA Weekly | 11/16 - 11/22\n\n${EMPTY_WEEK_TEXT}`);
    expect(EMPTY_WEEK_TEXT).toBe('本周没有新的发布、问答和阅读。');
    const onlyEvents = composeDigest([event('e', '2020-11-20T19:00:00+08:00')], options());
    expect(onlyEvents.markdown).toBe(`### SOFA Weekly | 11/16 - 11/22\n\n${EMPTY_WEEK_TEXT}\n\n#### 近期活动\n\n- 11 月 20 日 周五 19:00 · 直播 · **e**`);
    const withRelease = composeDigest([release('r', { project: 'MOSN', version: 'v1', date: '2020-11-16' })], options());
    expect(withRelease.markdown).not.toContain(EMPTY_WEEK_TEXT);
  });
});

describe('composeDigest: the byte limit', () => {
  const readings = ['一', '二', '三'].map((n, i) => reading(`r${i}`, { title: `第${n}篇`, date: '2020-11-17' }));
  const head = '### SOFA Weekly | 11/16 - 11/22\n\n#### 推荐阅读\n\n';
  const item = (i: number) => `- [第${['一', '二', '三'][i] ?? ''}篇](https://example.org/r${i})`;

  it('keeps everything when it fits exactly', () => {
    const whole = `${head}${item(0)}\n${item(1)}\n${item(2)}`;
    const digest = composeDigest(readings, options({ maxBytes: bytes(whole) }));
    expect(digest.markdown).toBe(whole);
    expect(digest.omitted).toBe(0);
  });

  it('drops items from the end one byte over, says how many, and links the full list when given one', () => {
    const whole = `${head}${item(0)}\n${item(1)}\n${item(2)}`;
    const trimmed = composeDigest(readings, options({ maxBytes: bytes(whole) - 1 }));
    expect(trimmed.markdown).toBe(`${head}${item(0)}\n\n……篇幅所限，另有 2 条未列出。`);
    expect(trimmed.omitted).toBe(2);
    expect(trimmed.entries.readings).toHaveLength(3);

    const many = Array.from({ length: 6 }, (_, i) => reading(`long${i}`, { title: `推荐阅读文章第 ${i} 篇，讲得很详细`, date: '2020-11-17' }));
    const withLink = `${head}- [推荐阅读文章第 0 篇，讲得很详细](https://example.org/long0)\n\n……篇幅所限，另有 5 条未列出，完整列表见[这里](https://www.sofastack.tech/blog/sofa-weekly-1120/)。`;
    const linked = composeDigest(many, options({ maxBytes: bytes(withLink), fullListUrl: 'https://www.sofastack.tech/blog/sofa-weekly-1120/' }));
    expect(linked.markdown).toBe(withLink);
    expect(linked.omitted).toBe(5);
    // Only an http(s) link is ever written.
    const unsafe = composeDigest(readings, options({ maxBytes: bytes(whole) - 1, fullListUrl: 'javascript:alert(1)' }));
    expect(unsafe.markdown).toContain('另有 2 条未列出。');
    expect(unsafe.markdown).not.toContain('javascript');
  });

  it('trims a huge week under maxBytes from the end of the longest sections', () => {
    const entries: Entry[] = [
      release('r1', { project: 'MOSN', version: 'v1.0.0', date: '2020-11-16', body: '- 小改动' }),
      release('r2', { project: 'Seata', version: '1.4.0', date: '2020-11-16', body: '- 小改动' }),
      ...Array.from({ length: 400 }, (_, i) => faq(`q${i}`, { date: '2020-11-18', body: '回答'.repeat(60), url: `https://example.org/q/${i}` })),
      ...Array.from({ length: 2000 }, (_, i) => reading(`a${i}`, { date: '2020-11-19', title: `一篇很长很长的推荐阅读文章标题 ${i}` })),
      ...Array.from({ length: 30 }, (_, i) => event(`e${i}`, `2020-11-2${i % 8}T19:00:00+08:00`)),
    ];
    const maxBytes = 18_000;
    const digest = composeDigest(entries, options({ maxBytes }));
    expect(bytes(digest.markdown)).toBeLessThanOrEqual(maxBytes);
    // Still close to the budget: nothing is dropped that would have fitted.
    expect(bytes(digest.markdown)).toBeGreaterThan(maxBytes - 400);
    const shownFaqs = digest.entries.faqs.filter((e) => digest.markdown.includes(`](https://example.org/q/${e.id.slice(1)})**`));
    const shownReadings = digest.entries.readings.filter((e) => digest.markdown.includes(`(https://example.org/${e.id})`));
    const shownEvents = digest.entries.events.filter((e) => digest.markdown.includes(`**${e.id}**`));
    // The short sections stay whole; the long ones keep their first items.
    expect(digest.markdown).toContain('**MOSN v1.0.0**');
    expect(digest.markdown).toContain('**Seata 1.4.0**');
    expect(shownEvents).toHaveLength(30);
    expect(ids(shownFaqs)).toEqual(ids(digest.entries.faqs.slice(0, shownFaqs.length)));
    expect(ids(shownReadings)).toEqual(ids(digest.entries.readings.slice(0, shownReadings.length)));
    expect(shownFaqs.length).toBeGreaterThan(0);
    expect(shownReadings.length).toBeGreaterThan(0);
    expect(digest.omitted).toBe(2400 - shownFaqs.length - shownReadings.length);
    expect(digest.markdown.endsWith(`……篇幅所限，另有 ${digest.omitted} 条未列出。`)).toBe(true);
  });

  it('fits the budget as sent: a week of titles full of tags stays under maxBytes once sanitised', () => {
    const entries = Array.from({ length: 400 }, (_, i) => reading(`a${i}`, { date: '2020-11-19', title: `<dependency><scope>provided</scope></dependency> ${i}` }));
    const digest = composeDigest(entries, options({ maxBytes: 18_000 }));
    expect(digest.markdown).toContain('＜scope＞provided＜/scope＞');
    expect(digest.omitted).toBeGreaterThan(0);
    expect(bytes(sanitizeMarkdown(digest.markdown))).toBeLessThanOrEqual(18_000);
  });

  it('stays within a budget smaller than the title', () => {
    const digest = composeDigest(readings, options({ maxBytes: 20 }));
    expect(bytes(digest.markdown)).toBeLessThanOrEqual(20);
    expect(digest.markdown).toBe('### SOFA Weekly | 11');
    expect(digest.omitted).toBe(3);
  });
});

describe('releaseChanges and escapeUrl', () => {
  it('lists a release body one change a line, with list markers and blank lines dropped', () => {
    expect(releaseChanges('- a\n\n* b\n+ c\n1. d\n2) e\n  f  \n')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(releaseChanges('1.2 版本兼容')).toEqual(['1.2 版本兼容']);
  });

  it('percent-encodes only what would end a Markdown link target or read as emphasis', () => {
    expect(escapeUrl('https://example.org/a b(1)<x>*y?q=1&r=中')).toBe('https://example.org/a%20b%281%29%3Cx%3E%2Ay?q=1&r=中');
  });
});
