import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/knowledge/entry.js';
import { loadKnowledge } from '../../src/knowledge/load-knowledge.js';
import { parseChineseDateTime } from '../../src/knowledge/parse-cn-datetime.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';

const event = (start: string, end?: string) => `---\ntitle: SOFAChannel 直播\nstart: ${start}\n${end ? `end: ${end}\n` : ''}---\n`;
const load = (files: Record<string, string>) => {
  const dir = tempKnowledge(files);
  return loadKnowledge({ dirs: [dir], zone: 'Asia/Shanghai', maxFileBytes: 1 << 20 }).then((k) => ({ dir, ...k }));
};

describe('event years and UTC offsets in curated files', () => {
  it.each([
    ['0000-01-01T10:00', 'start: the year 0 is outside 1970–2099'],
    ['-000001-01-01T10:00', 'start: the year -1 is outside 1970–2099'],
    ['+099999-01-01', 'start: the year 99999 is outside 1970–2099'],
    ['1969-12-31T10:00', 'start: the year 1969 is outside 1970–2099'],
    ['2204-05-30T19:00', 'start: the year 2204 is outside 1970–2099'],
    ['2024-05-30T19:00+25:00', 'start: the UTC offset +25:00 is outside -12:00 to +14:00'],
    ['2024-05-30T19:00-12:30', 'start: the UTC offset -12:30 is outside -12:00 to +14:00'],
  ])('refuses start: %s at its line', async (start, message) => {
    const { dir, entries, problems } = await load({ 'events/x.md': event(start) });
    expect(problems.map(formatProblem)).toEqual([`${join(dir, 'events/x.md')}:3: ${message}`]);
    expect(entries).toEqual([]);
  });

  it('refuses an end outside the range too, and accepts the edges', async () => {
    const { dir, entries, problems } = await load({
      'events/late.md': event('2099-12-31T10:00', '2100-01-01T10:00'),
      'events/first.md': event('1970-01-01T00:00Z'),
      'events/last.md': event('2099-12-31T23:59+14:00', '2099-12-31T23:59+14:00'),
      'events/west.md': event('2024-05-30T19:00-12:00'),
    });
    expect(problems.map(formatProblem)).toEqual([`${join(dir, 'events/late.md')}:4: end: the year 2100 is outside 1970–2099`]);
    expect(entries.map((e) => e.id).sort()).toEqual(['events/first', 'events/last', 'events/west']);
  });
});

describe('event years in imported archives', () => {
  it('finds no event in a year outside the range, even from a page or post dated there', () => {
    // Without a year in the text it comes from the reference date: 9999-12 + "1 月 5 日" is 10000.
    expect(parseChineseDateTime('活动时间：1 月 5 日 19:00', { referenceDate: '9999-12-20', zone: 'Asia/Shanghai' })).toBeUndefined();
    expect(parseChineseDateTime('活动时间：1 月 5 日 19:00', { referenceDate: '0000-01-02', zone: 'Asia/Shanghai' })).toBeUndefined();
    expect(parseChineseDateTime('1965 年 3 月 1 日，2019 年 3 月 2 日 19:00', { referenceDate: '2019-03-01', zone: 'Asia/Shanghai' })).toEqual({
      start: '2019-03-02T19:00:00+08:00',
    });
  });

  it('reports an activity page dated outside the range instead of importing a start there', async () => {
    const page = (date: string) => `---\ntitle: SOFAChannel#1 直播\ndate: ${date}\n---\n\n- 活动时间：1 月 5 日周四晚 7 点\n`;
    const { dir, entries, problems } = await load({ 'activities/far.md': page('9999-12-20'), 'activities/ok.md': page('2019-12-20') });
    expect(problems.map(formatProblem)).toEqual([
      `${join(dir, 'activities/far.md')}:1: date: the year 9999 is outside 1970–2099, so this activity page cannot date its event`,
    ]);
    expect(entries.map((e) => [e.id, e.kind === 'event' ? e.start : undefined])).toEqual([['activities/ok', '2020-01-05T19:00:00+08:00']]);
  });

  it('imports no event from a weekly post dated outside the range', async () => {
    const post = `---\ntitle: "SOFA Weekly | 活动预告"\ndate: 9999-12-20\n---\n\n## 活动推荐\n\n**SOFAChannel#9 直播**\n\n- 活动时间：1 月 5 日周四晚 7 点\n`;
    const { entries } = await load({ 'weekly/far.md': post });
    expect(entries.filter((e) => e.kind === 'event')).toEqual([]);
  });
});
