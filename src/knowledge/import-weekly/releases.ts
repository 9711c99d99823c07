// Release notes ("SOFA 项目进展", "本周发布"): release headers and the change list under each.
import type { Link, ReleaseEntry } from '../entry.js';
import { mentionedProject } from '../projects.js';
import { canonicalProject, cleanLine, dedupeLinks, extractLinks, isLinkOnly, LINK, plain, stripImages, type Line } from './lines.js';
import type { Draft, Section } from './post.js';

/** A version as written: v1.2.6, 1.3.5, v2.4.5/3.0.9, v1.3.4.bugfix_2, V6-alpha, 1.3.8v. */
const VERSION = String.raw`[vV]?\d+(?:[.\-_][0-9A-Za-z]+)*[vV]?(?:\s*\/\s*[vV]?\d+(?:[.\-_][0-9A-Za-z]+)*)?`;
const NAME = String.raw`[A-Za-z][\w .\-]*?`;
const RELEASE_HEADERS: readonly RegExp[] = [
  // 发布 SOFAJRaft v1.2.6, 主要变更如下 / 本周发布 MOSN v0.23.0 版本 / 发布 1.3.10 版本
  new RegExp(String.raw`^(?:本周)?\s*(?:开源)?\s*发布了?\s*(?:(?<project>${NAME})\s*)?(?<version>${VERSION})(?![\w.])`),
  // SOFAJRaft 发布了 1.3.5 版本 / 本周 sofa-registry 发布 V6-alpha 代码 / SOFABoot 开源发布 3.9.0 版本
  new RegExp(String.raw`^(?:本周\s*)?(?<project>${NAME})\s*(?:开源|正式)?\s*发布了?\s*(?<version>${VERSION})(?![\w.])`),
  // SOFATracer v2.4.1/v3.0.6 版本发布 / Tongsuo 8.3.2 版本发布 / SOFARegistry V6 正式发布的第一个版本
  new RegExp(String.raw`^(?<project>${NAME})\s+(?<version>${VERSION})\s*(?:版本)?\s*(?:正式)?发布`),
  // A heading such as "Layotto v0.4.0 版本"
  new RegExp(String.raw`^(?<project>${NAME})\s+(?<version>${VERSION})\s*版本$`),
  // 开源 MOSN Golang 系统诊断工具 holmes beta 版
  /(?<project>[A-Za-z][\w-]*)\s+(?<version>beta|alpha)\s*版\s*[：:]?$/i,
];

interface ReleaseHeader {
  project: string | undefined;
  version: string;
}

/** A line that announces a release, with the project (when written) and the version as written. */
function readReleaseHeader(text: string): ReleaseHeader | undefined {
  const t = plain(text)
    .replace(/^#+\s*/, '')
    .replace(/^(?:[-+]\s+)?(?:\d{1,2}\s*[、.．]\s*)?/, '')
    .trim();
  if (!/发布|版本|版/.test(t)) return undefined;
  for (const pattern of RELEASE_HEADERS) {
    const m = pattern.exec(t);
    const version = m?.groups?.version;
    if (!m || !version) continue;
    const rawProject = m.groups?.project?.trim();
    const project = rawProject ? (canonicalProject(rawProject) ?? rawProject) : undefined;
    return { project, version: version.replace(/\s+/g, '') };
  }
  return undefined;
}

interface ReleaseDraft {
  header: Line;
  project: string;
  version: string;
  lines: Line[];
}

/**
 * Reads the release notes of a "SOFA 项目进展" / "本周发布" section: each release header starts a
 * release whose change list runs to the next header. A header that repeats the release just opened
 * (a "MOSN v1.1.0 版本发布" heading over "发布 MOSN v1.1.0 版本…") adds nothing.
 */
export function parseReleaseSection(section: Section): Draft<ReleaseEntry>[] {
  const hint = mentionedProject(section.title) ?? canonicalProjectIn(section.title);
  const drafts: ReleaseDraft[] = [];
  let current: ReleaseDraft | undefined;
  const candidates = section.heading ? [{ ...section.heading, text: section.title }, ...section.lines] : section.lines;
  for (const line of candidates) {
    const header = line.code ? undefined : readReleaseHeader(line.text);
    const project = header ? (header.project ?? hint) : undefined;
    if (header && project) {
      if (current && current.project === project && current.version === header.version) continue;
      current = { header: line, project, version: header.version, lines: [] };
      drafts.push(current);
      continue;
    }
    current?.lines.push(line);
  }
  return drafts.map(toRelease);
}

/** A project named in a heading such as "Layotto Java-sdk 本周发布", even when not a known name. */
function canonicalProjectIn(title: string): string | undefined {
  const name = /^([A-Za-z][\w .-]*?)\s*(?:本周发布|项目进展)/.exec(plain(title))?.[1];
  return name ? (canonicalProject(name) ?? name) : undefined;
}

/** Lines of a release block that are not changes: report links, thanks, statistics, sign-offs. */
function isReleaseBoilerplate(text: string): boolean {
  const t = plain(text).replace(/^[-+]\s*/, '');
  return (
    t === '' ||
    /^「?(?:详细|详见|详情|发布报告|下载地址|官方文档|文章解读|原理|.{0,12}原理介绍)/.test(t) ||
    /发布详情如下/.test(t) ||
    /^(?:[ivx]{1,5}\s*[.、]\s*)?(?:致谢|感谢)/.test(t) ||
    /恭喜.*(?:committer|maintainer)|祝大家/i.test(t) ||
    isContributorList(text) ||
    /^本次\s*(?:发布|release)\s*(?:涉及|变动)/i.test(t) ||
    /^主要(?:变更|更新)如下\s*[：:]?$/.test(t) ||
    /扫码关注|欢迎扫码|更多文章请/.test(t)
  );
}

/** A line of "[@name](https://github.com/name)" links: the thanks after "致谢". */
function isContributorList(text: string): boolean {
  const links = extractLinks(text);
  if (links.length === 0 || !links.every((l) => l.title.startsWith('@'))) return false;
  return plain(stripImages(text).replace(LINK, '')).replace(/[-、，,;；\s]/g, '') === '';
}

/** Strips list markers (`- `, `1.`, `1、`, `i.`, `- 1.`) and bold from one change line. */
function changeLine(text: string): string {
  return (
    cleanLine(text)
      // Bold adds nothing to a change line, and the editors often left one "**" unpaired.
      .replace(/\*\*/g, '')
      .trim()
      .replace(/^#+\s*/, '')
      .replace(/^(?:[-+*]\s+)?(?:(?:\d{1,2}|[ivx]{1,5})\s*[.、)）]\s*)?/, '')
      .replace(/^(?:[-+]\s+)?(?:\d{1,2}\s*[.、)）]\s*)?/, '')
      .trim()
  );
}

function toRelease(draft: ReleaseDraft): Draft<ReleaseEntry> {
  const changes: string[] = [];
  const reportLinks: Link[] = [];
  const otherLinks: Link[] = [];
  let inReport = false;
  for (const line of draft.lines) {
    const text = line.text;
    if (line.code) {
      changes.push(text);
      continue;
    }
    const links = extractLinks(text);
    if (isReleaseBoilerplate(text)) {
      const t = plain(text);
      // "详细发布报告：" is often followed by the links on their own lines.
      inReport = /详细|详见|详情|报告|下载/.test(t) && !/致谢|感谢/.test(t);
      // Thanks and the contributors' profiles they link are no source for the release.
      if (!/致谢|感谢/.test(t) && !isContributorList(text)) reportLinks.push(...links);
      continue;
    }
    if (isLinkOnly(text)) {
      (inReport ? reportLinks : otherLinks).push(...links);
      continue;
    }
    inReport = false;
    otherLinks.push(...links);
    const change = changeLine(text);
    if (change !== '') changes.push(change);
  }
  const links = dedupeLinks([...reportLinks, ...otherLinks]);
  const url =
    reportLinks.find((l) => /\/releases?\b|\/compare\/|changelog/i.test(l.url))?.url ??
    reportLinks[0]?.url ??
    otherLinks.find((l) => /\/releases?\//i.test(l.url))?.url;
  return {
    kind: 'release',
    title: `${draft.project} ${draft.version}`,
    body: changes.join('\n'),
    ...(url ? { url } : {}),
    links,
    project: draft.project,
    version: draft.version,
    tags: [],
    line: draft.header.line,
  };
}
