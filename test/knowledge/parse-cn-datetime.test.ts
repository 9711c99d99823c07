import { describe, expect, it } from 'vitest';
import { parseChineseDateTime } from '../../src/knowledge/parse-cn-datetime.js';

const SHANGHAI = 'Asia/Shanghai';

interface Case {
  text: string;
  referenceDate: string;
  zone?: string;
  start: string;
  end?: string;
}

// Lines as they are written in the SOFAStack activity pages and weekly posts.
const cases: Case[] = [
  { text: '- 活动时间：8 月 29 日周四晚 7 点', referenceDate: '2019-08-15', start: '2019-08-29T19:00:00+08:00' },
  { text: '- 活动时间：8 月 11 日周日下午 13 点', referenceDate: '2019-07-25', start: '2019-08-11T13:00:00+08:00' },
  { text: '**时间**：3 月 22 号（下周三）下午 2 点', referenceDate: '2023-03-17', start: '2023-03-22T14:00:00+08:00' },
  { text: '直播时间：2022 年 4 月 1 日 上午 9:30 ', referenceDate: '2022-04-01', start: '2022-04-01T09:30:00+08:00' },
  {
    text: '- 活动时间：2021 年 09 月 11 日（周六）13:30-17:00',
    referenceDate: '2021-09-11',
    start: '2021-09-11T13:30:00+08:00',
    end: '2021-09-11T17:00:00+08:00',
  },
  {
    text: '- 活动时间：04 月 20 日 13:30--18:00',
    referenceDate: '2024-04-20',
    start: '2024-04-20T13:30:00+08:00',
    end: '2024-04-20T18:00:00+08:00',
  },
  { text: '- 活动时间：08月18日,周三晚19点', referenceDate: '2021-08-18', start: '2021-08-18T19:00:00+08:00' },
  { text: '- 活动时间：12 月 09 日，周四晚 19 点', referenceDate: '2021-12-09', start: '2021-12-09T19:00:00+08:00' },
  { text: '<br>时间：2019-01-17      地点：线上直播', referenceDate: '2019-01-17', start: '2019-01-17T00:00:00+08:00' },
  {
    text: '**直播时间：**2020年5月28日（周四）20:00-21:00',
    referenceDate: '2020-05-20',
    start: '2020-05-28T20:00:00+08:00',
    end: '2020-05-28T21:00:00+08:00',
  },
  {
    text: '* \u200b**活动时间**\u200b：2026 年 4 月 1 日-2026 年 4 月 25 日',
    referenceDate: '2026-04-01',
    start: '2026-04-01T00:00:00+08:00',
    end: '2026-04-25T00:00:00+08:00',
  },
  {
    text: '**时间：**5 月 10 日（下周三）14:00-15:00',
    referenceDate: '2023-05-05',
    start: '2023-05-10T14:00:00+08:00',
    end: '2023-05-10T15:00:00+08:00',
  },
  {
    text: 'description: "2022 年 11 月 03 日 １９：００ - ２０：００  ，线上直播第 30 期。"',
    referenceDate: '2022-11-03',
    start: '2022-11-03T19:00:00+08:00',
    end: '2022-11-03T20:00:00+08:00',
  },
  {
    text: '**时间**：2021年6 月 19 日（周六）13：00 -17：30',
    referenceDate: '2021-06-08',
    start: '2021-06-19T13:00:00+08:00',
    end: '2021-06-19T17:30:00+08:00',
  },
  {
    text: '**时间：** 2019-11-02 09:00 ~ 11-03 17:00',
    referenceDate: '2019-10-20',
    start: '2019-11-02T09:00:00+08:00',
    end: '2019-11-03T17:00:00+08:00',
  },
  {
    text: '- **直播时间：**2020/5/21（周四）19:00-20:00',
    referenceDate: '2020-05-15',
    start: '2020-05-21T19:00:00+08:00',
    end: '2020-05-21T20:00:00+08:00',
  },
  {
    text: '**日程时间：2020-09-20 本周日** 13:00-17:30',
    referenceDate: '2020-09-18',
    start: '2020-09-20T13:00:00+08:00',
    end: '2020-09-20T17:30:00+08:00',
  },
  {
    text: '- 活动时间： 2022 年 04 月 16 日 （14:00-17:40）',
    referenceDate: '2022-04-16',
    start: '2022-04-16T14:00:00+08:00',
    end: '2022-04-16T17:40:00+08:00',
  },
  {
    text: '**时间**：2019年12月15日下午14:05-14:40（架构分会场）',
    referenceDate: '2019-12-13',
    start: '2019-12-15T14:05:00+08:00',
    end: '2019-12-15T14:40:00+08:00',
  },
  {
    text: 'SOFAStack Cloud Native Workshop 由蚂蚁金服主办，6 月 24 日 9 点至16 点，上海世博中心 616 房间。',
    referenceDate: '2019-06-04',
    start: '2019-06-24T09:00:00+08:00',
    end: '2019-06-24T16:00:00+08:00',
  },
  {
    text: '申请时间：5 月 24 日-- 6 月 13 日',
    referenceDate: '2021-05-24',
    start: '2021-05-24T00:00:00+08:00',
    end: '2021-06-13T00:00:00+08:00',
  },
  {
    text: '2023 年 **5 月 26 日-27 日**，QCon 广州站',
    referenceDate: '2023-05-19',
    start: '2023-05-26T00:00:00+08:00',
    end: '2023-05-27T00:00:00+08:00',
  },
  { text: '**时间：**3 月 23 号（下周四）晚上 19 点', referenceDate: '2023-03-17', start: '2023-03-23T19:00:00+08:00' },
  { text: '首次 SOFAChannel 线上直播，1 月 17 日晚 7 点等你。', referenceDate: '2019-01-17', start: '2019-01-17T19:00:00+08:00' },
  { text: '**时间**：2019年12月28日（明天）13:00-17:30', referenceDate: '2019-12-27', start: '2019-12-28T13:00:00+08:00', end: '2019-12-28T17:30:00+08:00' },
  { text: '时间：2019年10月26日（周六）13:00-17:0', referenceDate: '2019-10-20', start: '2019-10-26T13:00:00+08:00', end: '2019-10-26T17:00:00+08:00' },
  { text: '晚 7 点半开始，8 月 1 日见', referenceDate: '2019-07-20', start: '2019-08-01T00:00:00+08:00' },
  { text: '8 月 1 日晚 7 点半', referenceDate: '2019-07-20', start: '2019-08-01T19:30:00+08:00' },
  { text: '8 月 1 日下午 2 点 15 分', referenceDate: '2019-07-20', start: '2019-08-01T14:15:00+08:00' },
  { text: '8 月 1 日 22:00-01:00', referenceDate: '2019-07-20', start: '2019-08-01T22:00:00+08:00', end: '2019-08-02T01:00:00+08:00' },
  { text: '8 月 1 日晚 7 点-9 点', referenceDate: '2019-07-20', start: '2019-08-01T19:00:00+08:00', end: '2019-08-01T21:00:00+08:00' },
  { text: '2019 年 12 月 28 日 - 1 月 3 日', referenceDate: '2019-12-01', start: '2019-12-28T00:00:00+08:00', end: '2020-01-03T00:00:00+08:00' },
  { text: '8 月 1 日 20:00-24:00', referenceDate: '2019-07-20', start: '2019-08-01T20:00:00+08:00', end: '2019-08-02T00:00:00+08:00' },
  // Year rollover: a December page announcing January means next January ...
  { text: '- 活动时间：1 月 9 日周四晚 7 点', referenceDate: '2019-12-31', start: '2020-01-09T19:00:00+08:00' },
  // ... a date shortly before the page date stays in the page's year (pages are posted after the fact too) ...
  { text: '- 活动时间：05 月 26 日，周四晚 19 点', referenceDate: '2022-05-27', start: '2022-05-26T19:00:00+08:00' },
  // ... and a January post recalling December means last December.
  { text: '12月5日 SOFAChannel#9 直播回顾：', referenceDate: '2020-01-03', start: '2019-12-05T00:00:00+08:00' },
  // Wall-clock times are read in the given zone.
  { text: '8 月 29 日周四晚 7 点', referenceDate: '2019-08-15', zone: 'America/New_York', start: '2019-08-29T19:00:00-04:00' },
  { text: '1 月 9 日 19:00', referenceDate: '2020-01-01', zone: 'America/New_York', start: '2020-01-09T19:00:00-05:00' },
  { text: '2020-07-22 20:00-21:00', referenceDate: '2020-07-01', zone: 'UTC', start: '2020-07-22T20:00:00+00:00', end: '2020-07-22T21:00:00+00:00' },
  // An impossible date is skipped in favour of the next real one.
  { text: '2 月 30 日或 3 月 2 日 14:00', referenceDate: '2021-02-01', start: '2021-03-02T14:00:00+08:00' },
  // A backwards range keeps only the start.
  { text: '2021 年 5 月 9 日 - 2021 年 5 月 1 日', referenceDate: '2021-05-01', start: '2021-05-09T00:00:00+08:00' },
];

describe('parseChineseDateTime', () => {
  it.each(cases)('$text', ({ text, referenceDate, zone, start, end }) => {
    const expected = end === undefined ? { start } : { start, end };
    expect(parseChineseDateTime(text, { referenceDate, zone: zone ?? SHANGHAI })).toEqual(expected);
  });

  it.each([
    '',
    '- 活动形式：线上直播',
    '- 时间：9:00 – 16:00',
    '**12:00 - 13:00 午餐时间**',
    '修复 learner 启动晚于 leader 选举成功时无法复制日志的 bug；',
    'version 2.1.0 released on 2021.05.09',
    '13 月 40 日',
    '\u0000\uffff月日年号::--~~',
  ])('finds no date in %j', (text) => {
    expect(parseChineseDateTime(text, { referenceDate: '2021-01-01', zone: SHANGHAI })).toBeUndefined();
  });

  it.each([
    ['no date', '月 '.repeat(50_000)],
    ['digits and spaces', '1 '.repeat(50_000)],
    ['near-dates', '12 月 '.repeat(20_000)],
    ['a long run of spaces after a digit', `1${' '.repeat(100_000)}月`],
    ['filler after a date', `8 月 1 日${'，'.repeat(100_000)}晚 7 点`],
  ])('returns quickly on a 100 KB string of %s', (_name, text) => {
    const began = performance.now();
    parseChineseDateTime(text, { referenceDate: '2021-01-01', zone: SHANGHAI });
    expect(performance.now() - began).toBeLessThan(500);
  });

  it('finds a date at the end of a 100 KB string', () => {
    const text = `${'这是一段很长的介绍。'.repeat(10_000)}活动时间：8 月 29 日周四晚 7 点`;
    expect(parseChineseDateTime(text, { referenceDate: '2019-08-15', zone: SHANGHAI })).toEqual({
      start: '2019-08-29T19:00:00+08:00',
    });
  });

  it('rejects an unknown zone and a malformed reference date', () => {
    expect(() => parseChineseDateTime('8 月 1 日', { referenceDate: '2019-07-20', zone: 'Mars/Olympus' })).toThrow(RangeError);
    expect(() => parseChineseDateTime('8 月 1 日', { referenceDate: '2019/07/20', zone: SHANGHAI })).toThrow(RangeError);
  });
});
