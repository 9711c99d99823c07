import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Entry, EventEntry, FaqEntry, ReadingEntry, ReleaseEntry } from '../../src/knowledge/entry.js';
import { parseFrontMatter } from '../../src/knowledge/parse-front-matter.js';
import { importWeeklyPost, isWeeklyPost } from '../../src/knowledge/import-weekly/index.js';

const ZONE = 'Asia/Shanghai';

/** Imports a fixture the way the loader does: front matter split off, file lines kept. */
function load(name: string): { entries: Entry[]; problems: ReturnType<typeof importWeeklyPost>['problems'] } {
  const text = readFileSync(new URL(`../fixtures/weekly/${name}`, import.meta.url), 'utf8');
  const fm = parseFrontMatter(text);
  const file = `weekly/${name}`;
  return importWeeklyPost({ file, idPrefix: name.replace(/\.md$/, ''), data: fm.data, body: fm.body, bodyLine: fm.bodyLine, zone: ZONE });
}

/** The post's page the importer cites: the fixture's name is its slug (no date prefix), the date its front matter's. */
const postOrigin = (name: string) => ({ title: `SOFA Weekly ${POST_DATES[name]}`, url: `https://www.sofastack.tech/blog/${name.replace(/\.md$/, '')}/`, date: POST_DATES[name] });

const faqs = (entries: Entry[]): FaqEntry[] => entries.filter((e): e is FaqEntry => e.kind === 'faq');
const releases = (entries: Entry[]): ReleaseEntry[] => entries.filter((e): e is ReleaseEntry => e.kind === 'release');
const readings = (entries: Entry[]): ReadingEntry[] => entries.filter((e): e is ReadingEntry => e.kind === 'reading');
const events = (entries: Entry[]): EventEntry[] => entries.filter((e): e is EventEntry => e.kind === 'event');

/** Finds an entry by the part of its id after "#", failing loudly when it is missing. */
function byId<T extends Entry>(entries: T[], suffix: string): T {
  const found = entries.find((e) => e.id.endsWith(`#${suffix}`));
  if (!found) throw new Error(`no entry #${suffix} among ${entries.map((e) => e.id).join(', ')}`);
  return found;
}

const FIXTURES = [
  '2019-bold-headings.md',
  '2020-numbered-askers.md',
  '2020-asked-back.md',
  '2020-reader-notes.md',
  '2021-unquoted.md',
  '2022-heading-releases.md',
  '2023-issue-picks.md',
];

describe('2019 post: bold asker headers, quoted questions', () => {
  const { entries, problems } = load('2019-bold-headings.md');
  const qa = faqs(entries);

  it('counts each answered question once, follow-ups included, the unanswered remark excluded', () => {
    expect(qa.map((e) => e.id)).toEqual([
      '2019-bold-headings#qa-1',
      '2019-bold-headings#qa-2',
      '2019-bold-headings#qa-3',
      '2019-bold-headings#qa-4',
    ]);
    expect(qa.map((e) => e.title)).toEqual([
      'SOFAJRaft 能在一个进程里跑多个 raft group 吗？',
      '那每个 group 的快照是分开存的吗？',
      '事务分组是做什么用的？',
      '分组能配多个集群吗？',
    ]);
    expect(problems).toEqual([]);
  });

  it('keeps answer links, strips the marker, and takes the project from the project-link line', () => {
    const first = byId(qa, 'qa-1');
    expect(first.body).toBe(
      '可以，RheaKV 就是这么做的，参考 [multi-raft-group 说明](https://www.sofastack.tech/projects/sofa-jraft/multi-raft/)。',
    );
    expect(first.url).toBe('https://www.sofastack.tech/projects/sofa-jraft/multi-raft/');
    expect(first.links).toEqual([
      { title: 'multi-raft-group 说明', url: 'https://www.sofastack.tech/projects/sofa-jraft/multi-raft/' },
      { title: 'https://github.com/sofastack/sofa-jraft', url: 'https://github.com/sofastack/sofa-jraft' },
    ]);
    expect(first.project).toBe('SOFAJRaft');
    expect(first).toMatchObject({ date: '2019-08-09', tags: [], aliases: [], source: { file: 'weekly/2019-bold-headings.md', line: 25 } });
  });

  it('starts a follow-up at its own question line and drops its image', () => {
    const followUp = byId(qa, 'qa-2');
    expect(followUp.source.line).toBe(31);
    expect(followUp.body).toBe('是的，每个 group 有自己的快照目录。');
    // No link in the answer: the project link is the most relevant one.
    expect(followUp.url).toBe('https://github.com/sofastack/sofa-jraft');
  });

  it('reads a topic header ("关于 Seata 的分组问题") as the start of a block and its project', () => {
    expect(byId(qa, 'qa-3')).toMatchObject({ project: 'Seata', source: { line: 38 }, body: '事务分组把应用映射到一个 TC 集群。', links: [] });
    expect(byId(qa, 'qa-3').url).toBeUndefined();
    expect(byId(qa, 'qa-4')).toMatchObject({ project: 'Seata', source: { line: 44 }, body: '一个分组同一时刻只对应一个集群。' });
  });

  it('reads the release with list markers, thanks and report line removed', () => {
    expect(releases(entries)).toEqual([
      {
        kind: 'release',
        id: '2019-bold-headings#release-1',
        title: 'SOFAJRaft v1.2.6',
        project: 'SOFAJRaft',
        version: 'v1.2.6',
        body: '修复并发读时偶发的超时\n优化日志复制的线程模型',
        url: 'https://github.com/sofastack/sofa-jraft/releases/tag/1.2.6',
        links: [
          { title: 'https://github.com/sofastack/sofa-jraft/releases/tag/1.2.6', url: 'https://github.com/sofastack/sofa-jraft/releases/tag/1.2.6' },
        ],
        date: '2019-08-09',
        tags: [],
        source: { file: 'weekly/2019-bold-headings.md', line: 59 },
        origin: postOrigin('2019-bold-headings.md'),
      },
    ]);
  });

  it('makes site-relative reading links absolute', () => {
    expect(readings(entries).map((e) => [e.id, e.title, e.url, e.source.line])).toEqual([
      ['2019-bold-headings#reading-1', 'SOFAJRaft 快照机制浅析', 'https://www.sofastack.tech/blog/sofa-jraft-snapshot-demo/', 52],
      ['2019-bold-headings#reading-2', 'Seata 事务分组入门 | 用户说', 'https://www.sofastack.tech/blog/seata-group-demo/', 53],
    ]);
    expect(readings(entries).every((e) => e.body === '')).toBe(true);
  });

  it('reads an unlabelled live announcement: 《》 title, date line, sign-up link', () => {
    const [event] = events(entries);
    expect(event).toMatchObject({
      id: '2019-bold-headings#event-1',
      title: '从一个例子开始体验 SOFAJRaft',
      start: '2019-08-29T19:00:00+08:00',
      eventKind: 'live',
      url: 'https://example.com/live/821',
      project: 'SOFAJRaft',
      source: { line: 70 },
    });
    expect(event?.end).toBeUndefined();
    expect(event?.location).toBeUndefined();
  });
});

describe('2020 post: an answer that only asks the asker back', () => {
  const qa = faqs(load('2020-asked-back.md').entries);

  it('carries the exchange that follows it in the same block, which holds the answer', () => {
    expect(qa.map((e) => [e.id.split('#')[1], e.title, e.body])).toEqual([
      [
        'qa-1',
        '用 Saga 状态机调用 Dubbo 服务时报没有提供者，直接注入调用是好的，是什么原因？',
        '你的服务是用 XML 注册的还是用注解注册的？\n\n追问：用的是 @Reference 注解。\n\n状态机是通过 getBean 取服务的，注解引用的服务不是一个 Bean，改用 XML 引用即可。',
      ],
      // The follow-up is still an entry of its own, as the evaluation set counts pairs.
      ['qa-2', '用的是 @Reference 注解。', '状态机是通过 getBean 取服务的，注解引用的服务不是一个 Bean，改用 XML 引用即可。'],
      // Nothing follows in its block: the next asker's exchange is not its answer.
      ['qa-3', 'SOFAJRaft 的快照可以关掉吗？', '你说的关掉是指不生成快照，还是不从快照恢复？'],
      ['qa-4', 'RheaKV 支持范围扫描吗？', '支持，用 scan 接口。'],
    ]);
  });
});

describe('2020 post: numbered askers, follow-ups, a mislabelled section', () => {
  const { entries } = load('2020-numbered-askers.md');
  const qa = faqs(entries);

  it('merges consecutive answers, splits quoted and plain follow-ups', () => {
    expect(qa.map((e) => [e.id.split('#')[1], e.title, e.body, e.source.line])).toEqual([
      ['qa-1', 'Saga 状态机的 json 可以热更新吗？', '可以，调用 registerByResource 重新注册即可。\n\n注意 Java 代码本身不会跟着热更新。', 17],
      ['qa-2', '重新注册后旧版本的实例会怎样？', '已经在跑的实例继续用旧版本。', 25],
      // The plain follow-up: "#qa-3" is the third exchange of the same asker.
      ['qa-3', '那新启动的实例呢？', '新实例使用最新版本。', 29],
      ['qa-4', 'SOFARPC 能同时注册到两个注册中心吗？', '可以，registry 配置是一个 list。', 35],
    ]);
    expect(qa.map((e) => e.project)).toEqual(['Seata', 'Seata', 'Seata', 'SOFARPC']);
  });

  it("gives a follow-up the question asked just before it in the same asker's block, and no other entry", () => {
    expect(qa.map((e) => e.follows)).toEqual([undefined, 'Saga 状态机的 json 可以热更新吗？', '重新注册后旧版本的实例会怎样？', undefined]);
  });

  it('reads a "每周读者问答提炼" heading over a list of articles as reading', () => {
    expect(readings(entries).map((e) => [e.title, e.url, e.source.line])).toEqual([
      ['Saga 模式实践 | 用户说', 'https://www.sofastack.tech/blog/saga-demo/', 45],
      ['SOFARPC 多注册中心配置', 'https://www.sofastack.tech/blog/rpc-registry-demo/', 46],
    ]);
  });

  it('reads numbered release headers in both word orders, versions as written', () => {
    const [seata, tracer] = releases(entries);
    expect(seata).toMatchObject({
      id: '2020-numbered-askers#release-1',
      title: 'Seata v1.1.0',
      project: 'Seata',
      version: 'v1.1.0',
      // The code-change statistics are boilerplate; the recommendation is a substantive note.
      body: '支持 postgreSQL；\n支持自定义 Saga 恢复超时；\n此版本修复了多个稳定性问题，推荐升级。',
      url: 'https://github.com/seata/seata/releases/tag/v1.1.0',
      source: { line: 52 },
    });
    expect(tracer).toMatchObject({
      id: '2020-numbered-askers#release-2',
      title: 'SOFATracer v2.4.5/3.0.9',
      version: 'v2.4.5/3.0.9',
      body: '默认不再上报到 zipkin；\n修复 spanId 重复的问题；',
      url: 'https://github.com/sofastack/sofa-tracer/releases/tag/v2.4.5',
      source: { line: 62 },
    });
    expect(tracer?.links.map((l) => l.url)).toEqual([
      'https://github.com/sofastack/sofa-tracer/releases/tag/v2.4.5',
      'https://github.com/sofastack/sofa-tracer/releases/tag/v3.0.9',
    ]);
  });

  it('reads a labelled live announcement with its time range', () => {
    expect(events(entries)).toEqual([
      {
        kind: 'event',
        id: '2020-numbered-askers#event-1',
        title: 'SOFAChannel#12：分布式事务实践解析',
        body:
          '本期直播将介绍分布式事务的实践经验。\n- **直播主题：**SOFAChannel#12：分布式事务实践解析\n- **直播时间：**2020/3/12（周四）19:00-20:00\n- **报名方式：**点击“[这里](https://example.com/live/1119)”，即可报名',
        url: 'https://example.com/live/1119',
        links: [{ title: '这里', url: 'https://example.com/live/1119' }],
        start: '2020-03-12T19:00:00+08:00',
        end: '2020-03-12T20:00:00+08:00',
        eventKind: 'live',
        date: '2020-02-21',
        tags: [],
        source: { file: 'weekly/2020-numbered-askers.md', line: 77 },
        origin: postOrigin('2020-numbered-askers.md'),
      },
    ]);
  });
});

describe('2021 post: unquoted questions, 答： markers, <br /> breaks', () => {
  const { entries } = load('2021-unquoted.md');
  const qa = faqs(entries);

  it('reads multi-line unquoted questions and bare-URL answers', () => {
    expect(byId(qa, 'qa-1')).toMatchObject({
      title: 'MOSN 支持按 header 路由到不同的 cluster 吗？ 我们想做灰度发布。',
      body: '支持，在 router 里配置 header 匹配即可，示例见 https://mosn.io/docs/router-demo/ 。',
      url: 'https://mosn.io/docs/router-demo/',
      project: 'MOSN',
      source: { line: 11 },
    });
    expect(byId(qa, 'qa-1').links).toEqual([
      { title: 'https://mosn.io/docs/router-demo/', url: 'https://mosn.io/docs/router-demo/' },
      { title: 'https://github.com/mosn/mosn', url: 'https://github.com/mosn/mosn' },
    ]);
  });

  it('turns <br /> into line breaks and normalises the project spelling', () => {
    expect(byId(qa, 'qa-2')).toMatchObject({
      title: '使用 jraft 时 onApply 可以多线程执行吗？',
      body: '不可以，同一个状态机的 onApply 由单线程顺序执行，\n这样才能保证日志按顺序应用。',
      project: 'SOFAJRaft',
      source: { line: 20 },
    });
    expect(qa).toHaveLength(2);
  });

  it('reads "本周 X 发布 N 版本" and "X 发布了N 版本" headers and strips "- 1." markers', () => {
    expect(releases(entries).map((e) => [e.title, e.version, e.body, e.url, e.source.line])).toEqual([
      [
        'SOFAJRaft 1.3.7',
        '1.3.7',
        '修复建连被阻塞导致选主超时\n升级 commons-io 修复安全漏洞',
        'https://github.com/sofastack/sofa-jraft/releases/tag/1.3.7',
        36,
      ],
      ['Layotto 0.2.0', '0.2.0', '支持 File API\n支持 Binding API', 'https://github.com/mosn/layotto/releases/tag/v0.2.0', 43],
    ]);
  });
});

describe('2022 post: heading releases, skipped newbie tasks', () => {
  const { entries } = load('2022-heading-releases.md');

  it('reads a bold question under its asker header, and skips contributor and newbie-task sections', () => {
    expect(faqs(entries).map((e) => [e.title, e.body, e.project, e.source.line])).toEqual([
      ['请问 Layotto 现在能跑在 Envoy 上吗？', '正在做，先开源 Envoy 的 cgo 插件。', 'Layotto', 24],
    ]);
    expect(readings(entries).map((e) => e.title)).toEqual(['Layotto on Envoy 的探索']);
  });

  it('takes the project from the section heading when the header names only a version', () => {
    expect(byId(releases(entries), 'release-1')).toMatchObject({
      title: 'SOFAJRaft 1.3.10',
      project: 'SOFAJRaft',
      version: '1.3.10',
      body: 'Features：\n优化 read-index 读\nBug Fixes：\n升级 Log4j 以解决安全漏洞',
      url: 'https://github.com/sofastack/sofa-jraft/releases/tag/1.3.10',
      source: { line: 43 },
    });
  });

  it('reads a "版本发布" heading and its repeated header as one release', () => {
    expect(releases(entries)).toHaveLength(2);
    expect(byId(releases(entries), 'release-2')).toMatchObject({
      title: 'MOSN v1.1.0',
      version: 'v1.1.0',
      body: '支持反向建连，细节可以参考博客：[https://mosn.io/blog/posts/tunnel-demo/](https://mosn.io/blog/posts/tunnel-demo/)\n支持自定义 xDS 解析扩展',
      url: 'https://github.com/mosn/mosn/blob/master/CHANGELOG_ZH.md',
      source: { line: 55 },
    });
  });
});

describe('2023 post: GitHub issue picks, meeting notice, bold sections', () => {
  const { entries } = load('2023-issue-picks.md');
  const qa = faqs(entries);

  it('counts issue items and their follow-ups as Q&A pairs', () => {
    expect(qa.map((e) => [e.id, e.title, e.source.line])).toEqual([
      [
        '2023-issue-picks#qa-1',
        'RheaKV 中的 RocksDB 能换压缩方式吗？ 是否可以通过 `StorageOptionsFactory.registerRocksDBOptions` 注册？',
        48,
      ],
      ['2023-issue-picks#qa-2', '注册后需要重启吗？', 64],
      ['2023-issue-picks#qa-3', '子应用可以用 spring-boot-maven-plugin 打包吗？', 70],
    ]);
  });

  it('keeps code blocks in answers and links the issue', () => {
    expect(byId(qa, 'qa-1')).toMatchObject({
      body: '可以，注册自己的选项即可：\n\n```java\nStorageOptionsFactory.registerRocksDBOptions(MyStore.class, opts);\n```',
      url: 'https://github.com/sofastack/sofa-jraft/issues/965',
      project: 'SOFAJRaft',
    });
    expect(byId(qa, 'qa-2')).toMatchObject({ body: '需要重启节点才会生效。', project: 'SOFAJRaft' });
  });

  it('prefers the project named in the issue header over a mislabelled project link', () => {
    expect(byId(qa, 'qa-3')).toMatchObject({
      project: 'SOFAArk',
      body: '可以，但只有 sofa-ark-maven-plugin 的产物能热部署。',
      url: 'https://github.com/sofastack/sofa-ark/issues/741',
    });
  });

  it('reads a bold "版本发布" section with bold inside its header', () => {
    expect(releases(entries).map((e) => [e.title, e.version, e.body, e.url, e.source.line])).toEqual([
      ['SOFARPC 5.10.0', '5.10.0', '重构了自定义序列化器的注册方式 #1296', 'https://github.com/sofastack/sofa-rpc/compare/v5.9.2...v5.10.0', 30],
    ]);
  });

  it('reads a community meeting notice as an "other" event', () => {
    expect(events(entries)).toEqual([
      {
        kind: 'event',
        id: '2023-issue-picks#event-1',
        title: 'Layotto 2023-04-26 社区会议',
        body:
          '**主题：**Layotto 2023-04-26 社区会议\n**时间：**4 月 26 日（下周三）14:00\n**入会链接：**[*https://meeting.dingtalk.com/j/demo123*](https://meeting.dingtalk.com/j/demo123)\n**议题：**\n- 开源之夏课题招募',
        url: 'https://meeting.dingtalk.com/j/demo123',
        links: [
          { title: 'https://meeting.dingtalk.com/j/demo123', url: 'https://meeting.dingtalk.com/j/demo123' },
          { title: 'https://github.com/mosn/layotto/issues/907', url: 'https://github.com/mosn/layotto/issues/907' },
        ],
        project: 'Layotto',
        start: '2023-04-26T14:00:00+08:00',
        eventKind: 'other',
        date: '2023-04-21',
        tags: [],
        source: { file: 'weekly/2023-issue-picks.md', line: 16 },
        origin: postOrigin('2023-issue-picks.md'),
      },
    ]);
  });

  it('reads bare article links of a bold reading section and repairs a mistyped scheme', () => {
    expect(readings(entries).map((e) => [e.title, e.url, e.source.line])).toEqual([
      ['MoE 系列（一）｜如何使用 Golang 扩展 Envoy', 'https://example.com/articles/moe-1', 82],
      ['《SOFAJRaft 在某公司的实践》', 'https://example.com/articles/jraft-case', 84],
    ]);
  });
});

describe('no boilerplate in any title or body', () => {
  const BOILERPLATE = [
    /SOFA WEEKLY/i,
    /每周精选/,
    /SOFAStack 官网/,
    /欢迎大家/,
    /我们会筛选/,
    /形式回复/,
    /本周各项目回复/,
    /!\[/,
    /^\s*>/m,
    /提问/,
    /^\s*A\s*[：:]/m,
    /^\s*答\s*[：:]/m,
    /致谢|@alice/,
    /详细(?:参考|发布报告)/,
    /本次发布涉及代码改动/,
    /新手任务|Easy/,
    /「[^」]*」\s*[：:]?\s*\[?\*?https:\/\/github\.com/,
    /^\s*\w+[：:]\s*\[https:\/\/github\.com\/[^/\]]+(?:\/[^/\]]+)?\/?\]/m,
    /<\/?br/i,
  ];

  for (const name of FIXTURES) {
    it(name, () => {
      const { entries } = load(name);
      expect(entries.length).toBeGreaterThan(0);
      for (const entry of entries) {
        for (const pattern of BOILERPLATE) {
          expect(`${entry.id}: ${entry.title}\n${entry.body}`).not.toMatch(pattern);
        }
      }
    });
  }
});

const POST_DATES: Record<string, string> = {
  '2019-bold-headings.md': '2019-08-09',
  '2020-numbered-askers.md': '2020-02-21',
  '2020-asked-back.md': '2020-01-10',
  '2020-reader-notes.md': '2020-03-06',
  '2021-unquoted.md': '2021-05-21',
  '2022-heading-releases.md': '2022-03-18',
  '2023-issue-picks.md': '2023-04-21',
};

describe('ids, sources and dates', () => {
  it('numbers each kind from 1 in document order and points every entry at the given file', () => {
    for (const name of FIXTURES) {
      const { entries } = load(name);
      const prefix = name.replace(/\.md$/, '');
      for (const kind of ['qa', 'note', 'release', 'reading', 'event']) {
        const ids = entries.filter((e) => e.id.includes(`#${kind}-`)).map((e) => e.id);
        expect(ids).toEqual(ids.map((_, i) => `${prefix}#${kind}-${i + 1}`));
      }
      expect(new Set(entries.map((e) => e.source.file))).toEqual(new Set([`weekly/${name}`]));
      // The calendar part of the front-matter date, as written.
      expect(new Set(entries.map((e) => e.date))).toEqual(new Set([POST_DATES[name]]));
    }
  });
});

describe('2020 post: paragraphs between the Q&A pairs that answer something', () => {
  const { entries, problems } = load('2020-reader-notes.md');
  const qa = faqs(entries);
  const notes = qa.filter((e) => e.id.includes('#note-'));

  it('turns a project definition into "<project> 是什么？" with the links that follow it', () => {
    expect(byId(qa, 'note-1')).toEqual({
      kind: 'faq',
      id: '2020-reader-notes#note-1',
      title: 'SOFAJRaft 是什么？',
      body: 'SOFAJRaft：一个基于 Raft 算法的 Java 实现，是一个生产级的共识库，\n适合用来构建高可用的分布式存储。',
      url: 'https://github.com/sofastack/sofa-jraft',
      links: [
        { title: 'https://github.com/sofastack/sofa-jraft', url: 'https://github.com/sofastack/sofa-jraft' },
        // A labelled link line names its link.
        { title: 'Counter 示例说明', url: 'https://www.sofastack.tech/projects/sofa-jraft/counter-example/' },
      ],
      project: 'SOFAJRaft',
      date: '2020-03-06',
      tags: [],
      aliases: [],
      source: { file: 'weekly/2020-reader-notes.md', line: 18 },
      origin: postOrigin('2020-reader-notes.md'),
    });
  });

  it('turns a note on a topic readers asked about into that question, without the item number', () => {
    expect(byId(qa, 'note-2')).toMatchObject({
      title: 'MOSN 如何接入 Istio？',
      body: '前几天有同学问到 MOSN 如何接入 Istio，社区整理了一篇上手文档，欢迎试用。',
      url: 'https://example.com/mosn-istio-start/',
      links: [
        { title: 'https://example.com/mosn-istio-start/', url: 'https://example.com/mosn-istio-start/' },
        { title: 'https://github.com/mosn/mosn', url: 'https://github.com/mosn/mosn' },
      ],
      project: 'MOSN',
      source: { line: 47 },
    });
  });

  it('makes nothing of the invitation, the site line, link-only lines or a question nobody answered', () => {
    expect(notes.map((e) => e.id)).toEqual(['2020-reader-notes#note-1', '2020-reader-notes#note-2']);
    // The site line ends the definition's links: neither it nor the labelled link after it belongs there.
    const urls = entries.flatMap((e) => e.links.map((l) => l.url));
    expect(urls).not.toContain('https://www.sofastack.tech/');
    expect(urls).not.toContain('https://example.com/saga-tool/');
    expect(urls).not.toContain('https://github.com/sofastack/sofa-jraft/wiki');
    expect(qa.map((e) => e.title)).not.toContain('Layotto 下周会发布新版本吗？');
    expect(problems).toEqual([]);
  });

  it('leaves the pairs exactly as they are without the notes: same ids, titles, bodies, lines', () => {
    const text = readFileSync(new URL('../fixtures/weekly/2020-reader-notes.md', import.meta.url), 'utf8');
    // Blanking the note paragraphs keeps every other line where it was.
    const blanked = text
      .split('\n')
      .map((line, i) => ([18, 19, 47].includes(i + 1) ? '' : line))
      .join('\n');
    const fm = parseFrontMatter(blanked);
    const without = importWeeklyPost({ file: 'weekly/2020-reader-notes.md', idPrefix: '2020-reader-notes', data: fm.data, body: fm.body, bodyLine: fm.bodyLine, zone: ZONE });
    expect(faqs(without.entries)).toEqual(qa.filter((e) => e.id.includes('#qa-')));
    expect(qa.filter((e) => e.id.includes('#qa-')).map((e) => [e.id, e.source.line])).toEqual([
      ['2020-reader-notes#qa-1', 29],
      ['2020-reader-notes#qa-2', 39],
    ]);
  });

  it('reads "X 是一款…" only for a known project, and never inside a quote', () => {
    const run = (lines: string[]) =>
      faqs(importWeeklyPost({ file: 'n.md', idPrefix: 'n', data: { date: '2020-01-01' }, body: lines.join('\n'), bodyLine: 1, zone: ZONE }).entries);
    const pair = ['**1、@甲** 提问：', '', '> 问题？', '', 'A：回答。'];
    expect(run(['### 每周读者问答提炼', '', 'SOFAArk 是一款轻量的类隔离容器，适合多个应用合并部署。', '', ...pair]).map((e) => [e.id, e.title, e.project, e.source.line])).toEqual([
      ['n#qa-1', '问题？', undefined, 5],
      ['n#note-1', 'SOFAArk 是什么？', 'SOFAArk', 3],
    ]);
    expect(run(['### 每周读者问答提炼', '', 'Foobar 是一款我们不认识的工具，用来演示未知名称。', '', ...pair]).map((e) => e.id)).toEqual(['n#qa-1']);
    expect(run(['### 每周读者问答提炼', '', '> SOFAArk 是一款轻量的类隔离容器，适合多个应用合并部署。', '', ...pair]).map((e) => e.id)).toEqual(['n#qa-1']);
  });
});

describe('isWeeklyPost', () => {
  it('recognises the label in categories, tags or title, in any case and spacing', () => {
    expect(isWeeklyPost({ categories: 'SOFA Weekly' }, '')).toBe(true);
    expect(isWeeklyPost({ tags: ['news', 'SOFA WEEKLY'] }, '')).toBe(true);
    expect(isWeeklyPost({ title: 'sofaweekly 20230106' }, '')).toBe(true);
  });

  it('recognises an unlabelled post by its Q&A and release sections', () => {
    const body = '### 每周读者问答提炼\n\n**@a** 提问：\n\n> 问题？\n\nA：回答。\n\n### 本周发布\n\n**发布 MOSN v1.0.0 版本，主要变更如下：**\n\n- 变更\n';
    expect(isWeeklyPost({ title: '社区周报' }, body)).toBe(true);
    expect(isWeeklyPost({ title: '社区周报' }, '### 每周读者问答提炼\n\n**@a** 提问：\n\n> 问题？\n\nA：回答。\n')).toBe(false);
    expect(isWeeklyPost({ title: 'SOFAChannel#8 回顾', categories: 'SOFAStack' }, '# 正文')).toBe(false);
  });
});

describe('odd input', () => {
  const run = (body: string, data: Record<string, unknown> = { date: '2020-01-01T00:00:00+08:00' }, zone = ZONE) =>
    importWeeklyPost({ file: 'odd.md', idPrefix: 'odd', data, body, bodyLine: 5, zone });

  it('never throws, whatever the text', () => {
    const samples = ['', '\n\n', '###', '**', 'A：', '> ', '```', '#'.repeat(5000), 'A：'.repeat(2000), '[a](b'.repeat(1000), '**1、@' + 'x'.repeat(20000)];
    for (const body of samples) expect(() => run(body)).not.toThrow();
    expect(() => run('### 社区活动预告\n\n**主题**：测试\n**时间**：8 月 29 日 19:00', {}, 'No/Such_Zone')).not.toThrow();
  });

  it('warns about a missing date and skips events it cannot place', () => {
    const { entries, problems } = run('### 社区直播预告\n\n**主题**：测试直播\n\n**时间**：8 月 29 日 19:00\n', {});
    expect(entries).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'odd.md', line: 1, severity: 'warning' });
    expect(problems[0]?.message).toContain('no date');
  });

  it('warns at the question line when a curated question got no answer', () => {
    const body = '### 每周读者问答提炼\n\n**1、@甲** 提问：\n\n> 这个问题没有人回答吗？\n\n**2、@乙** 提问：\n\n> 第二个问题？\n\nA：有答案。\n';
    const { entries, problems } = run(body);
    expect(faqs(entries).map((e) => [e.id, e.title, e.source.line])).toEqual([['odd#qa-1', '第二个问题？', 11]]);
    expect(problems).toEqual([
      { file: 'odd.md', line: 9, severity: 'warning', message: 'Q&A question has no answer (no "A：" line before the next question)' },
    ]);
  });

  it('drops the invitation lines when a Q&A section has no asker headers', () => {
    const body =
      '### 每周读者问答提炼\n\n欢迎大家向公众号留言提问或在群里与我们互动\n我们会筛选重点问题通过 " SOFA WEEKLY " 的形式回复\n\n> 有没有 Go 的客户端？\n\nA：目前只有 Java 客户端。\n';
    expect(faqs(run(body).entries).map((e) => [e.title, e.body, e.source.line])).toEqual([['有没有 Go 的客户端？', '目前只有 Java 客户端。', 10]]);
  });

  it('skips an event whose only date is background well before the post', () => {
    const body = '### SOFAChannel#33 预告\n\n**Occlum** 于 2022 年 12 月 10 日发布 v1.0 版本，本期直播介绍它的新特性。\n';
    expect(events(run(body, { date: '2023-05-26T15:00:00+08:00' }).entries)).toEqual([]);
  });
});

describe('a release whose thanks and contributors stand on lines of their own', () => {
  const body = [
    '## SOFA 项目进展',
    '',
    '**发布 SOFAJRaft v1.3.1，主要变更如下：**',
    '',
    '- 正式提供稳定的 RocksDBSegmentLogStorage；',
    '- 致谢（排名不分先后）',
    '',
    '[@alice](https://github.com/alice) 、[@bob](https://github.com/bob)',
    '',
    '详细发布报告：[https://github.com/sofastack/sofa-jraft/issues/420](https://github.com/sofastack/sofa-jraft/issues/420)',
  ].join('\n');
  const { entries } = importWeeklyPost({ file: 'weekly/x.md', idPrefix: 'x', data: { title: 'SOFA Weekly | x', date: '2020-04-17' }, body, bodyLine: 1, zone: ZONE });

  it('links the release report, not a contributor', () => {
    const [release] = releases(entries);
    expect(release?.url).toBe('https://github.com/sofastack/sofa-jraft/issues/420');
    expect(release?.links.map((l) => l.url)).toEqual(['https://github.com/sofastack/sofa-jraft/issues/420']);
    expect(release?.body).toBe('正式提供稳定的 RocksDBSegmentLogStorage；');
  });
});

describe('the post cited as the source, mistyped links repaired or dropped', () => {
  const name = '2019-08-02-sofa-weekly-20190802.md';
  const { entries, problems } = load(name);
  const file = `weekly/${name}`;

  it('cites the post page on the website on every entry: <site>/blog/<slug>/ with the post date', () => {
    expect(entries.map((e) => e.origin)).toEqual(
      entries.map(() => ({ title: 'SOFA Weekly 2019-08-02', url: 'https://www.sofastack.tech/blog/sofa-weekly-20190802/', date: '2019-08-02' })),
    );
    const text = readFileSync(new URL(`../fixtures/weekly/${name}`, import.meta.url), 'utf8');
    const fm = parseFrontMatter(text);
    const mirrored = importWeeklyPost({ file, idPrefix: 'p', data: fm.data, body: fm.body, bodyLine: fm.bodyLine, zone: ZONE, siteUrl: 'https://mirror.example.org/' });
    expect(new Set(mirrored.entries.map((e) => e.origin?.url))).toEqual(new Set(['https://mirror.example.org/blog/sofa-weekly-20190802/']));
  });

  it('keeps the answer links as they were (a bare repository home page included: search and evaluation read them)', () => {
    expect(byId(faqs(entries), 'qa-1').links.map((l) => l.url)).toEqual(['https://github.com/sofastack/sofa-tracer']);
  });

  it('repairs mistyped schemes in links and answer text, and drops a target no repair is certain for', () => {
    const rpc = byId(faqs(entries), 'qa-2');
    expect(rpc.links.map((l) => l.url)).toEqual([
      'https://github.com/sofastack/sofa-rpc/blob/master/generic.md',
      'https://github.com/sofastack/sofa-rpc/issues/1234',
      'https://github.com/sofastack/sofa-rpc',
    ]);
    expect(rpc.body).toBe('参考 [泛化调用文档](https://github.com/sofastack/sofa-rpc/blob/master/generic.md) 和 [相关 issue](https://github.com/sofastack/sofa-rpc/issues/1234)，旧文见连接管理。');
    const seata = byId(faqs(entries), 'qa-3');
    expect(seata.url).toBe('http://seata.example.org/docs/at');
    expect(seata.body).toBe('不会，全局锁是行级的，见 [AT 模式](http://seata.example.org/docs/at)。');
  });

  it('warns about each mistyped link at its line', () => {
    expect(problems.map((p) => [p.severity, p.line, p.message])).toEqual([
      ['warning', 22, 'mistyped link target "https:/github.com/sofastack/sofa-rpc/blob/master/generic.md": read as https://github.com/sofastack/sofa-rpc/blob/master/generic.md'],
      ['warning', 22, 'mistyped link target "ttps://github.com/sofastack/sofa-rpc/issues/1234": read as https://github.com/sofastack/sofa-rpc/issues/1234'],
      ['warning', 22, 'link target "h/blog/rpc-connection/" is not a URL and no repair is certain: the link is dropped'],
      ['warning', 30, 'mistyped link target "http//seata.example.org/docs/at": read as http://seata.example.org/docs/at'],
    ]);
    expect(new Set(problems.map((p) => p.file))).toEqual(new Set([file]));
  });
});
