import { describe, expect, it } from 'vitest';
import { describeOffset, planReminders, type PlanRemindersOptions, type PlannedReminder } from '../../src/schedule/plan-reminders.js';
import { loadKnowledge } from '../../src/knowledge/load-knowledge.js';
import type { Entry, EventEntry } from '../../src/knowledge/entry.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';

function event(fields: Partial<EventEntry> & Pick<EventEntry, 'id' | 'start'>): EventEntry {
  return { kind: 'event', title: fields.id, body: '', links: [], tags: [], eventKind: 'live', source: { file: `${fields.id}.md`, line: 1 }, ...fields };
}

const community = { name: 'community', posts: ['reminders'] };
const options = (overrides: Partial<PlanRemindersOptions> = {}): PlanRemindersOptions => ({
  from: '2024-11-01T00:00:00+08:00',
  to: '2024-12-01T00:00:00+08:00',
  zone: 'Asia/Shanghai',
  defaultOffsets: ['1d', '1h'],
  groups: [community],
  ...overrides,
});
const brief = (reminders: PlannedReminder[]) => reminders.map((r) => [r.at, r.event, r.group, r.offset]);
const keys = (reminders: PlannedReminder[]) => reminders.map((r) => r.key);

describe('planReminders: offsets', () => {
  it('uses the configured offsets unless the event has its own, sorted by time, group, then event', () => {
    const entries: Entry[] = [
      event({ id: 'events/b', start: '2024-11-28T20:00:00+08:00', remind: ['2h', '15m'] }),
      event({ id: 'events/a', start: '2024-11-28T19:00:00+08:00' }),
      { kind: 'faq', id: 'faq/x', title: 'q', body: 'a', links: [], tags: [], aliases: [], source: { file: 'faq/x.md', line: 1 } },
    ];
    const planned = planReminders(entries, options());
    expect(brief(planned)).toEqual([
      ['2024-11-27T19:00:00+08:00', 'events/a', 'community', '1d'],
      ['2024-11-28T18:00:00+08:00', 'events/a', 'community', '1h'],
      ['2024-11-28T18:00:00+08:00', 'events/b', 'community', '2h'],
      ['2024-11-28T19:45:00+08:00', 'events/b', 'community', '15m'],
    ]);
    expect(planned[0]).toMatchObject({ key: 'events/a|community|1d|2024-11-28T11:00:00Z', start: '2024-11-28T19:00:00+08:00', title: '直播提醒：events/a' });
  });

  it('plans one reminder per duration, writes it in its shortest form, and skips malformed offsets', () => {
    const entries = [event({ id: 'events/a', start: '2024-11-28T19:00:00+08:00', remind: ['60m', '1h', '24h', '90m', '0m', 'soon'] })];
    expect(brief(planReminders(entries, options()))).toEqual([
      ['2024-11-27T19:00:00+08:00', 'events/a', 'community', '1d'],
      ['2024-11-28T17:30:00+08:00', 'events/a', 'community', '90m'],
      ['2024-11-28T18:00:00+08:00', 'events/a', 'community', '1h'],
    ]);
  });
});

describe('planReminders: the window [from, to)', () => {
  const entries = [event({ id: 'events/a', start: '2024-11-28T19:00:00+08:00', remind: ['1h'] })];

  it('includes a reminder at `from` and excludes one at `to`, whatever offset the bounds are written with', () => {
    expect(brief(planReminders(entries, options({ from: '2024-11-28T18:00:00+08:00', to: '2024-11-28T18:01:00+08:00' })))).toEqual([
      ['2024-11-28T18:00:00+08:00', 'events/a', 'community', '1h'],
    ]);
    expect(brief(planReminders(entries, options({ from: '2024-11-28T10:00:00Z', to: '2024-11-28T10:00:00.001Z' })))).toEqual([
      ['2024-11-28T18:00:00+08:00', 'events/a', 'community', '1h'],
    ]);
    expect(planReminders(entries, options({ from: '2024-11-28T17:00:00+08:00', to: '2024-11-28T18:00:00+08:00' }))).toEqual([]);
    expect(planReminders(entries, options({ from: '2024-11-28T18:00:00.001+08:00', to: '2024-11-29T00:00:00+08:00' }))).toEqual([]);
  });

  it('reads bounds without an offset in the zone', () => {
    expect(brief(planReminders(entries, options({ from: '2024-11-28T18:00', to: '2024-11-28T18:01' })))).toEqual([
      ['2024-11-28T18:00:00+08:00', 'events/a', 'community', '1h'],
    ]);
    expect(planReminders(entries, options({ from: '2024-11-28T18:00', to: '2024-11-28T18:01', zone: 'Europe/Berlin' }))).toEqual([]);
  });

  it('never plans a reminder after the start, nor moves a missed one later: a window holding only the start plans nothing', () => {
    expect(planReminders(entries, options({ from: '2024-11-28T18:30:00+08:00', to: '2024-11-28T20:00:00+08:00' }))).toEqual([]);
  });

  it('is empty for an empty window and throws RangeError for bad bounds or zone', () => {
    expect(planReminders(entries, options({ from: '2024-11-28T18:00:00+08:00', to: '2024-11-28T18:00:00+08:00' }))).toEqual([]);
    expect(() => planReminders(entries, options({ from: 'tomorrow' }))).toThrow(new RangeError('from: not an ISO 8601 date-time: tomorrow'));
    expect(() => planReminders(entries, options({ to: '2024-13-01' }))).toThrow(new RangeError('to: not an ISO 8601 date-time: 2024-13-01'));
    expect(() => planReminders(entries, options({ zone: 'Mars/Olympus' }))).toThrow(new RangeError('zone: not an IANA time zone: Mars/Olympus'));
  });
});

describe('planReminders: keys for exactly-once delivery', () => {
  it('gives a moved event new keys and retires the old ones', () => {
    const before = planReminders([event({ id: 'events/a', start: '2024-11-28T19:00:00+08:00' })], options());
    const after = planReminders([event({ id: 'events/a', start: '2024-11-29T19:30:00+08:00' })], options());
    expect(keys(before)).toEqual(['events/a|community|1d|2024-11-28T11:00:00Z', 'events/a|community|1h|2024-11-28T11:00:00Z']);
    expect(keys(after)).toEqual(['events/a|community|1d|2024-11-29T11:30:00Z', 'events/a|community|1h|2024-11-29T11:30:00Z']);
  });

  it('keeps the keys when only the way the start is written changes', () => {
    const a = planReminders([event({ id: 'events/a', start: '2024-11-28T19:00:00+08:00' })], options());
    const b = planReminders([event({ id: 'events/a', start: '2024-11-28T11:00:00Z' })], options());
    expect(keys(b)).toEqual(keys(a));
  });

  it('plans nothing for a deleted event, and leaves the other events alone', () => {
    const a = event({ id: 'events/a', start: '2024-11-28T19:00:00+08:00' });
    const b = event({ id: 'events/b', start: '2024-11-20T19:00:00+08:00', remind: ['1d'] });
    expect(keys(planReminders([a, b], options()))).toEqual([
      'events/b|community|1d|2024-11-20T11:00:00Z',
      'events/a|community|1d|2024-11-28T11:00:00Z',
      'events/a|community|1h|2024-11-28T11:00:00Z',
    ]);
    expect(keys(planReminders([b], options()))).toEqual(['events/b|community|1d|2024-11-20T11:00:00Z']);
    expect(planReminders([], options())).toEqual([]);
  });

  it('escapes the separator, so ids and group names with "|" cannot collide', () => {
    const planned = planReminders([event({ id: 'events/a|b', start: '2024-11-28T19:00:00+08:00', remind: ['1h'] })], options({ groups: [{ name: 'x|%y', posts: ['reminders'] }] }));
    expect(keys(planned)).toEqual(['events/a%7Cb|x%7C%25y|1h|2024-11-28T11:00:00Z']);
  });
});

describe('planReminders: time zones', () => {
  const file = { 'events/berlin.md': '---\ntitle: SOFA Meetup Berlin\nstart: 2024-03-31T19:00\nkind: meetup\nremind: [1d, 1h]\n---\n' };
  const load = async (zone: string) => (await loadKnowledge({ dirs: [tempKnowledge(file)], zone, maxFileBytes: 1 << 20 })).entries;
  const window = { from: '2024-03-01T00:00:00Z', to: '2024-04-01T00:00:00Z' };

  it('reads a start without an offset in the configured zone (Asia/Shanghai)', async () => {
    const entries = await load('Asia/Shanghai');
    expect(entries).toMatchObject([{ id: 'events/berlin', start: '2024-03-31T19:00:00+08:00' }]);
    expect(brief(planReminders(entries, options({ ...window, zone: 'Asia/Shanghai' })))).toEqual([
      ['2024-03-30T19:00:00+08:00', 'events/berlin', 'community', '1d'],
      ['2024-03-31T18:00:00+08:00', 'events/berlin', 'community', '1h'],
    ]);
  });

  // Chosen: 1d is 24 hours. Berlin moves its clocks forward at 02:00 on 2024-03-31, so 24 hours
  // before 19:00 CEST is 18:00 CET the day before; a calendar day would have said 19:00.
  it('treats 1d as 24 hours across a DST change (Europe/Berlin)', async () => {
    const entries = await load('Europe/Berlin');
    expect(entries).toMatchObject([{ start: '2024-03-31T19:00:00+02:00' }]);
    const planned = planReminders(entries, options({ ...window, zone: 'Europe/Berlin' }));
    expect(planned.map((r) => [r.at, r.offset, r.start, r.key])).toEqual([
      ['2024-03-30T18:00:00+01:00', '1d', '2024-03-31T19:00:00+02:00', 'events/berlin|community|1d|2024-03-31T17:00:00Z'],
      ['2024-03-31T18:00:00+02:00', '1h', '2024-03-31T19:00:00+02:00', 'events/berlin|community|1h|2024-03-31T17:00:00Z'],
    ]);
    expect(planned[0]?.text).toContain('**Meetup 提醒：明天开始**');
    expect(planned[0]?.text).toContain('- 时间：3 月 31 日 周日 19:00');
  });

  it('writes one instant in the zone it is asked for, and says 今天 when 24 hours before is the same calendar day', () => {
    // Berlin puts its clocks back at 03:00 on 2024-10-27: 24 hours before 23:30 CET is 00:30 CEST that day.
    const entries = [event({ id: 'events/late', title: 'Late talk', start: '2024-10-27T23:30:00+01:00', remind: ['1d'] })];
    const wide = { from: '2024-10-01T00:00:00Z', to: '2024-11-01T00:00:00Z' };
    const [berlin] = planReminders(entries, options({ ...wide, zone: 'Europe/Berlin' }));
    const [shanghai] = planReminders(entries, options({ ...wide, zone: 'Asia/Shanghai' }));
    expect([berlin?.at, berlin?.start]).toEqual(['2024-10-27T00:30:00+02:00', '2024-10-27T23:30:00+01:00']);
    expect([shanghai?.at, shanghai?.start]).toEqual(['2024-10-27T06:30:00+08:00', '2024-10-28T06:30:00+08:00']);
    expect(berlin?.key).toBe(shanghai?.key);
    expect(berlin?.text.split('\n\n')[0]).toBe('**直播提醒：今天开始**');
    expect(shanghai?.text.split('\n\n')[0]).toBe('**直播提醒：明天开始**');
  });
});

describe('planReminders: groups', () => {
  const groups = [
    { name: 'dev', posts: ['reminders'] },
    { name: 'news', posts: ['digest'] },
    { name: 'community', posts: ['digest', 'reminders'] },
  ];
  const start = '2024-11-28T19:00:00+08:00';

  it('reminds every group that takes reminders when the event names none, in name order', () => {
    expect(brief(planReminders([event({ id: 'events/a', start, remind: ['1h'] })], options({ groups })))).toEqual([
      ['2024-11-28T18:00:00+08:00', 'events/a', 'community', '1h'],
      ['2024-11-28T18:00:00+08:00', 'events/a', 'dev', '1h'],
    ]);
  });

  it("keeps only the event's groups that take reminders; unknown names are ignored; an empty list means none", () => {
    const entries = [
      event({ id: 'events/a', start, remind: ['1h'], groups: ['dev', 'news', 'nowhere'] }),
      event({ id: 'events/b', start, remind: ['1h'], groups: ['news'] }),
      event({ id: 'events/c', start, remind: ['1h'], groups: [] }),
      event({ id: 'events/d', start, remind: ['1h'], groups: ['community', 'community'] }),
    ];
    expect(brief(planReminders(entries, options({ groups })))).toEqual([
      ['2024-11-28T18:00:00+08:00', 'events/d', 'community', '1h'],
      ['2024-11-28T18:00:00+08:00', 'events/a', 'dev', '1h'],
    ]);
  });

  it('plans nothing when no group takes reminders', () => {
    expect(planReminders([event({ id: 'events/a', start })], options({ groups: [{ name: 'news', posts: ['digest'] }] }))).toEqual([]);
    expect(planReminders([event({ id: 'events/a', start })], options({ groups: [] }))).toEqual([]);
  });
});

describe('planReminders: the message', () => {
  it('writes a live stream with link, end and location', () => {
    const entries = [
      event({
        id: 'events/channel-40',
        title: 'SOFAChannel#40：MOSN [Wasm] 扩展',
        start: '2024-11-28T19:00:00+08:00',
        end: '2024-11-28T20:30:00+08:00',
        location: '线上直播间',
        url: 'https://example.org/live (40)',
      }),
    ];
    const [dayBefore, hourBefore] = planReminders(entries, options());
    expect(dayBefore).toEqual({
      key: 'events/channel-40|community|1d|2024-11-28T11:00:00Z',
      event: 'events/channel-40',
      group: 'community',
      at: '2024-11-27T19:00:00+08:00',
      offset: '1d',
      start: '2024-11-28T19:00:00+08:00',
      title: '直播提醒：SOFAChannel#40：MOSN [Wasm] 扩展',
      text: [
        '**直播提醒：明天开始**',
        '**[SOFAChannel#40：MOSN 【Wasm】 扩展](https://example.org/live%20%2840%29)**',
        '- 时间：11 月 28 日 周四 19:00–20:30\n- 地点：线上直播间',
        '链接：[https://example.org/live (40)](https://example.org/live%20%2840%29)',
      ].join('\n\n'),
    });
    expect(hourBefore?.text.split('\n\n')[0]).toBe('**直播提醒：1 小时后开始**');
  });

  it('writes a meetup without a link, and an end on another day in full', () => {
    const entries = [
      event({ id: 'events/meetup', title: 'SOFA Meetup#3 **广州站**', eventKind: 'meetup', start: '2024-12-31T13:00:00+08:00', end: '2025-01-01T17:00:00+08:00', remind: ['3d'] }),
    ];
    const [reminder] = planReminders(entries, options({ to: '2025-01-01T00:00:00+08:00' }));
    expect(reminder?.title).toBe('Meetup 提醒：SOFA Meetup#3 **广州站**');
    expect(reminder?.text).toBe(
      ['**Meetup 提醒：3 天后开始**', '**SOFA Meetup#3 *广州站***', '- 时间：12 月 31 日 周二 13:00 – 2025 年 1 月 1 日 周三 17:00'].join('\n\n'),
    );
  });

  it('writes another kind of event with minutes to go', () => {
    const entries = [event({ id: 'events/other', title: '开源之夏答疑', eventKind: 'other', start: '2024-11-28T19:00:00+08:00', remind: ['15m', '90m'], url: 'https://example.org/q' })];
    expect(planReminders(entries, options()).map((r) => r.text)).toEqual([
      [
        '**活动提醒：1 小时 30 分钟后开始**',
        '**[开源之夏答疑](https://example.org/q)**',
        '- 时间：11 月 28 日 周四 19:00',
        '链接：[https://example.org/q](https://example.org/q)',
      ].join('\n\n'),
      [
        '**活动提醒：15 分钟后开始**',
        '**[开源之夏答疑](https://example.org/q)**',
        '- 时间：11 月 28 日 周四 19:00',
        '链接：[https://example.org/q](https://example.org/q)',
      ].join('\n\n'),
    ]);
  });
});

describe('describeOffset', () => {
  it('says how soon the event starts', () => {
    expect(['1d', '24h', '1440m', '3d', '1h', '2h', '90m', '15m', ' 30m '].map(describeOffset)).toEqual([
      '明天',
      '明天',
      '明天',
      '3 天后',
      '1 小时后',
      '2 小时后',
      '1 小时 30 分钟后',
      '15 分钟后',
      '30 分钟后',
    ]);
  });

  it('rejects what is not an offset', () => {
    expect(() => describeOffset('0m')).toThrow(RangeError);
    expect(() => describeOffset('1w')).toThrow(new RangeError('not an offset such as 1d, 2h or 15m: 1w'));
  });
});
