// The digest as a complete "SOFA Weekly" article in the archive's own format, so that a published
// week can be dropped into the knowledge folder and read back by the weekly importer
// (src/knowledge/import-weekly/) into the same entries.
//
// What the importer reads back differently (the main points are pinned by
// test/schedule/format-weekly-post.test.ts):
// - All entries: ids, sources and `links` are the importer's (`<file>#qa-1` …, links as found in
//   the text); `date` is the post's date (the calendar date of `digest.now`), also for events;
//   runs of whitespace in titles become one space.
// - Q&A: the project is the project-link line's or the one the question mentions; the url is the
//   answer's first link (a FAQ without a url whose answer holds a link gains one). When the
//   importer would not find the FAQ's url, it is written after the answer as a GitHub project-link
//   line (repository, issue or pull URLs) or else as a last answer paragraph `详见：[title](url)`,
//   which the body then ends with; a url that is not the answer's first link cannot be read back.
//   Answers lose quoted lines (`> …`) and all after them, images, `A：` at a line's start, trailing
//   spaces and repeated blank lines; site-relative links come back absolute; `<br>` splits a line;
//   and a line the importer takes for structure ends the answer there: an ATX heading of level 1-3
//   or naming a section, a bold line naming one (`**相关阅读**`), an asker header (`@name …`,
//   `**1. …**`, a short bold line such as `**注意**`, `xx 提问：`) or a project-link line (`MOSN：`,
//   `Name: [..](https://github.com/o/r)`). Questions lose `**`; their line breaks become spaces.
// - Releases: the body comes back as bare change lines (`releaseChanges`, with `**` dropped too); a
//   change starting with `1.`, `1、` or `i.` loses that prefix; a change that is only a link, starts
//   with 详细/详见/致谢/感谢…, or reads as a release header ("发布 2.0 版本") is dropped or splits the
//   release. The project must start with a Latin letter and hold only letters, digits, spaces,
//   `.`, `_`, `-`, and the version must start with a digit (or `v` and a digit) or be beta/alpha;
//   a known project's other spelling comes back canonical (`sofa-rpc` → `SOFARPC`).
// - Reading: title and url only (summaries are not written); titles lose `*` and `\`, unbalanced
//   brackets become 【】, and an entry whose title is a URL is not read back (it looks like a report link).
// - Events: start and end keep minutes, not seconds, and are read in the loader's zone, so the post
//   must be loaded with the digest's zone; the body comes back as the announcement's lines; the kind
//   is re-read from the words (`线上直播` → live, `线下 Meetup` → meetup), so a meetup or other event
//   whose title, place or URL says 直播/线上/webinar/SOFAChannel comes back live, and an other event
//   with a place, or saying meetup/峰会/大会/沙龙, comes back a meetup; titles lose `*` and `\`, and
//   HTML-like tags are written with full-width brackets (`＜SOFA:RegistryLab/＞`) to survive.
// - URLs: whitespace, `(`, `)`, `<`, `>` and `*` are written percent-encoded (escapeUrl).
import { DateTime } from 'luxon';
import type { EventEntry, FaqEntry, ReadingEntry, ReleaseEntry } from '../knowledge/entry.js';
import { importWeeklyPost } from '../knowledge/import-weekly/index.js';
import { escapeUrl } from '../shared/sanitize-markdown.js';
import { EMPTY_WEEK_TEXT, releaseChanges, type Digest } from './compose-digest.js';

export interface WeeklyPostOptions {
  /** Front-matter author; "SOFA 团队" as in the archive by default. */
  author?: string;
}

const DEFAULT_AUTHOR = 'SOFA 团队';
const ASKER = '社区';

/** The article: YAML front matter and the archive's sections, Q&A first; empty sections left out. */
export function formatWeeklyPost(digest: Digest, options: WeeklyPostOptions = {}): string {
  const { releases, faqs, readings, events } = digest.entries;
  const range = `${digest.week.start.slice(5).replace('-', '/')}-${digest.week.end.slice(5).replace('-', '/')}`;
  const frontMatter = [
    '---',
    `title: ${yamlString(digest.title)}`,
    `author: ${yamlString(options.author ?? DEFAULT_AUTHOR)}`,
    `description: ${yamlString(`【${range}】 | 每周精选，筛选每周精华问答，同步开源进展，欢迎留言互动。`)}`,
    'categories: "SOFA Weekly"',
    'tags: ["SOFA Weekly"]',
    `date: ${digest.now}`,
    '---',
  ].join('\n');
  const blocks = [frontMatter, '**SOFA WEEKLY | 每周精选，筛选每周精华问答**', '**同步开源进展，欢迎留言互动**'];
  if (faqs.length > 0) blocks.push(qaSection(faqs));
  if (releases.length > 0) blocks.push(releaseSection(releases));
  if (readings.length > 0) blocks.push(readingSection(readings));
  if (events.length > 0) blocks.push(eventSection(events, digest.zone));
  if (faqs.length + releases.length + readings.length + events.length === 0) blocks.push(EMPTY_WEEK_TEXT);
  return `${blocks.join('\n\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// 每周读者问答提炼

/**
 * A line shaped like a reading item (`- [title](url)`, `参考：[title](url)`): the importer cuts a run
 * of two or more of them off the end of a Q&A or release section as reading entries.
 */
const LINK_ITEM = /^\s*(?:[-+*]\s+)?(?:[^[\]()]{0,40}[：:]\s*)?[*_]*\[.*\]\([^)]*\)[*_]*\s*[。；;，,]?\s*$/;
/** What the importer accepts as a project link: a GitHub repository, issue or pull request. */
const GITHUB_PROJECT_URL = /^https?:\/\/(?:www\.)?github\.com\/+[^/\s]+(?:\/[^/\s]+\/?(?:(?:issues|pull)\/\d+\/?)?)?\/?$/i;

/** A line the importer skips in a Q&A section, written last so no answer ends the section. */
const QA_CLOSING = '欢迎大家在 GitHub 提交 issue，或在群里与我们互动。';

function qaSection(faqs: readonly FaqEntry[]): string {
  const blocks = ['### 每周读者问答提炼', '欢迎大家向公众号留言提问或在群里与我们互动', '我们会筛选重点问题通过 " SOFA WEEKLY " 的形式回复'];
  faqs.forEach((faq, i) => blocks.push(qaBlock(faq, i + 1)));
  const lastLine = blocks[blocks.length - 1]?.split('\n').pop() ?? '';
  if (LINK_ITEM.test(lastLine)) blocks.push(QA_CLOSING);
  return blocks.join('\n\n');
}

function qaBlock(faq: FaqEntry, n: number): string {
  const question = faq.title
    .split('\n')
    .map((line) => `> ${line.trim()}`)
    .join('\n');
  const blocks = [`**${n}、@${ASKER} 提问：**`, question, answer(faq.body.trim())];
  const url = faq.url;
  if (!url) return blocks.join('\n\n');
  // The importer takes a FAQ's url from the answer's first link or from a GitHub project-link line
  // after it, normalising targets on the way (mailto:, site-relative paths …); only the importer
  // itself can say whether it will find this url, so it is asked, and a link is added only if needed.
  const trailers: string[][] = [[]];
  if (GITHUB_PROJECT_URL.test(url)) trailers.push([`${projectLabel(faq.project)}：[${url}](${escapeUrl(url)})`]);
  trailers.push([`详见：[${linkText(faq.links.find((l) => l.url === url)?.title ?? url)}](${escapeUrl(url)})`]);
  const trailer = trailers.find((t) => urlReadBack([...blocks, ...t].join('\n\n')) === url) ?? [];
  return [...blocks, ...trailer].join('\n\n');
}

/** The url the importer reads from one Q&A block, as it would in the post. */
function urlReadBack(block: string): string | undefined {
  const body = ['### 每周读者问答提炼', block, QA_CLOSING].join('\n\n');
  const { entries } = importWeeklyPost({ file: 'post.md', idPrefix: 'post', data: { date: '2000-01-01' }, body, bodyLine: 1, zone: 'UTC' });
  return entries.find((e) => e.kind === 'faq')?.url;
}

/** `A：` before the answer; on a line of its own when the answer opens with a block (list, code …). */
function answer(body: string): string {
  const first = body.split('\n')[0] ?? '';
  return /^\s*(?:[-*+]\s|\d+[.)、]|>|#|\||`{3,}|~{3,}|\s{4})/.test(first) || first.trim() === '' ? `A：\n\n${body}` : `A：${body}`;
}

/** The label of a project-link line: the project when the importer reads it as one, else "GitHub". */
function projectLabel(project: string | undefined): string {
  return project && /^[A-Za-z][A-Za-z0-9 .-]{0,30}$/.test(project) ? project : 'GitHub';
}

// ---------------------------------------------------------------------------------------------
// SOFA 项目进展

/** A line the importer drops from release notes (祝大家…), written last so no change ends the section. */
const RELEASE_CLOSING = '欢迎大家升级体验，祝大家使用愉快！';

function releaseSection(releases: readonly ReleaseEntry[]): string {
  const blocks = ['### SOFA 项目进展', '**本周发布详情如下：**'];
  for (const release of releases) {
    blocks.push(releaseHeader(release));
    const changes = releaseChanges(release.body);
    if (changes.length > 0) blocks.push(changes.map((c) => `- ${c}`).join('\n'));
    if (release.url) blocks.push(`详细参考发布报告：[${release.url}](${escapeUrl(release.url)})`);
  }
  const lastLine = blocks[blocks.length - 1]?.split('\n').pop() ?? '';
  if (!lastLine.startsWith('详细参考发布报告') && LINK_ITEM.test(lastLine)) blocks.push(RELEASE_CLOSING);
  return blocks.join('\n\n');
}

/**
 * `**发布 SOFAJRaft v1.2.6，主要变更如下：**`; the importer reads a version without digits only as
 * `<project> beta 版` (or alpha), so those are written that way.
 */
function releaseHeader(release: ReleaseEntry): string {
  return /^(?:beta|alpha)$/i.test(release.version)
    ? `**发布 ${release.project} ${release.version} 版：**`
    : `**发布 ${release.project} ${release.version}，主要变更如下：**`;
}

// ---------------------------------------------------------------------------------------------
// 本周推荐阅读

function readingSection(readings: readonly ReadingEntry[]): string {
  const items = readings.map((r) => (r.url ? `- [${linkText(r.title)}](${escapeUrl(r.url)})` : `- ${r.title}`));
  return ['### 本周推荐阅读', items.join('\n')].join('\n\n');
}

// ---------------------------------------------------------------------------------------------
// 社区活动预告

const KIND_LINES = { live: '活动形式：线上直播', meetup: '活动形式：线下 Meetup', other: undefined } as const;

function eventSection(events: readonly EventEntry[], zone: string): string {
  const blocks = ['### 社区活动预告'];
  for (const event of events) {
    const lines = [`**主题**：${eventTitle(event.title)}`, `活动时间：${eventTime(event, zone)}`];
    if (event.location) lines.push(`活动地点：${oneLine(event.location)}`);
    const kindLine = KIND_LINES[event.eventKind];
    if (kindLine) lines.push(kindLine);
    if (event.url) lines.push(`报名方式：[${event.url}](${escapeUrl(event.url)})`);
    blocks.push(lines.join('\n\n'));
  }
  return blocks.join('\n\n');
}

/** The importer strips HTML tags from a title, which would empty `<SOFA:RegistryLab/>`: full-width brackets keep it. */
function eventTitle(title: string): string {
  const text = oneLine(title);
  return /<[^>]*>/.test(text) ? text.replace(/</g, '＜').replace(/>/g, '＞') : text;
}

/** `2024 年 5 月 30 日 19:00`, with `-21:00` or ` - 2024 年 5 月 31 日 17:00` for an end. */
function eventTime(event: EventEntry, zone: string): string {
  const start = DateTime.fromISO(event.start, { zone });
  const day = (dt: DateTime): string => `${dt.year} 年 ${dt.month} 月 ${dt.day} 日`;
  const text = `${day(start)} ${start.toFormat('HH:mm')}`;
  if (!event.end) return text;
  const end = DateTime.fromISO(event.end, { zone });
  if (!end.isValid || end < start) return text;
  return day(end) === day(start) ? `${text}-${end.toFormat('HH:mm')}` : `${text} - ${day(end)} ${end.toFormat('HH:mm')}`;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** A double-quoted YAML scalar; JSON's escapes are a subset of YAML's. */
function yamlString(text: string): string {
  return JSON.stringify(text);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Link text the importer can read: it allows one level of balanced brackets (`[《a》[b]]`); other brackets become 【】. */
function linkText(title: string): string {
  const text = oneLine(title);
  return /^(?:[^[\]]|\[[^[\]]*\])*$/.test(text) ? text : text.replace(/[[\]]/g, (c) => (c === '[' ? '【' : '】'));
}
