// Cuts a post into sections at its headings and decides what each announces (reader Q&A, releases,
// reading, events, meetings), by the heading and, where it misleads, by the content.
import { trimTrailing } from '../../shared/trim-text-end.js';
import { isBlank, plain, stripImages, type Line } from './lines.js';
import type { Section, SectionKind } from './post.js';
import { ANSWER, readAskerHeader } from './reader-qa.js';
import { readReadingItem } from './reading.js';

/**
 * What a section heading announces. Order matters: the banner mentions "问答" and "issue 精选",
 * "活动推荐" mentions "推荐", and collections of past live streams are reading, not events.
 */
function classifyHeading(title: string): SectionKind {
  const t = plain(title);
  if (t === '') return 'unknown';
  // The banner ("SOFA WEEKLY | 每周精选，筛选每周精华问答…") names Q&A without being a Q&A section.
  if (/^SOFA\s*WEEKLY|每周精选|筛选每周|同步开源进展/i.test(t)) return 'skip';
  if (/问答|issue\s*精选/i.test(t)) return 'qa';
  if (/新手任务|contributor|贡献|big\s*news|大事件|获奖|召集|欢迎你加入|扫码关注/i.test(t)) return 'skip';
  if (/会议回顾/.test(t)) return 'skip';
  if (/会议预告|社区会议$/.test(t)) return 'meeting';
  if (/阅读|合辑|合集|集锦|系列|文章|回顾集合|直播回顾/.test(t)) return 'reading';
  if (/活动|直播|预告|报名|meetup|峰会/i.test(t)) return 'event';
  if (/项目进展|本周发布$|版本发布$|\d\s*版本$/.test(t)) return 'release';
  if (/推荐/.test(t)) return 'reading';
  return 'unknown';
}

/** A Markdown heading, or a line that is only bold text naming a known section. */
function readHeading(line: Line): { level: number; title: string } | undefined {
  if (line.code) return undefined;
  const text = line.text.trim();
  // The closing #s are trimmed by scans from the end: `(.*?)\s*#*\s*$` retried the rest of the
  // line from every character of a long run of spaces or #s.
  const atx = /^(#{1,6})(?:\s+|$)(.*)$/.exec(text);
  if (atx?.[1]) return { level: atx[1].length, title: plain(trimTrailing(trimTrailing(trimTrailing(atx[2] ?? '', ''), '#', false), '')) };
  if (!/^\*\*.*\*\*[：:]?$/.test(text)) return undefined;
  const title = plain(text).replace(/[：:]$/, '');
  // Numbered or addressed bold lines are Q&A askers and release headers, and "**活动地点：上海**"
  // is a field: none of them is a section.
  if (/^(?:\d+\s*[、.．]|@)/.test(title) || /[：:]/.test(title) || /主要(?:变更|更新)|详情如下/.test(title)) return undefined;
  // Bold is also used for emphasis ("**文章解读：**"), so only a title ending like a section name counts.
  if (!BOLD_SECTION.test(title)) return undefined;
  const kind = classifyHeading(title);
  return kind === 'unknown' ? undefined : { level: 3, title };
}

const BOLD_SECTION =
  /(?:问答提炼|issue\s*精选|阅读|合辑|合集|集锦|本周发布|版本发布|项目进展|contributor|本周贡献|新手任务计划|会议预告|会议回顾|社区会议|活动推荐|直播报名|直播预告|活动报名|活动预告|预告)$/i;

/**
 * Cuts the body at section headings. A deeper heading that names no known section ("#### 回顾",
 * "#### Features：") stays inside its section; one that does ("#### 本周推荐阅读") starts a new one.
 * Sections are then re-classified by content where the heading misleads.
 */
export function splitSections(lines: Line[]): Section[] {
  const sections: Section[] = [];
  let current: Section = { kind: 'skip', title: '', heading: undefined, level: 0, lines: [] };
  for (const line of lines) {
    const heading = readHeading(line);
    if (!heading) {
      current.lines.push(line);
      continue;
    }
    if (heading.title === '') continue; // an empty "###" line: a stray separator
    const kind = classifyHeading(heading.title);
    if (kind === 'unknown' && current.heading && heading.level > current.level) {
      current.lines.push(line);
      continue;
    }
    sections.push(current);
    current = { kind, title: heading.title, heading: line, level: heading.level, lines: [] };
  }
  sections.push(current);
  return sections.map(reclassify);
}

/**
 * A heading can mislead: a "每周读者问答提炼" heading over a list of articles (2020-02-21), or an
 * untitled section that holds Q&A. The content decides in those cases.
 */
function reclassify(section: Section): Section {
  if (section.kind !== 'qa' && section.kind !== 'unknown') return section;
  const answers = section.lines.filter((l) => !l.code && ANSWER.test(l.text.trim())).length;
  const askers = section.lines.filter((l) => !l.code && readAskerHeader(l.text) !== undefined).length;
  if (answers > 0 && (section.kind === 'qa' || askers > 0)) return { ...section, kind: 'qa' };
  const content = section.lines.filter((l) => !isBlank(l) && stripImages(l.text).trim() !== '');
  const items = content.filter((l) => readReadingItem(l.text) !== undefined).length;
  if (items > 0 && items * 2 >= content.length) return { ...section, kind: 'reading' };
  return { ...section, kind: section.kind === 'qa' ? 'skip' : 'unknown' };
}
