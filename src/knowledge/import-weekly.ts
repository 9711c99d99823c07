// Imports one archived "SOFA Weekly" post: reader Q&A pairs, release notes, recommended reading and
// announced events. The posts were written by hand over five years, so every section is read line by
// line with small, forgiving recognisers instead of one grammar; anything unrecognised is skipped.
import type { ArchivedFileInput, Entry, EventEntry, EventKind, FaqEntry, Link, Problem, ReadingEntry, ReleaseEntry } from './entry.js';
import { canonicalProject as canonicalSpelling, mentionedProject } from './projects.js';
import { parseChineseDateTime } from './parse-cn-datetime.js';

const SITE = 'https://www.sofastack.tech';
const WEEKLY_LABEL = /sofa\s*weekly/i;

/** True for a SOFA Weekly post: by its labels, or by a body that has reader Q&A and release notes. */
export function isWeeklyPost(data: Record<string, unknown>, body: string): boolean {
  const labelled = ['categories', 'tags', 'title'].some((key) => stringsOf(data[key]).some((s) => WEEKLY_LABEL.test(s)));
  if (labelled) return true;
  const kinds = new Set(splitSections(toLines(body, 1)).map((s) => s.kind));
  return kinds.has('qa') && kinds.has('release');
}

export function importWeeklyPost(input: ArchivedFileInput): { entries: Entry[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const date = postDate(input.data.date);
  if (!date) {
    problems.push(warning(input.file, 1, 'front matter has no date (YYYY-MM-DD…): entries are undated and events are skipped'));
  }
  const context: PostContext = { file: input.file, date, zone: input.zone, problems };
  const sections = splitSections(toLines(input.body, input.bodyLine));

  const faqs: Draft<FaqEntry>[] = [];
  const releases: Draft<ReleaseEntry>[] = [];
  const readings: Draft<ReadingEntry>[] = [];
  const events: Draft<EventEntry>[] = [];
  for (const whole of sections) {
    const { section, trailing } = splitTrailingReading(whole);
    switch (section.kind) {
      case 'qa':
        faqs.push(...parseQaSection(section, context));
        break;
      case 'release':
        releases.push(...parseReleaseSection(section));
        break;
      case 'reading':
        readings.push(...parseReadingSection(section));
        break;
      case 'event':
      case 'meeting':
        events.push(...parseEventSection(section, context));
        break;
      case 'skip':
      case 'unknown':
        break;
    }
    readings.push(...trailing);
  }

  const finish = <T extends Entry>(drafts: Draft<T>[], kind: string): T[] =>
    drafts.map(({ line, ...rest }, i) => {
      const entry = { ...rest, id: `${input.idPrefix}#${kind}-${i + 1}`, ...(date ? { date } : {}), source: { file: input.file, line } };
      return entry as unknown as T;
    });
  const entries: Entry[] = [
    ...finish(faqs, 'qa'),
    ...finish(releases, 'release'),
    ...finish(readings, 'reading'),
    ...finish(events, 'event'),
  ];
  return { entries, problems };
}

/** An entry before it gets its id, the post's date and its source (only the line is known). */
type Draft<T extends Entry> = Omit<T, 'id' | 'date' | 'source'> & { line: number };

interface PostContext {
  file: string;
  date: string | undefined;
  zone: string;
  problems: Problem[];
}

function warning(file: string, line: number, message: string): Problem {
  return { file, line, severity: 'warning', message };
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** The calendar part of the front-matter date, as written. */
function postDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return /^\s*(\d{4}-\d{2}-\d{2})/.exec(value)?.[1];
}

// ---------------------------------------------------------------------------------------------
// Lines

interface Line {
  /** The text, without the line break. */
  text: string;
  /** 1-based line in the file. */
  line: number;
  /** Inside a fenced code block (fence lines included): never a heading, marker or boilerplate. */
  code: boolean;
}

const BREAK_TAG = /<\/?br\s*\/?>/gi;

/**
 * Splits the body into lines numbered as in the file. HTML line breaks (`<br />`, `</br>`) that the
 * editors used inside one Markdown line become separate lines, since they separate headers from
 * content just as real line breaks do.
 */
function toLines(body: string, bodyLine: number): Line[] {
  const lines: Line[] = [];
  let fence: string | undefined;
  body.split(/\r?\n/).forEach((raw, index) => {
    const line = bodyLine + index;
    const fenceMark = /^\s*(?:>\s*)?(`{3,}|~{3,})/.exec(raw)?.[1];
    if (fence !== undefined) {
      lines.push({ text: raw, line, code: true });
      if (fenceMark?.startsWith(fence)) fence = undefined;
      return;
    }
    if (fenceMark) {
      fence = fenceMark;
      lines.push({ text: raw, line, code: true });
      return;
    }
    for (const part of raw.split(BREAK_TAG)) lines.push({ text: part, line, code: false });
  });
  return lines;
}

const isBlank = (l: Line): boolean => !l.code && l.text.trim() === '';

/** Text without Markdown emphasis markers, escapes and surrounding space, for recognising lines. */
function plain(text: string): string {
  return text
    .replace(/[*\\]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Inline Markdown: images, links, URLs

const IMAGE = /!\[[^\]]*\]\([^)]*\)/g;
// A link whose text may itself hold one level of brackets, as in `[《a》[b]](url)`.
const LINK = /(?<!!)\[((?:[^[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g;
const AUTOLINK = /<((?:https?|dingtalk):\/\/[^>\s]+)>/g;
const BARE_URL = /(?:https?|dingtalk):\/\/[^\s)<>\]"'，。；、）】*]+/g;

function stripImages(text: string): string {
  return text.replace(IMAGE, '');
}

/**
 * Repairs the link targets the editors got wrong: site-relative paths, `ttps://`, `hhttps://`,
 * `www.` without a scheme, and targets that repeat a label before the URL. When the target is not a
 * URL but the link text is one, the text is the better target.
 */
function normalizeUrl(target: string, text = ''): string {
  let url = target.trim().replace(/\*/g, '');
  const embedded = /(?:https?|dingtalk):\/\/\S+/.exec(url);
  if (embedded && embedded.index > 0) url = embedded[0];
  if (url.startsWith('/') && !url.startsWith('//')) return SITE + url;
  if (/^hhttps?:\/\//i.test(url)) url = url.slice(1);
  if (/^ttps?:\/\//i.test(url)) url = `h${url}`;
  if (/^www\./i.test(url)) url = `https://${url}`;
  if (/^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$/.test(url)) return `mailto:${url}`;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    const fromText = /(?:https?):\/\/\S+/.exec(text.replace(/\*/g, ''));
    if (fromText) return fromText[0];
  }
  return url;
}

/** Every Markdown link, autolink and bare URL in the text, in order, without repeats. */
function extractLinks(text: string): Link[] {
  const links: Link[] = [];
  const seen = new Set<string>();
  const add = (title: string, url: string): void => {
    if (!url || seen.has(url)) return;
    seen.add(url);
    links.push({ title: title || url, url });
  };
  let rest = stripImages(text);
  rest = rest.replace(LINK, (_all, label: string, target: string) => {
    const title = plain(label).replace(/^[《「]|[》」]$/g, '');
    add(title, normalizeUrl(target, label));
    return ' ';
  });
  rest = rest.replace(AUTOLINK, (_all, url: string) => {
    add(url, url);
    return ' ';
  });
  for (const m of rest.matchAll(BARE_URL)) {
    const url = m[0].replace(/[.,;:!?]+$/, '');
    add(url, url);
  }
  return links;
}

/** True when the line holds links or URLs and nothing else worth reading. */
function isLinkOnly(text: string): boolean {
  const rest = stripImages(text).replace(LINK, '').replace(AUTOLINK, '').replace(BARE_URL, '');
  return extractLinks(text).length > 0 && plain(rest).replace(/[「」：:|｜\s-]/g, '') === '';
}

// ---------------------------------------------------------------------------------------------
// Projects

/** The canonical spelling of a project name written with Markdown emphasis, or undefined. */
function canonicalProject(name: string): string | undefined {
  return canonicalSpelling(plain(name));
}

/**
 * The "project link" that closes a Q&A item: `SOFAJRaft：[https://github.com/...](...)`,
 * `**「MOSN」**：*https://github.com/mosn/mosn*`, or the label alone with the URL on the next line.
 * Only a project name followed by a repository, issue or pull-request URL (or nothing) qualifies,
 * so answer lines such as `MOSN：…/downstream.go#L393` stay in the answer.
 */
function readProjectLink(text: string): { project: string; links: Link[] } | undefined {
  // The colon may be missing when the label is bracketed: "「MOSN」[https://github.com/mosn/mosn](…)".
  const m = /^(?:[-+]\s+)?(?:「\s*([A-Za-z][A-Za-z0-9 .-]{0,30}?)\s*」\s*[：:]?|([A-Za-z][A-Za-z0-9 .-]{0,30}?)\s*[：:])\s*(.*)$/.exec(plain(text));
  const label = m?.[1] ?? m?.[2];
  if (!m || !label) return undefined;
  const project = canonicalProject(label);
  const links = extractLinks(text);
  const rest = m[3] ?? '';
  if (rest.trim() === '') return project ? { project, links: [] } : undefined;
  // "SOFAStack：[https://github.com/sofastack](…)" closes an item too, but names no project.
  if (!isLinkOnly(rest) || links.length === 0) return undefined;
  const repoLike = links.every((l) => /github\.com\/+[^/\s]+(?:\/[^/\s]+\/?(?:(?:issues|pull)\/\d+\/?)?)?\/?$/i.test(l.url.replace(/\*/g, '')));
  if (!repoLike) return undefined;
  return { project: project ?? '', links };
}

// ---------------------------------------------------------------------------------------------
// Sections

type SectionKind = 'qa' | 'release' | 'reading' | 'event' | 'meeting' | 'skip' | 'unknown';

interface Section {
  kind: SectionKind;
  /** Heading text without Markdown; empty for the text before the first heading. */
  title: string;
  heading: Line | undefined;
  level: number;
  lines: Line[];
}

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
  const atx = /^(#{1,6})(?:\s+|$)(.*?)\s*#*\s*$/.exec(text);
  if (atx?.[1]) return { level: atx[1].length, title: plain(atx[2] ?? '') };
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
function splitSections(lines: Line[]): Section[] {
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

// ---------------------------------------------------------------------------------------------
// Reader Q&A

/** `A：`, `A:`, `答：`, optionally bold, at the start of a line. */
const ANSWER = /^(?:\*\*)?\s*(?:A|答)\s*(?:\*\*)?\s*[：:]\s*(?:\*\*)?/;
/** The marker with what the editors sometimes doubled after it: `A：A：`, `A：：`. */
const ANSWER_PREFIX = /^(?:(?:\*\*)?\s*(?:A|答)\s*(?:\*\*)?\s*[：:]\s*(?:\*\*)?|[：:]\s*)+/;

/** The lines that invite questions: "欢迎大家向公众号留言提问…", "我们会筛选重点问题…", the issue counter. */
function isQaBoilerplate(text: string): boolean {
  const t = plain(text).replace(/[“”"]/g, '');
  return (
    /^欢迎大家(?:向公众号留言|在\s*GitHub\s*提交)/i.test(t) ||
    /^我们会筛选/.test(t) ||
    /^(?:通过\s*)?SOFA\s*WEEKLY\s*的形式回复/i.test(t) ||
    /^本周各项目回复\s*issue/i.test(t)
  );
}

interface AskerHeader {
  /** The header without Markdown, e.g. "1、@张三 提问：" or "1.@SOFARPC #1320". */
  label: string;
  /** Question text written on the header line itself, after "提问：". */
  inline: string;
}

/**
 * The line that opens an asker's block: `**@name** 提问：`, `**1、@name **提问：`, `1、@name 提问：`,
 * `**3. 小白**`, `**N. @user #123**`, `**2、关于 Seata 的 grouplist 问题：**`, `**关于扩容：**`. A bold
 * line that reads like a sentence (a bold question) is not a header.
 */
function readAskerHeader(text: string): AskerHeader | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('>') || ANSWER.test(trimmed) || isQaBoilerplate(trimmed)) return undefined;
  const label = plain(trimmed);
  const asked = /^(.*?提问(?:回答)?)\s*[：:]?\s*(.*)$/.exec(label);
  const bold = /^\*\*.*\*\*\s*[：:]?$/.test(trimmed);
  const numbered = /^\d{1,2}\s*[、.．]\s*/.test(label);
  const addressed = /^(?:\d{1,2}\s*[、.．]\s*)?@\s*\S/.test(label);

  if (asked?.[1] && asked[1].length <= 60 && (addressed || numbered || bold || /^\S{1,20}\s*提问/.test(label))) {
    // "@张三 提问：请问…" carries its question on the same line.
    return { label: asked[1], inline: asked[2] ?? '' };
  }
  if (addressed && label.length <= 60 && !/[？?。]$/.test(label)) return { label, inline: '' };
  if (bold && label.length <= 80 && !/[？?。]$/.test(label)) {
    if (numbered || /^关于/.test(label) || label.length <= 12) return { label, inline: '' };
  }
  return undefined;
}

interface QaPair {
  question: Line[];
  answer: Line[];
  /** Where the item starts: the asker header for the first pair of a block, else the question. */
  start: number;
  headerLabels: string[];
  projectLink: { project: string; links: Link[] } | undefined;
  /** Pairs of one asker's block share a number. */
  block: number;
}

type QaState = 'idle' | 'question' | 'answer';

/**
 * Reads the reader Q&A (or 2023 GitHub issue) section into question→answer pairs, counted the way
 * the evaluation set counts them: each answered question is one pair; a follow-up (quoted or plain)
 * in the same asker's block with its own `A：` is another; consecutive `A：` paragraphs with no
 * question between them are one answer; a closing remark nobody answered is dropped.
 */
function parseQaSection(section: Section, context: PostContext): Draft<FaqEntry>[] {
  const pairs: QaPair[] = [];
  let state: QaState = 'idle';
  let headerLabels: string[] = [];
  let headerLine: number | undefined;
  let question: Line[] = [];
  let answer: Line[] = [];
  // Lines after an answer that may turn out to be a follow-up question, if an answer follows them.
  let pending: Line[] = [];
  // Index in `answer` of the last line that started with an answer marker.
  let lastMarker = 0;
  let blockPairs: QaPair[] = [];
  let block = 0;
  let afterProjectLabel = false;

  const emit = (): void => {
    if (nonBlank(question) && nonBlank(answer)) {
      const first = question.find((l) => !isBlank(l));
      const start = blockPairs.length === 0 && headerLine !== undefined ? headerLine : (first?.line ?? section.lines[0]?.line ?? 1);
      const pair: QaPair = { question, answer, start, headerLabels, projectLink: undefined, block };
      pairs.push(pair);
      blockPairs.push(pair);
    } else if (nonBlank(question) && headerLine !== undefined && headerLabels.some((h) => /@|提问/.test(h)) && looksAsked(question)) {
      context.problems.push(warning(context.file, question.find((l) => !isBlank(l))?.line ?? headerLine, 'Q&A question has no answer (no "A：" line before the next question)'));
    }
    question = [];
    answer = [];
  };
  const startFollowUp = (lines: Line[], marker: Line): void => {
    emit();
    question = lines;
    answer = [marker];
    lastMarker = 0;
    state = 'answer';
  };

  for (const line of section.lines) {
    const text = line.text.trim();
    if (!line.code) {
      if (isQaBoilerplate(text)) continue;
      // The URL of a project-link label written alone on its line ("「Layotto」：").
      if (afterProjectLabel && (text === '' || isLinkOnly(text))) {
        if (text !== '') attachProjectLink(blockPairs, { project: '', links: extractLinks(text) });
        continue;
      }
      afterProjectLabel = false;

      const header = readAskerHeader(text);
      if (header) {
        // A second header line right after the first (a topic line, then "@name 提问：") only adds to it.
        const continuesHeader = state === 'question' && !nonBlank(question) && headerLine !== undefined;
        if (!continuesHeader) {
          emit();
          block++;
          blockPairs = [];
          headerLabels = [];
          headerLine = line.line;
        }
        headerLabels.push(header.label);
        pending = [];
        state = 'question';
        if (header.inline !== '') question.push({ ...line, text: header.inline });
        continue;
      }

      if (ANSWER.test(text)) {
        const marker = { ...line, text: text.replace(ANSWER_PREFIX, '') };
        if (state === 'question') {
          answer = [marker];
          lastMarker = 0;
          state = 'answer';
        } else if (pending.some((l) => !isBlank(l))) {
          startFollowUp(pending, marker);
        } else if (state === 'answer') {
          const followUp = splitPlainFollowUp(answer, lastMarker);
          if (followUp) {
            answer = followUp.answer;
            startFollowUp(followUp.question, marker);
          } else {
            // Another "A：" with no question between: the same answer, continued.
            answer.push({ ...line, text: '' }, marker);
            lastMarker = answer.length - 1;
          }
        } else {
          // An answer after a project link with no new question: it continues the last pair.
          const last = blockPairs[blockPairs.length - 1];
          if (last) last.answer.push({ ...line, text: '' }, marker);
        }
        pending = [];
        continue;
      }

      const projectLink = readProjectLink(text);
      if (projectLink) {
        // Whatever was pending after the answer is a closing remark nobody answered.
        if (state === 'answer') {
          emit();
          state = 'idle';
        }
        pending = [];
        attachProjectLink(blockPairs, projectLink);
        afterProjectLabel = projectLink.links.length === 0;
        continue;
      }
    }

    if (state === 'question') {
      question.push(line);
    } else if (state === 'answer') {
      if (pending.length > 0 || (!line.code && text.startsWith('>'))) pending.push(line);
      else answer.push(line);
    } else if (pending.length > 0 || !isBlank(line)) {
      pending.push(line);
    }
  }
  emit();

  return withBlockProjects(pairs.map((pair) => ({ pair, faq: toFaq(pair) })));
}

/** A question quoted or ending with a question mark: worth a warning when nobody answered it. */
function looksAsked(question: Line[]): boolean {
  return question.some((l) => !l.code && l.text.trim().startsWith('>')) || /[？?]/.test(cleanText(question));
}

/** Follow-ups rarely repeat the project name: pairs of one block without a project take the block's. */
function withBlockProjects(items: { pair: QaPair; faq: Draft<FaqEntry> }[]): Draft<FaqEntry>[] {
  const blockProject = new Map<number, string>();
  for (const { pair, faq } of items) {
    if (faq.project && !blockProject.has(pair.block)) blockProject.set(pair.block, faq.project);
  }
  return items.map(({ pair, faq }) => {
    const project = faq.project ?? blockProject.get(pair.block);
    return project ? { ...faq, project } : faq;
  });
}

function nonBlank(lines: Line[]): boolean {
  return lines.some((l) => l.code || cleanLine(l.text) !== '');
}

/**
 * Finds an unquoted follow-up question at the end of an answer: the last paragraph, written after
 * the latest `A：` paragraph, ending with a question mark.
 */
function splitPlainFollowUp(answer: Line[], lastMarker: number): { answer: Line[]; question: Line[] } | undefined {
  let end = answer.length;
  while (end > 0 && isBlank(answer[end - 1] as Line)) end--;
  let start = end;
  while (start > 0 && !isBlank(answer[start - 1] as Line)) start--;
  if (start <= lastMarker || start >= end) return undefined;
  const paragraph = answer.slice(start, end);
  if (paragraph.some((l) => l.code)) return undefined;
  const text = cleanText(paragraph);
  if (!/[？?]$/.test(text)) return undefined;
  return { answer: answer.slice(0, start), question: paragraph };
}

function attachProjectLink(pairs: QaPair[], link: { project: string; links: Link[] }): void {
  for (const pair of pairs) {
    if (!pair.projectLink) pair.projectLink = { project: link.project, links: [...link.links] };
    else pair.projectLink.links.push(...link.links);
  }
}

function toFaq(pair: QaPair): Draft<FaqEntry> {
  const title = cleanText(pair.question)
    .replace(/\*\*/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ')
    // "Q: 22. …" copied from a FAQ page, and quote markers left inside a line ("…分库。> 所以…").
    .replace(/^Q\s*[：:]\s*(?:\d{1,3}\s*[.、]\s*)?/i, '')
    .replace(/([。？！；])\s*>\s+/g, '$1');
  const body = cleanText(pair.answer);
  const answerLinks = extractLinks(body);
  const projectLinks = pair.projectLink?.links ?? [];
  const links = dedupeLinks([...extractLinks(cleanText(pair.question)), ...answerLinks, ...projectLinks]);
  const url = answerLinks[0]?.url ?? projectLinks[0]?.url;
  const project = qaProject(pair, title);
  return {
    kind: 'faq',
    title,
    body,
    ...(url ? { url } : {}),
    links,
    ...(project ? { project } : {}),
    tags: [],
    aliases: [],
    line: pair.start,
  };
}

/**
 * The project of a Q&A pair: a 2023 issue header names it ("@SOFARPC #1320") and is the most
 * reliable (its project-link line was sometimes copied from the item before); then the trailing
 * project-link line; then a topic header ("关于 Seata 的提问"); then the question itself.
 */
function qaProject(pair: QaPair, question: string): string | undefined {
  for (const label of pair.headerLabels) {
    const issueProject = /@\s*([A-Za-z][\w-]*)\s*#\d+/.exec(label)?.[1];
    const project = issueProject ? canonicalProject(issueProject) : undefined;
    if (project) return project;
  }
  const linked = pair.projectLink?.project;
  if (linked) return linked;
  for (const label of pair.headerLabels) {
    if (/关于/.test(label)) {
      const project = mentionedProject(label);
      if (project) return project;
    }
  }
  return mentionedProject(question);
}

function dedupeLinks(links: Link[]): Link[] {
  const seen = new Set<string>();
  return links.filter((l) => (seen.has(l.url) ? false : (seen.add(l.url), true)));
}

/** One line of prose: no quote markers, images or intro boilerplate. */
function cleanLine(text: string): string {
  const s = stripImages(text.replace(/^\s*(?:>\s?)+/, ''))
    // Site-relative links ("/blog/x/") only work on the website: make them absolute.
    .replace(/\]\(\s*\/(?!\/)/g, `](${SITE}/`)
    .trimEnd();
  // Leftovers such as "****" or "**  **" around a removed image.
  return /^[\s*_|]*$/.test(s) ? '' : s;
}

/**
 * Joins lines into Markdown: quote markers, images and boilerplate removed outside code, at most
 * one blank line in a row, none at either end.
 */
function cleanText(lines: Line[]): string {
  const out: string[] = [];
  for (const line of lines) {
    const text = line.code ? line.text.replace(/^\s*>\s?/, '') : cleanLine(line.text);
    if (!line.code && isQaBoilerplate(text)) continue;
    if (!line.code && text.trim() === '') {
      if (out.length > 0 && out[out.length - 1] !== '') out.push('');
      continue;
    }
    // Indentation matters only in code and nested lists.
    const nestedList = /^\s+(?:[-*+]|\d+[.)])\s/.test(text);
    out.push(line.code || nestedList ? text : text.trimStart());
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Releases

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
function parseReleaseSection(section: Section): Draft<ReleaseEntry>[] {
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

// ---------------------------------------------------------------------------------------------
// Reading

/** `- [title](url)`, `[title](url)`, `*[title](url)*`, `- SOFAChannel#5：[title](url)`. */
function readReadingItem(text: string): Link | undefined {
  const t = stripImages(text).trim();
  if (t === '' || t.startsWith('>')) return undefined;
  const body = t.replace(/^[-+*]\s+/, '').replace(/^[*_]+|[*_]+$/g, '').trim();
  const m = /^(?:[^[\]()]{0,40}[：:]\s*)?\*{0,2}\[((?:[^[\]]|\[[^\]]*\])+)\]\(\s*<?([^)\s>]+)>?\s*\)\*{0,2}\s*[。；;，,]?$/.exec(body);
  if (!m?.[1] || !m[2]) return undefined;
  const title = plain(m[1]);
  // A bare URL as the text is a project or report link, not an article.
  if (title === '' || /^(?:https?:\/\/|www\.)/i.test(title)) return undefined;
  return { title, url: normalizeUrl(m[2], m[1]) };
}

/**
 * Some posts list articles with no heading of their own, right after the Q&A or release notes
 * (2021-12-17, 2023-03-17). Two or more article links ending such a section are reading entries.
 */
function splitTrailingReading(section: Section): { section: Section; trailing: Draft<ReadingEntry>[] } {
  if (section.kind !== 'qa' && section.kind !== 'release' && section.kind !== 'event' && section.kind !== 'meeting') {
    return { section, trailing: [] };
  }
  let start = section.lines.length;
  let items = 0;
  for (let i = section.lines.length - 1; i >= 0; i--) {
    const line = section.lines[i] as Line;
    if (line.code) break;
    if (stripImages(line.text).trim() === '') continue;
    if (!readReadingItem(line.text)) break;
    items++;
    start = i;
  }
  if (items < 2) return { section, trailing: [] };
  const tail: Section = { ...section, kind: 'reading', lines: section.lines.slice(start) };
  return { section: { ...section, lines: section.lines.slice(0, start) }, trailing: parseReadingSection(tail) };
}

function parseReadingSection(section: Section): Draft<ReadingEntry>[] {
  const drafts: Draft<ReadingEntry>[] = [];
  for (const line of section.lines) {
    if (line.code) continue;
    const item = readReadingItem(line.text);
    if (!item) continue;
    drafts.push({
      kind: 'reading',
      title: item.title,
      body: '',
      url: item.url,
      links: [item],
      tags: [],
      line: line.line,
    });
  }
  return drafts;
}

// ---------------------------------------------------------------------------------------------
// Events

interface EventDraft {
  first: Line;
  /** Links of the closing project-link line ("「Layotto」：…/issues/907"), kept out of the body. */
  projectLinks: Link[];
  title: string | undefined;
  timeText: string | undefined;
  location: string | undefined;
  signUp: string | undefined;
  project: string | undefined;
  lines: Line[];
}

/** `**主题**：…`, `- **直播时间：**…`, `时间：…`: a label and its value. */
function readField(text: string): { key: string; value: string } | undefined {
  const t = stripImages(text)
    .trim()
    .replace(/^[-+|]\s*/, '');
  const m = /^\*{0,2}([^：:*[\]()]{1,10}?)\s*\*{0,2}\s*[：:]\s*\*{0,2}\s*(.*)$/.exec(t);
  if (!m?.[1]) return undefined;
  return { key: m[1].trim(), value: (m[2] ?? '').trim() };
}

const TITLE_KEY = /主题$/;
const TIME_KEY = /时间$/;
const PLACE_KEY = /^(?:活动|日程|会议|分享)?(?:地点|地址)$/;
const SIGN_UP_KEY = /报名|直播间|入会链接|活动详情|日程详情|观看直播/;

/**
 * Reads announced events: each "主题" (or, in community-meeting notices, each "**Layotto：**"
 * project label) opens an event; its "时间", "地点" and sign-up lines follow. Older posts have no
 * labels, so the title comes from 《…》 and the time from the first line holding a date. Events
 * whose start cannot be read are skipped, and so is whatever sits under a "回顾" (review) heading.
 */
function parseEventSection(section: Section, context: PostContext): Draft<EventEntry>[] {
  const groups: EventDraft[] = [];
  const open = (line: Line, project?: string): EventDraft => {
    const group: EventDraft = { first: line, projectLinks: [], title: undefined, timeText: undefined, location: undefined, signUp: undefined, project, lines: [] };
    groups.push(group);
    return group;
  };
  let current: EventDraft | undefined;
  // After a meeting's project link ("「Layotto」：…"), only its URL lines still belong to it.
  let closing: EventDraft | undefined;
  let review = /回顾/.test(section.title);
  for (const line of section.lines) {
    if (line.code) continue;
    const sub = /^\s*#{1,6}\s*(.*)$/.exec(line.text)?.[1];
    if (sub !== undefined) {
      review = /回顾/.test(sub);
      current = undefined;
      continue;
    }
    if (review || cleanLine(line.text).trim() === '') continue;
    const text = line.text.trim();
    if (closing && isLinkOnly(text)) {
      closing.projectLinks.push(...extractLinks(text));
      continue;
    }
    closing = undefined;
    if (section.kind === 'meeting') {
      const projectLink = readProjectLink(text);
      if (projectLink && current && /「/.test(text)) {
        current.projectLinks.push(...projectLink.links);
        closing = current;
        current = undefined;
        continue;
      }
      // "**Layotto：**" or "**MOSN**" opens the notice of that project's meeting.
      const label = /^\*\*\s*([A-Za-z][\w -]*?)\s*[：:]?\s*\*\*\s*[：:]?$/.exec(text)?.[1];
      const project = label ? canonicalProject(label) : undefined;
      if (project) {
        current = open(line, project);
        continue;
      }
    }
    const field = readField(text);
    if (field && TITLE_KEY.test(field.key) && (!current || current.title !== undefined)) current = open(line, current?.project);
    current ??= open(line);
    current.lines.push(line);
    if (!field) continue;
    if (TITLE_KEY.test(field.key) && current.title === undefined) current.title = field.value;
    else if (TIME_KEY.test(field.key) && current.timeText === undefined) current.timeText = field.value;
    else if (PLACE_KEY.test(field.key) && current.location === undefined) current.location = field.value;
    else if (SIGN_UP_KEY.test(field.key) && current.signUp === undefined) current.signUp = extractLinks(field.value)[0]?.url;
  }
  const drafts: Draft<EventEntry>[] = [];
  for (const group of groups) {
    const event = toEvent(group, section.kind === 'meeting', context);
    if (event) drafts.push(event);
  }
  return drafts;
}

function toEvent(group: EventDraft, meeting: boolean, context: PostContext): Draft<EventEntry> | undefined {
  if (!context.date) return undefined;
  const prose = group.lines.map((l) => l.text);
  const time = group.timeText !== undefined ? readEventTime([group.timeText], context) : readProseTime(prose, context.date, context);
  if (!time) return undefined;
  const title = eventTitle(group, prose);
  if (!title) return undefined;
  const links = dedupeLinks([...prose.flatMap((t) => extractLinks(t)), ...group.projectLinks]);
  const httpLinks = links.filter((l) => /^https?:/i.test(l.url));
  const signUpLine = prose.find((t) => /报名|点击|这里/.test(t));
  const url =
    (group.signUp && /^https?:/i.test(group.signUp) ? group.signUp : undefined) ??
    (signUpLine ? extractLinks(signUpLine).find((l) => /^https?:/i.test(l.url))?.url : undefined) ??
    httpLinks[0]?.url;
  const location = group.location ? plain(group.location) : undefined;
  const body = cleanText(group.lines.map((l) => ({ ...l, text: l.text.replace(/^\s*\|\s*/, '') })));
  const project = group.project ?? mentionedProject(title);
  return {
    kind: 'event',
    title,
    body,
    ...(url ? { url } : {}),
    links,
    ...(project ? { project } : {}),
    tags: [],
    line: group.first.line,
    start: time.start,
    ...(time.end ? { end: time.end } : {}),
    eventKind: meeting ? 'other' : eventKind(prose.join('\n')),
    ...(location ? { location } : {}),
  };
}

function readEventTime(texts: string[], context: PostContext): { start: string; end?: string } | undefined {
  if (!context.date) return undefined;
  for (const text of texts) {
    try {
      const found = parseChineseDateTime(plain(stripImages(text)), { referenceDate: context.date, zone: context.zone });
      if (found) return found;
    } catch {
      // An unusable zone is the caller's configuration, not the post's: report once, skip events.
      if (!context.problems.some((p) => p.message.startsWith('cannot read event times'))) {
        context.problems.push(warning(context.file, 1, `cannot read event times in zone "${context.zone}"`));
      }
      return undefined;
    }
  }
  return undefined;
}

/**
 * A date found in the prose of an announcement without a "时间" line. Announcements look ahead, so
 * a date well before the post is background ("2022 年 12 月 10 日，Occlum 正式发布 v1.0"), not the event.
 */
function readProseTime(prose: string[], postDate: string, context: PostContext): { start: string; end?: string } | undefined {
  const time = readEventTime(prose, context);
  if (!time || time.start.slice(0, 10) < shiftDate(postDate, -1)) return undefined;
  return time;
}

function shiftDate(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return Number.isNaN(d.getTime()) ? date : d.toISOString().slice(0, 10);
}

const EVENT_NAME = /meetup|webinar|sofachannel|#\s*\d|大会|年会|峰会|沙龙/i;

/**
 * The event's name: the "主题" value; else a 《…》 title or a bold event name ("Service Mesh
 * Meetup#8 特别场") in the first lines; else a named series in the text ("Service Mesh Meetup 成都站");
 * for a meeting notice without a topic, "<project> 社区会议".
 */
function eventTitle(group: EventDraft, prose: string[]): string | undefined {
  const unwrap = (s: string): string =>
    plain(stripImages(s))
      .replace(/^《(.*)》$/, '$1')
      .replace(/<[^>]*\/?>/g, '')
      .trim();
  if (group.title && unwrap(group.title) !== '') return unwrap(group.title);
  const first = prose.slice(0, 4).map((t) => stripImages(t));
  for (const text of first) {
    const quoted = /《([^》]+)》/.exec(plain(text))?.[1];
    if (quoted) return unwrap(quoted);
  }
  const bolds = first.flatMap((t) => [...t.matchAll(/\*\*([^*]{4,})\*\*/g)].map((m) => (m[1] ?? '').trim()));
  const namedBold = bolds.find((b) => EVENT_NAME.test(b));
  if (namedBold) return unwrap(namedBold);
  for (const text of first) {
    const named = /((?:[A-Z][\w-]*\s+){0,3}(?:Meetup|Webinar|SOFAChannel)\s*#?\s*\d*(?:\s*[\u4e00-\u9fa5]{1,4}站)?)/.exec(plain(text))?.[1];
    if (named) return named.trim();
  }
  const bold = bolds.find((b) => !/[：:！!]$/.test(b));
  if (bold) return unwrap(bold);
  if (group.project) return `${group.project} 社区会议`;
  return undefined;
}

function eventKind(text: string): EventKind {
  if (/直播|线上|webinar|sofachannel/i.test(text)) return 'live';
  if (/meetup|峰会|大会|年会|沙龙|地点|地址/i.test(text)) return 'meetup';
  return 'other';
}
