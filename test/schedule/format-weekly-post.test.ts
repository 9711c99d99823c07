import { describe, expect, it } from 'vitest';
import { composeDigest, releaseChanges, type DigestOptions } from '../../src/schedule/compose-digest.js';
import { formatWeeklyPost } from '../../src/schedule/format-weekly-post.js';
import { parseFrontMatter } from '../../src/knowledge/parse-front-matter.js';
import { importWeeklyPost, isWeeklyPost } from '../../src/knowledge/import-weekly/index.js';
import type { Entry, EventEntry, FaqEntry, ReadingEntry, ReleaseEntry } from '../../src/knowledge/entry.js';

const ZONE = 'Asia/Shanghai';
const base = { links: [], tags: [] };

function release(id: string, fields: Partial<ReleaseEntry> & Pick<ReleaseEntry, 'project' | 'version'>): ReleaseEntry {
  return { kind: 'release', id, title: `${fields.project} ${fields.version}`, body: '', date: '2024-11-20', ...base, source: { file: `${id}.md`, line: 1 }, ...fields };
}
function faq(id: string, fields: Partial<FaqEntry> = {}): FaqEntry {
  return { kind: 'faq', id, title: `${id}？`, body: `${id} 的回答。`, aliases: [], date: '2024-11-19', ...base, source: { file: `${id}.md`, line: 1 }, ...fields };
}
function reading(id: string, fields: Partial<ReadingEntry> = {}): ReadingEntry {
  return { kind: 'reading', id, title: id, body: '', url: `https://example.org/${id}`, date: '2024-11-21', ...base, source: { file: `${id}.md`, line: 1 }, ...fields };
}
function event(id: string, start: string, fields: Partial<EventEntry> = {}): EventEntry {
  return { kind: 'event', id, title: id, body: '', start, eventKind: 'live', ...base, source: { file: `${id}.md`, line: 1 }, ...fields };
}

const options = (overrides: Partial<DigestOptions> = {}): DigestOptions => ({
  now: '2024-11-22T18:00:00+08:00',
  zone: ZONE,
  eventsAheadDays: 14,
  maxBytes: 18_000,
  ...overrides,
});

/** Reads a post back the way the loader does, in the given zone. */
function readBack(post: string, zone = ZONE): { entries: Entry[]; problems: unknown[] } {
  const fm = parseFrontMatter(post);
  expect(isWeeklyPost(fm.data, fm.body)).toBe(true);
  return importWeeklyPost({ file: 'weekly/post.md', idPrefix: 'weekly/post', data: fm.data, body: fm.body, bodyLine: fm.bodyLine, zone });
}

/** What must survive the round trip; ids, sources, links and dates are compared separately. */
function essence(entry: Entry): Record<string, unknown> {
  switch (entry.kind) {
    case 'faq':
      return { kind: entry.kind, title: entry.title, body: entry.body, url: entry.url };
    case 'release':
      return { kind: entry.kind, title: entry.title, project: entry.project, version: entry.version, changes: releaseChanges(entry.body), url: entry.url };
    case 'reading':
      return { kind: entry.kind, title: entry.title, url: entry.url };
    case 'event':
      return {
        kind: entry.kind,
        title: entry.title,
        url: entry.url,
        start: Date.parse(entry.start),
        end: entry.end === undefined ? undefined : Date.parse(entry.end),
        eventKind: entry.eventKind,
        location: entry.location,
      };
  }
}

describe('formatWeeklyPost: the archive format', () => {
  it('writes front matter and the archive\'s sections, Q&A first', () => {
    const entries: Entry[] = [
      faq('q', { title: 'SOFAJRaft 支持 Multi-Raft 吗？', body: '支持，参考 [RheaKV](https://www.sofastack.tech/projects/sofa-jraft/jraft-rheakv-user-guide/)。' }),
      release('r', { project: 'Seata', version: 'v1.2.0', body: '- 支持 XA 事务模式\n- 支持事务传播', url: 'https://github.com/seata/seata/releases/tag/v1.2.0' }),
      reading('a', { title: 'Seata AT 模式详解', url: 'https://www.sofastack.tech/blog/seata-at/' }),
      event('e', '2024-11-28T19:00:00+08:00', { title: 'SOFAChannel#40：Koupleless 实践', end: '2024-11-28T20:30:00+08:00', url: 'https://example.org/live/40' }),
    ];
    const post = formatWeeklyPost(composeDigest(entries, options()));
    expect(post).toBe(`---
title: "SOFA Weekly | 11/18 - 11/24"
author: "SOFA 团队"
description: "【11/18-11/24】 | 每周精选，筛选每周精华问答，同步开源进展，欢迎留言互动。"
categories: "SOFA Weekly"
tags: ["SOFA Weekly"]
date: 2024-11-22T18:00:00+08:00
---

**SOFA WEEKLY | 每周精选，筛选每周精华问答**

**同步开源进展，欢迎留言互动**

### 每周读者问答提炼

欢迎大家向公众号留言提问或在群里与我们互动

我们会筛选重点问题通过 " SOFA WEEKLY " 的形式回复

**1、@社区 提问：**

> SOFAJRaft 支持 Multi-Raft 吗？

A：支持，参考 [RheaKV](https://www.sofastack.tech/projects/sofa-jraft/jraft-rheakv-user-guide/)。

### SOFA 项目进展

**本周发布详情如下：**

**发布 Seata v1.2.0，主要变更如下：**

- 支持 XA 事务模式
- 支持事务传播

详细参考发布报告：[https://github.com/seata/seata/releases/tag/v1.2.0](https://github.com/seata/seata/releases/tag/v1.2.0)

### 本周推荐阅读

- [Seata AT 模式详解](https://www.sofastack.tech/blog/seata-at/)

### 社区活动预告

**主题**：SOFAChannel#40：Koupleless 实践

活动时间：2024 年 11 月 28 日 19:00-20:30

活动形式：线上直播

报名方式：[https://example.org/live/40](https://example.org/live/40)
`);
  });

  it('takes the author from the options and says so when the week is empty', () => {
    const post = formatWeeklyPost(composeDigest([], options()), { author: 'Layotto 社区' });
    expect(post).toContain('\nauthor: "Layotto 社区"\n');
    expect(post.endsWith('**同步开源进展，欢迎留言互动**\n\n本周没有新的发布、问答和阅读。\n')).toBe(true);
    expect(readBack(post).entries).toEqual([]);
  });

  it('writes an end on another day in full, and the other event kinds and places', () => {
    const entries: Entry[] = [
      event('m', '2024-11-30T13:30:00+08:00', { title: 'SOFA Meetup#20 上海站', end: '2024-12-01T17:00:00+08:00', eventKind: 'meetup', location: '上海市 蚂蚁 A 空间' }),
      event('o', '2024-12-02T10:00:00+08:00', { title: '社区开放日', eventKind: 'other' }),
    ];
    const post = formatWeeklyPost(composeDigest(entries, options()));
    expect(post).toContain(
      '**主题**：SOFA Meetup#20 上海站\n\n活动时间：2024 年 11 月 30 日 13:30 - 2024 年 12 月 1 日 17:00\n\n活动地点：上海市 蚂蚁 A 空间\n\n活动形式：线下 Meetup\n\n**主题**：社区开放日\n\n活动时间：2024 年 12 月 2 日 10:00\n',
    );
  });
});

describe('formatWeeklyPost: read back by the weekly importer', () => {
  const entries: Entry[] = [
    faq('q-multi', {
      title: 'Seata 的 AT 模式怎么回滚？',
      body: 'A 阶段会记录 undo log。\n\n回滚时：\n\n- 查 undo log\n- 生成反向 SQL\n\n```java\n@GlobalTransactional\npublic void buy() {}\n```\n\n更多见 [文档](https://seata.io/zh-cn/docs/dev/mode/at-mode.html)。',
      url: 'https://seata.io/zh-cn/docs/dev/mode/at-mode.html',
    }),
    faq('q-list-first', { title: 'MOSN 支持哪些协议？', body: '- HTTP/1.1\n- HTTP/2\n- SOFARPC', project: 'MOSN' }),
    faq('q-code-first', { title: '怎么开启 jraft 的 metrics？', body: '```java\nnodeOptions.setEnableMetrics(true);\n```\n\n然后看日志。' }),
    faq('q-mailto', { title: '漏洞在哪提交？', body: '可以邮件给：[security@example.org](security@example.org)。', url: 'mailto:security@example.org' }),
    release('r-seata', { project: 'Seata', version: 'v1.2.0', body: '- 支持 XA 事务模式\n- 支持事务传播\n- 修复 [#2333](https://github.com/seata/seata/pull/2333) 的死锁', url: 'https://github.com/seata/seata/releases/tag/v1.2.0' }),
    release('r-mosn', { project: 'MOSN', version: 'v1.3.0', body: '* 支持 WASM\n\n* 优化内存' }),
    release('r-sdk', { project: 'Layotto Java SDK', version: 'v1.0.0-RC1', body: '首个版本', url: 'https://github.com/mosn/layotto-java-sdk/releases' }),
    release('r-holmes', { project: 'Holmes', version: 'beta', body: '支持 goroutine profile dump' }),
    reading('a-1', { title: 'Seata AT 模式详解 | Seata 原理', url: 'https://www.sofastack.tech/blog/seata-at/' }),
    reading('a-2', { title: '《SOFARegistry 源码解析》[系列]', url: 'https://www.sofastack.tech/blog/registry-lab/' }),
    event('e-live', '2024-11-28T19:00:00+08:00', { title: 'SOFAChannel#40：Koupleless 实践', end: '2024-11-28T20:30:00+08:00', url: 'https://example.org/live/40' }),
    event('e-meetup', '2024-11-30T05:30:00Z', { title: 'SOFA Meetup#20 上海站', end: '2024-12-01T17:00:00+08:00', eventKind: 'meetup', location: '上海市徐汇区', url: 'https://example.org/meetup/20' }),
    event('e-other', '2024-12-02T10:00:00+08:00', { title: '社区开放日', eventKind: 'other' }),
  ];
  const digest = composeDigest(entries, options());
  const post = formatWeeklyPost(digest);
  const back = readBack(post);

  it('gives back every entry: kinds, titles, bodies, versions, urls, starts, in order', () => {
    expect(back.problems).toEqual([]);
    const written = [...digest.entries.faqs, ...digest.entries.releases, ...digest.entries.readings, ...digest.entries.events];
    expect(written).toHaveLength(entries.length);
    expect(back.entries.map(essence)).toEqual(written.map(essence));
  });

  it('gives every entry the post\'s date and the importer\'s ids', () => {
    expect(new Set(back.entries.map((e) => e.date))).toEqual(new Set(['2024-11-22']));
    expect(back.entries.map((e) => e.id)).toEqual([
      'weekly/post#qa-1',
      'weekly/post#qa-2',
      'weekly/post#qa-3',
      'weekly/post#qa-4',
      'weekly/post#release-1',
      'weekly/post#release-2',
      'weekly/post#release-3',
      'weekly/post#release-4',
      'weekly/post#reading-1',
      'weekly/post#reading-2',
      'weekly/post#event-1',
      'weekly/post#event-2',
      'weekly/post#event-3',
    ]);
  });

  it('writes an answer that opens with a block on the lines after "A："', () => {
    expect(post).toContain('A：\n\n- HTTP/1.1\n- HTTP/2\n- SOFARPC');
    expect(post).toContain('A：\n\n```java\nnodeOptions.setEnableMetrics(true);\n```');
    expect(post).toContain('**发布 Holmes beta 版：**');
  });

  it('reads the events in another zone back to the same instants when loaded in that zone', () => {
    const newYork = composeDigest(entries, options({ zone: 'America/New_York', now: '2024-11-22T05:00:00-05:00' }));
    const text = formatWeeklyPost(newYork);
    expect(text).toContain('活动时间：2024 年 11 月 28 日 06:00-07:30');
    const events = readBack(text, 'America/New_York').entries.filter((e) => e.kind === 'event');
    expect(events.map(essence)).toEqual(newYork.entries.events.map(essence));
    // Loaded in another zone, the wall-clock times are read there: the instants move.
    const shifted = readBack(text, ZONE).entries.filter((e): e is EventEntry => e.kind === 'event');
    expect(shifted[0]?.start).toBe('2024-11-28T06:00:00+08:00');
  });
});

describe('formatWeeklyPost: what the importer cannot read back as it was', () => {
  const single = (entry: Entry): { post: string; back: Entry[] } => {
    const post = formatWeeklyPost(composeDigest([entry], options()));
    return { post, back: readBack(post).entries };
  };

  it('a FAQ url missing from the answer: a GitHub url becomes the project-link line, any other a last "详见" paragraph', () => {
    const github = single(faq('q', { title: '启动报错怎么办？', body: '升级到最新版本即可。', url: 'https://github.com/sofastack/sofa-rpc/issues/1320', project: 'SOFARPC' }));
    expect(github.post).toContain('A：升级到最新版本即可。\n\nSOFARPC：[https://github.com/sofastack/sofa-rpc/issues/1320](https://github.com/sofastack/sofa-rpc/issues/1320)\n');
    expect(github.back).toEqual([expect.objectContaining({ body: '升级到最新版本即可。', url: 'https://github.com/sofastack/sofa-rpc/issues/1320', project: 'SOFARPC' })]);

    const docs = single(
      faq('q', { title: '线性一致读失败了怎么办？', body: '会退回 raft log。', url: 'https://example.org/linear-read', links: [{ title: '线性一致读', url: 'https://example.org/linear-read' }] }),
    );
    expect(docs.back).toEqual([expect.objectContaining({ body: '会退回 raft log。\n\n详见：[线性一致读](https://example.org/linear-read)', url: 'https://example.org/linear-read' })]);
  });

  it('a FAQ url that is not the answer\'s first link is not read back, and no link is added for it', () => {
    const { post, back } = single(faq('q', { title: '问题？', body: '见 [a](https://example.org/a)。', url: 'https://example.org/b' }));
    expect(post).not.toContain('详见');
    expect(back[0]?.url).toBe('https://example.org/a');
  });

  it('a FAQ without a url whose answer holds a link reads back with that link as its url', () => {
    const { back } = single(faq('q', { title: '问题？', body: '见 [文档](https://example.org/doc)。' }));
    expect(back).toEqual([expect.objectContaining({ body: '见 [文档](https://example.org/doc)。', url: 'https://example.org/doc' })]);
  });

  it('link lines ending the last answer or release stay in it (a closing line keeps them from being read as reading)', () => {
    const body = '参考：\n\n- [文档一](https://example.org/1)\n- [文档二](https://example.org/2)';
    const qa = single(faq('q', { title: '有文档吗？', body, url: 'https://example.org/1' }));
    expect(qa.post).toContain('- [文档二](https://example.org/2)\n\n欢迎大家在 GitHub 提交 issue，或在群里与我们互动。\n');
    expect(qa.back.map((e) => [e.kind, e.body])).toEqual([['faq', body]]);
    const changes = '- 泛化调用：[文档](https://example.org/generic)\n- 超时：[修复说明](https://example.org/timeout)';
    const notes = single(release('r', { project: 'SOFARPC', version: '5.7.6', body: changes }));
    expect(notes.post).toContain('- 超时：[修复说明](https://example.org/timeout)\n\n欢迎大家升级体验，祝大家使用愉快！\n');
    expect(notes.back.map((e) => [e.kind, e.body])).toEqual([['release', releaseChanges(changes).join('\n')]]);
  });

  it('an answer loses a quoted line and what follows it, and a short bold line starts a new question', () => {
    expect(single(faq('q', { title: '问题？', body: '先看这个：\n\n> 引用\n\n然后重启。' })).back.map((e) => e.body)).toEqual(['先看这个：']);
    const split = single(faq('q', { title: '问题？', body: '第一步。\n\n**注意**\n\n第二步。' })).back;
    expect(split.map((e) => e.body)).toEqual(['第一步。']);
  });

  it('a site-relative link in an answer comes back absolute', () => {
    const { post, back } = single(faq('q', { title: 'SOFABoot 文档在哪？', body: '见 [快速开始](/projects/sofa-boot/quick-start/)。', url: 'https://www.sofastack.tech/projects/sofa-boot/quick-start/' }));
    expect(post).not.toContain('详见');
    expect(back).toEqual([
      expect.objectContaining({ body: '见 [快速开始](https://www.sofastack.tech/projects/sofa-boot/quick-start/)。', url: 'https://www.sofastack.tech/projects/sofa-boot/quick-start/' }),
    ]);
  });

  it('a release reads back as bare change lines; a change starting "1." loses it, a link-only change is dropped', () => {
    const { back } = single(release('r', { project: 'SOFARPC', version: '5.7.6', body: '- **新增** 泛化调用\n- 1.x 分支停止维护\n- [完整变更](https://github.com/sofastack/sofa-rpc/compare/v5.7.5...v5.7.6)' }));
    expect(back).toEqual([expect.objectContaining({ kind: 'release', body: '新增 泛化调用\nx 分支停止维护' })]);
  });

  it('a known project spelled otherwise comes back canonical', () => {
    const { back } = single(release('r', { project: 'sofa-rpc', version: '5.7.6', body: '- 修复' }));
    expect(back).toEqual([expect.objectContaining({ title: 'SOFARPC 5.7.6', project: 'SOFARPC', version: '5.7.6' })]);
  });

  it('an event kind is read from the words: an "other" event with a place comes back a meetup, one saying 直播 a live stream', () => {
    const placed = single(event('e', '2024-11-28T10:00:00+08:00', { title: '开放日', eventKind: 'other', location: '杭州' })).back;
    expect(placed).toEqual([expect.objectContaining({ eventKind: 'meetup', location: '杭州' })]);
    const saysLive = single(event('e', '2024-11-28T10:00:00+08:00', { title: 'Meetup 同步直播', eventKind: 'meetup' })).back;
    expect(saysLive).toEqual([expect.objectContaining({ eventKind: 'live' })]);
  });

  it('an event title that is an HTML-like tag keeps its text with full-width brackets', () => {
    const { back } = single(event('e', '2024-11-28T10:00:00+08:00', { title: '<SOFA:RegistryLab/>', eventKind: 'other' }));
    expect(back).toEqual([expect.objectContaining({ title: '＜SOFA:RegistryLab/＞' })]);
  });

  it('URLs that would break a link are written percent-encoded', () => {
    const { post, back } = single(reading('a', { title: '文章', url: 'https://example.org/a (1)*' }));
    expect(post).toContain('- [文章](https://example.org/a%20%281%29%2A)');
    expect(back[0]?.url).toBe('https://example.org/a%20%281%29%2A');
  });
});
