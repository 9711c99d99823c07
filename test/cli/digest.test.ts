import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { loadKnowledge } from '../../src/knowledge/load-knowledge.js';
import { releaseChanges } from '../../src/schedule/compose-digest.js';
import type { Entry } from '../../src/knowledge/entry.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { CONFIG_DIR: 'config' }, { out: (l: string) => out.push(l), err: (l: string) => err.push(l) });
  return { code, out, err };
}

// The week of Wednesday 2024-11-20: Monday 11-18 to Sunday 11-24 in Asia/Shanghai (config/default.yaml).
const FILES = {
  'releases/seata-2.2.0.md':
    '---\nproject: Seata\nversion: v2.2.0\ndate: 2024-11-19\nurl: https://github.com/apache/incubator-seata/releases/tag/v2.2.0\n---\n\n- 支持 Raft 集群模式\n- 修复 XA 模式下的连接泄漏\n',
  'releases/mosn-1.0.md': '---\nproject: MOSN\nversion: v1.0.0\ndate: 2024-11-24\n---\n\n- 首个 1.x 正式版\n',
  'releases/last-week.md': '---\nproject: SOFARPC\nversion: 5.13.0\ndate: 2024-11-17\n---\n\n- 上周的发布\n',
  'faq/jraft-multi-raft.md':
    '---\nquestion: SOFAJRaft 支持 Multi-Raft 吗？\nproject: SOFAJRaft\ndate: 2024-11-20\nlinks:\n  - title: RheaKV\n    url: https://www.sofastack.tech/projects/sofa-jraft/jraft-rheakv-user-guide/\n---\n\n支持，[RheaKV](https://www.sofastack.tech/projects/sofa-jraft/jraft-rheakv-user-guide/) 就是基于 multi raft group 实现的。\n\n每个 group 有自己的 leader。\n',
  'reading/seata-raft.md': '---\ntitle: Seata Raft 集群模式详解\nurl: https://www.sofastack.tech/blog/seata-raft/\ndate: 2024-11-21\n---\n\n为什么 Seata 选择 Raft。\n',
  'reading/next-week.md': '---\ntitle: 下周的文章\nurl: https://www.sofastack.tech/blog/next/\ndate: 2024-11-25\n---\n',
  'events/monday-live.md': '---\ntitle: SOFAChannel#39 周一早场\nstart: 2024-11-18T09:00\nkind: live\nurl: https://example.org/live/39\n---\n',
  'events/channel-40.md': '---\ntitle: SOFAChannel#40：Koupleless 实践\nstart: 2024-11-28T19:00\nend: 2024-11-28T20:30\nkind: live\nurl: https://example.org/live/40\n---\n\n线上直播。\n',
  'events/meetup.md': '---\ntitle: SOFA Meetup 上海站\nstart: 2024-11-30T05:30:00Z\nkind: meetup\nlocation: 上海市徐汇区\nurl: https://example.org/meetup\n---\n',
  'events/too-far.md': '---\ntitle: 两周后的直播\nstart: 2024-12-02T00:00\nkind: live\n---\n',
};

describe('cli digest', () => {
  const dir = tempKnowledge(FILES);

  it('prints the title and the Markdown of the week containing --week, events counted from its Monday', async () => {
    const { code, out, err } = await run(['digest', '--knowledge', dir, '--week', '2024-11-20']);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out.join('\n')).toBe(
      [
        'SOFA Weekly | 11/18 - 11/24',
        '### SOFA Weekly | 11/18 - 11/24',
        '#### 本周发布',
        '**MOSN v1.0.0**',
        '- 首个 1.x 正式版',
        '**Seata v2.2.0**',
        '- 支持 Raft 集群模式\n- 修复 XA 模式下的连接泄漏',
        '[发布报告](https://github.com/apache/incubator-seata/releases/tag/v2.2.0)',
        '#### 问答精选',
        '**[SOFAJRaft 支持 Multi-Raft 吗？](https://www.sofastack.tech/projects/sofa-jraft/jraft-rheakv-user-guide/)**',
        '> 支持，RheaKV 就是基于 multi raft group 实现的。 每个 group 有自己的 leader。',
        '#### 推荐阅读',
        '- [Seata Raft 集群模式详解](https://www.sofastack.tech/blog/seata-raft/)',
        '#### 近期活动',
        [
          '- 11 月 18 日 周一 09:00 · 直播 · [SOFAChannel#39 周一早场](https://example.org/live/39)',
          '- 11 月 28 日 周四 19:00 · 直播 · [SOFAChannel#40：Koupleless 实践](https://example.org/live/40)',
          '- 11 月 30 日 周六 13:30 · Meetup · [SOFA Meetup 上海站](https://example.org/meetup)',
        ].join('\n'),
      ].join('\n\n'),
    );
  });

  it('counts events from --now when given', async () => {
    const { code, out } = await run(['digest', '--knowledge', dir, '--week', '2024-11-20', '--now', '2024-11-20T12:00:00+08:00']);
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).not.toContain('SOFAChannel#39');
    expect(text).toContain('- 12 月 2 日 周一 00:00 · 直播 · **两周后的直播**');
  });

  it('prints the digest as JSON, entries reduced to id, kind, title, url, date and start', async () => {
    const { code, out } = await run(['digest', '--knowledge', dir, '--week', '2024-11-24', '--format', 'json']);
    expect(code).toBe(0);
    const digest = JSON.parse(out.join('\n')) as Record<string, unknown>;
    expect(Object.keys(digest).sort()).toEqual(['entries', 'markdown', 'now', 'omitted', 'title', 'week', 'zone']);
    expect(digest).toMatchObject({ now: '2024-11-18T00:00:00+08:00', zone: 'Asia/Shanghai', week: { start: '2024-11-18', end: '2024-11-24' }, title: 'SOFA Weekly | 11/18 - 11/24', omitted: 0 });
    expect(digest.entries).toEqual({
      releases: [
        { id: 'releases/mosn-1.0', kind: 'release', title: 'MOSN v1.0.0', url: null, date: '2024-11-24' },
        { id: 'releases/seata-2.2.0', kind: 'release', title: 'Seata v2.2.0', url: 'https://github.com/apache/incubator-seata/releases/tag/v2.2.0', date: '2024-11-19' },
      ],
      faqs: [{ id: 'faq/jraft-multi-raft', kind: 'faq', title: 'SOFAJRaft 支持 Multi-Raft 吗？', url: 'https://www.sofastack.tech/projects/sofa-jraft/jraft-rheakv-user-guide/', date: '2024-11-20' }],
      readings: [{ id: 'reading/seata-raft', kind: 'reading', title: 'Seata Raft 集群模式详解', url: 'https://www.sofastack.tech/blog/seata-raft/', date: '2024-11-21' }],
      events: [
        { id: 'events/monday-live', kind: 'event', title: 'SOFAChannel#39 周一早场', url: 'https://example.org/live/39', date: '2024-11-18', start: '2024-11-18T09:00:00+08:00' },
        { id: 'events/channel-40', kind: 'event', title: 'SOFAChannel#40：Koupleless 实践', url: 'https://example.org/live/40', date: '2024-11-28', start: '2024-11-28T19:00:00+08:00' },
        { id: 'events/meetup', kind: 'event', title: 'SOFA Meetup 上海站', url: 'https://example.org/meetup', date: '2024-11-30', start: '2024-11-30T05:30:00Z' },
      ],
    });
  });

  it('adds release, FAQ, reading and event files dated this week, and reads the post of it back into the same entries', async () => {
    const { code, out } = await run(['digest', '--knowledge', dir, '--week', '2024-11-20', '--format', 'post']);
    expect(code).toBe(0);
    const post = `${out.join('\n')}\n`;
    expect(post.startsWith('---\ntitle: "SOFA Weekly | 11/18 - 11/24"\n')).toBe(true);
    expect(post).toContain('\ndate: 2024-11-18T00:00:00+08:00\n');

    const zone = 'Asia/Shanghai';
    const original = await loadKnowledge({ dirs: [dir], zone, maxFileBytes: 1 << 20 });
    const byId = (id: string): Entry => {
      const entry = original.entries.find((e) => e.id === id);
      if (!entry) throw new Error(`no entry ${id}`);
      return entry;
    };
    const published = tempKnowledge({ 'weekly/2024-11-18-sofa-weekly.md': post });
    const back = await loadKnowledge({ dirs: [published], zone, maxFileBytes: 1 << 20 });
    expect(back.problems).toEqual([]);

    const essence = (e: Entry) => ({
      kind: e.kind,
      title: e.title,
      // A release reads back as its change lines.
      body: e.kind === 'release' ? releaseChanges(e.body).join('\n') : e.kind === 'faq' ? e.body : undefined,
      version: e.kind === 'release' ? e.version : undefined,
      project: e.kind === 'release' ? e.project : undefined,
      url: e.url,
      start: e.kind === 'event' ? Date.parse(e.start) : undefined,
      end: e.kind === 'event' && e.end ? Date.parse(e.end) : undefined,
    });
    const expected = ['faq/jraft-multi-raft', 'releases/mosn-1.0', 'releases/seata-2.2.0', 'reading/seata-raft', 'events/monday-live', 'events/channel-40', 'events/meetup'].map(byId);
    expect(back.entries.map(essence)).toEqual(expected.map(essence));
    expect(back.entries.map((e) => e.id)).toEqual([
      'weekly/2024-11-18-sofa-weekly#qa-1',
      'weekly/2024-11-18-sofa-weekly#release-1',
      'weekly/2024-11-18-sofa-weekly#release-2',
      'weekly/2024-11-18-sofa-weekly#reading-1',
      'weekly/2024-11-18-sofa-weekly#event-1',
      'weekly/2024-11-18-sofa-weekly#event-2',
      'weekly/2024-11-18-sofa-weekly#event-3',
    ]);
    // Imported entries carry the post's date; the event kinds and the FAQ's project come back too.
    expect(new Set(back.entries.map((e) => e.date))).toEqual(new Set(['2024-11-18']));
    expect(back.entries.map((e) => (e.kind === 'event' ? e.eventKind : e.project))).toEqual(['SOFAJRaft', 'MOSN', 'Seata', undefined, 'live', 'live', 'meetup']);
  });

  it('refuses a missing or invalid --week, an invalid --now or --format with exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [[], /^digest needs --week YYYY-MM-DD/],
      [['--week', '2024-02-30'], /^--week: not a date \(YYYY-MM-DD\): 2024-02-30$/],
      [['--week', '2024-11-2'], /^--week: not a date/],
      [['--week', 'next'], /^--week: not a date/],
      [['--week', '2024-11-20', '--now', 'tomorrow'], /^--now: not an ISO 8601 date-time: tomorrow$/],
      [['--week', '2024-11-20', '--format', 'html'], /^--format: expected markdown, json or post, got "html"$/],
    ];
    for (const [args, message] of cases) {
      const { code, out, err } = await run(['digest', '--knowledge', dir, ...args]);
      expect(code).toBe(2);
      expect(out).toEqual([]);
      expect(err.join('\n')).toMatch(message);
    }
  });
});
