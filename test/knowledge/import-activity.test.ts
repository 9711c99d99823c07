import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importActivityPage, isActivityPage, NO_TIME_LINE_MESSAGE, UNREAD_TIME_LINE_MESSAGE } from '../../src/knowledge/import-activity.js';
import { parseFrontMatter } from '../../src/knowledge/parse-front-matter.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/activities/', import.meta.url));

function load(name: string) {
  const page = parseFrontMatter(readFileSync(FIXTURES + name, 'utf8'));
  return { data: page.data, body: page.body, bodyLine: page.bodyLine };
}

function importFixture(name: string, zone = 'Asia/Shanghai') {
  const page = load(name);
  return importActivityPage({ file: `activities/${name}`, idPrefix: name.replace(/\.md$/, ''), zone, ...page });
}

describe('importActivityPage', () => {
  it('imports a SOFAChannel page: 概要 list, evening time, replay link, project from tags', () => {
    expect(importFixture('channel.md')).toEqual({
      entries: [
        {
          kind: 'event',
          id: 'channel',
          title: 'SOFAChannel#99：用一个示例体验 SOFAJRaft',
          body: [
            '8 月 29 日周四晚 7 点，线上直播第 99 期。',
            '',
            '- 活动主题：SOFAChannel#99：用一个示例体验 SOFAJRaft',
            '- 活动时间：8 月 29 日周四晚 7 点',
            '- 活动形式：线上直播',
            '- 视频回顾：<https://example.com/live/99>',
          ].join('\n'),
          links: [{ title: '视频回顾', url: 'https://example.com/live/99' }],
          date: '2019-08-15',
          tags: ['SOFAChannel', 'SOFAJRaft'],
          start: '2019-08-29T19:00:00+08:00',
          eventKind: 'live',
          url: 'https://example.com/live/99',
          project: 'SOFAJRaft',
          source: { file: 'activities/channel.md', line: 15 },
          origin: { title: 'SOFAStack 活动页 2019-08-15', url: 'https://www.sofastack.tech/activities/channel/', date: '2019-08-15' },
        },
      ],
      problems: [],
    });
  });

  it('imports a meetup: year and range, location, sign-up link, slide links nested under 资料下载', () => {
    expect(importFixture('meetup.md')).toEqual({
      entries: [
        {
          kind: 'event',
          id: 'meetup',
          title: 'SOFAMeetup#42 示例站 云原生专场',
          body: [
            'SOFAMeetup#42 示例站 云原生专场',
            '',
            '- 活动主题：SOFAMeetup#42 示例站 云原生专场',
            '- 活动时间：2021 年 09 月 11 日（周六）13:30-17:00',
            '- 活动地点：示例市示例区示例路 1 号 示例空间',
            '- 活动形式：线下活动',
            '- 报名方式：[戳这里](https://example.com/signup/42)',
            '- 资料下载：',
            '  - [《第一个议题》](https://example.com/files/talk(1).pdf)',
            '  - [《第二个议题》](https://example.com/files/talk-2.pdf)',
          ].join('\n'),
          links: [
            { title: '报名方式', url: 'https://example.com/signup/42' },
            { title: '《第一个议题》', url: 'https://example.com/files/talk(1).pdf' },
            { title: '《第二个议题》', url: 'https://example.com/files/talk-2.pdf' },
          ],
          date: '2021-09-01',
          tags: ['SOFAMeetup'],
          start: '2021-09-11T13:30:00+08:00',
          end: '2021-09-11T17:00:00+08:00',
          eventKind: 'meetup',
          location: '示例市示例区示例路 1 号 示例空间',
          url: 'https://example.com/signup/42',
          source: { file: 'activities/meetup.md', line: 14 },
          origin: { title: 'SOFAStack 活动页 2021-09-01', url: 'https://www.sofastack.tech/activities/meetup/', date: '2021-09-01' },
        },
      ],
      problems: [],
    });
  });

  it('reads a page written as bold `label：value` paragraphs without a 概要 heading', () => {
    const { entries, problems } = importFixture('paragraphs.md');
    expect(problems).toEqual([]);
    expect(entries[0]).toMatchObject({
      start: '2021-06-19T13:00:00+08:00',
      end: '2021-06-19T17:30:00+08:00',
      eventKind: 'meetup',
      location: '示例市示例大街 72 号',
      url: 'http://example.com/s/43',
      links: [{ title: '报名方式', url: 'http://example.com/s/43' }],
      source: { file: 'activities/paragraphs.md', line: 13 },
    });
    // The summary block ends at the first ordinary paragraph.
    expect(entries[0]?.body).toBe(
      [
        '【活动报名】SOFAMeetup#43 示例站，聊聊分布式',
        '',
        '- 主题：聊聊分布式',
        '- 时间：2021年6 月 19 日（周六）１３：００ -１７：３０',
        '- 活动地点：示例市示例大街 72 号',
        '- 报名方式：点击[http://example.com/s/43](http://example.com/s/43) 即可报名。',
      ].join('\n'),
    );
  });

  it('joins a 日期 line with the 时间 line after it, and reads the misspelt `descripton`', () => {
    const { entries, problems } = importFixture('workshop.md');
    expect(problems).toEqual([]);
    expect(entries[0]).toMatchObject({
      date: '2019-06-04',
      start: '2019-06-24T09:00:00+08:00',
      end: '2019-06-24T16:00:00+08:00',
      eventKind: 'other',
      location: '示例中心 616 房间',
      url: 'https://example.com/register',
      tags: ['KubeCon', 'Workshop', 'Cloud Native'],
      source: { file: 'activities/workshop.md', line: 13 },
    });
    expect(entries[0]?.body.split('\n')[0]).toBe('示例 Workshop，6 月 24 日 9 点至16 点，示例中心 616 房间。');
    expect(entries[0]).not.toHaveProperty('project');
  });

  it('reads zero-width-space bold labels, an all-day date range, and ignores `时间：` in code', () => {
    const { entries, problems } = importFixture('challenge.md');
    expect(problems).toEqual([]);
    expect(entries[0]).toMatchObject({
      start: '2026-04-01T00:00:00+08:00',
      end: '2026-04-25T00:00:00+08:00',
      // "不办 Meetup" says it is not a meetup.
      eventKind: 'other',
      url: 'https://example.com/challenge/',
      links: [{ title: '活动入口', url: 'https://example.com/challenge/' }],
      source: { file: 'activities/challenge.md', line: 14 },
    });
    expect(entries[0]?.body).toContain('- 周年庆 Peak 日：4 月 19 日（生日 🎂）');
  });

  it('puts a January event announced in December in the next year; prefers the video replay', () => {
    const { entries } = importFixture('rollover.md');
    expect(entries[0]).toMatchObject({
      date: '2019-12-31',
      start: '2020-01-09T19:00:00+08:00',
      eventKind: 'live',
      project: 'Seata',
      url: 'https://example.com/live/100',
      links: [
        { title: '直播视频回顾', url: 'https://example.com/live/100' },
        { title: '直播回顾文章', url: 'https://example.com/blog/100/' },
      ],
    });
    expect(entries[0]).not.toHaveProperty('end');
  });

  it('cites the page on the website set by siteUrl, named after the file', () => {
    const page = load('channel.md');
    const { entries } = importActivityPage({ file: 'some/dir/sofachannel-99.md', idPrefix: 'c', zone: 'Asia/Shanghai', siteUrl: 'https://mirror.example.org/', ...page });
    expect(entries[0]?.origin).toEqual({ title: 'SOFAStack 活动页 2019-08-15', url: 'https://mirror.example.org/activities/sofachannel-99/', date: '2019-08-15' });
  });

  it('falls back to the page date with a warning when there is no time line', () => {
    expect(importFixture('no-time.md')).toEqual({
      entries: [
        {
          kind: 'event',
          id: 'no-time',
          title: '【开源之夏 2023】欢迎报名示例社区项目！',
          body: '【开源之夏 2023】欢迎报名示例社区项目！',
          links: [],
          date: '2023-05-09',
          tags: ['开源之夏', 'Layotto'],
          start: '2023-05-09T00:00:00+08:00',
          eventKind: 'other',
          project: 'Layotto',
          source: { file: 'activities/no-time.md', line: 8 },
          origin: { title: 'SOFAStack 活动页 2023-05-09', url: 'https://www.sofastack.tech/activities/no-time/', date: '2023-05-09' },
        },
      ],
      problems: [{ file: 'activities/no-time.md', line: 1, severity: 'warning', message: NO_TIME_LINE_MESSAGE }],
    });
  });

  it('points the warning at a time line that holds no date', () => {
    const { entries, problems } = importFixture('unreadable-time.md');
    expect(entries[0]).toMatchObject({ start: '2022-04-16T00:00:00+08:00', eventKind: 'meetup', source: { line: 7 } });
    expect(problems).toEqual([
      {
        file: 'activities/unreadable-time.md',
        line: 10,
        severity: 'warning',
        message: UNREAD_TIME_LINE_MESSAGE,
      },
    ]);
  });

  it('reads wall-clock times in the given zone', () => {
    expect(importFixture('channel.md', 'America/New_York').entries[0]?.start).toBe('2019-08-29T19:00:00-04:00');
    expect(importFixture('no-time.md', 'Europe/Berlin').entries[0]?.start).toBe('2023-05-09T00:00:00+02:00');
  });

  it('refuses a page without a title or a date', () => {
    const base = { file: 'x.md', idPrefix: 'x', body: '- 活动时间：8 月 29 日', bodyLine: 4, zone: 'Asia/Shanghai' };
    expect(importActivityPage({ ...base, data: { date: '2019-08-15' } })).toEqual({
      entries: [],
      problems: [{ file: 'x.md', line: 1, severity: 'error', message: 'an activity page needs a front-matter `title`' }],
    });
    expect(importActivityPage({ ...base, data: { title: 'T', date: 'soon' } }).problems[0]?.message).toBe(
      'an activity page needs a front-matter `date` (YYYY-MM-DD…)',
    );
    expect(importActivityPage({ ...base, data: { title: 'T', date: '2019-02-30' } }).entries).toEqual([]);
  });

  it('decides the kind from 活动形式 first, then from the title, categories and tags', () => {
    const kind = (data: Record<string, unknown>, body = '') =>
      importActivityPage({ file: 'x.md', idPrefix: 'x', data: { date: '2020-01-01', ...data }, body, bodyLine: 1, zone: 'UTC' })
        .entries[0]?.eventKind;
    expect(kind({ title: 'SOFAMeetup 线上专场' }, '- 活动形式：线上直播')).toBe('live');
    expect(kind({ title: '五周年' }, '- 活动形式：线下 Meetup + 线上直播')).toBe('meetup');
    expect(kind({ title: 'Service Mesh Webinar#3' })).toBe('live');
    expect(kind({ title: '示例', categories: 'SOFATalk' })).toBe('live');
    expect(kind({ title: 'Service Mesh Meetup#10' })).toBe('meetup');
    expect(kind({ title: '<SOFA:ArkLab/>', tags: ['SOFALab'] })).toBe('other');
  });

  it('takes the project from a tag naming it, whatever the spelling', () => {
    const project = (tags: unknown) =>
      importActivityPage({ file: 'x.md', idPrefix: 'x', data: { title: 'T', date: '2020-01-01', tags }, body: '', bodyLine: 1, zone: 'UTC' })
        .entries[0]?.project;
    expect(project(['SOFALab', '剖析 | SOFAArk 源码'])).toBe('SOFAArk');
    expect(project('sofa-rpc')).toBe('SOFARPC');
    expect(project(['SOFAStack', 'SOFAChannel', 'Nydus'])).toBeUndefined();
    expect(project(['SOFAArkLab'])).toBeUndefined();
  });
});

describe('isActivityPage', () => {
  it.each(['channel.md', 'meetup.md', 'paragraphs.md', 'workshop.md', 'challenge.md', 'no-time.md', 'rollover.md', 'unreadable-time.md'])(
    'recognises %s',
    (name) => {
      const { data, body } = load(name);
      expect(isActivityPage(data, body)).toBe(true);
    },
  );

  it('rejects a SOFA Weekly post even though it announces a live stream', () => {
    const { data, body } = load('weekly.md');
    expect(isActivityPage(data, body)).toBe(false);
    expect(isActivityPage({ title: 'SOFA Weekly｜示例', date: '2023-01-06', tags: ['SOFAStack'] }, '')).toBe(false);
    expect(isActivityPage({ title: '示例', date: '2023-01-06', categories: 'SOFA WEEKLY' }, '- 活动时间：1 月 9 日')).toBe(false);
  });

  it('needs a title and a date', () => {
    expect(isActivityPage({ date: '2019-08-15', tags: ['SOFAChannel'] }, '')).toBe(false);
    expect(isActivityPage({ title: 'SOFAChannel#1' }, '')).toBe(false);
  });

  it('recognises an event by its body when the front matter names no series', () => {
    const data = { title: '【活动回顾】示例开放日', date: '2021-12-18', tags: ['SOFA'] };
    expect(isActivityPage(data, '## 概要\n\n- 活动主题：示例')).toBe(true);
    expect(isActivityPage(data, '- **活动时间：**2021 年 12 月 18 日')).toBe(true);
    // A blog post that merely mentions a live stream is not an event page.
    expect(isActivityPage(data, '上周的直播回顾见下文。')).toBe(false);
  });
});
