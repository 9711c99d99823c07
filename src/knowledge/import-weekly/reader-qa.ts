// The reader Q&A sections ("每周读者问答提炼", the 2023 GitHub issue picks): asker headers, question→answer
// pairs and their follow-ups, and the project each pair is about.
import type { FaqEntry, Link } from '../entry.js';
import { mentionedProject } from '../projects.js';
import { canonicalProject, cleanLine, cleanText, dedupeLinks, extractLinks, isBlank, isLinkOnly, isQaBoilerplate, plain, readProjectLink, type Line } from './lines.js';
import { faqDraft, warning, type Draft, type PostContext, type Section } from './post.js';
import { collectNotes } from './reader-notes.js';

/** `A：`, `A:`, `答：`, optionally bold, at the start of a line. */
export const ANSWER = /^(?:\*\*)?\s*(?:A|答)\s*(?:\*\*)?\s*[：:]\s*(?:\*\*)?/;
/** The marker with what the editors sometimes doubled after it: `A：A：`, `A：：`. */
const ANSWER_PREFIX = /^(?:(?:\*\*)?\s*(?:A|答)\s*(?:\*\*)?\s*[：:]\s*(?:\*\*)?|[：:]\s*)+/;

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
export function readAskerHeader(text: string): AskerHeader | undefined {
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
 * question between them are one answer; a closing remark nobody answered is dropped. Paragraphs
 * between items that define a project or answer a stated topic are `notes`, kept apart from the pairs.
 */
export function parseQaSection(section: Section, context: PostContext): { pairs: Draft<FaqEntry>[]; notes: Draft<FaqEntry>[] } {
  const pairs: QaPair[] = [];
  const notes = collectNotes();
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
        if (text !== '') {
          const link = { project: '', links: extractLinks(text) };
          attachProjectLink(blockPairs, link);
          notes.link(link);
        }
        continue;
      }
      afterProjectLabel = false;

      const header = readAskerHeader(text);
      if (header) {
        if (state === 'idle') notes.drop(pending);
        notes.close();
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
        notes.close();
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
        if (state === 'idle') notes.drop(pending);
        // Whatever was pending after the answer is a closing remark nobody answered.
        if (state === 'answer') {
          emit();
          state = 'idle';
        }
        pending = [];
        attachProjectLink(blockPairs, projectLink);
        notes.link(projectLink);
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
  if (state === 'idle') notes.drop(pending);

  const faqs = pairs.map(toFaq);
  return { pairs: withBlockContext(pairs.map((pair, i) => ({ pair, faq: withFollowUp(faqs[i] as Draft<FaqEntry>, pair.block === pairs[i + 1]?.block ? faqs[i + 1] : undefined) }))), notes: notes.drafts() };
}

// An answer this short that ends with a question mark asks the asker back ("你的 Service 是用
// XML 注册的还是注解？"): alone it answers nothing.
const MAX_CLARIFYING_CHARS = 60;

/**
 * An entry whose answer only asks back, with the exchange that follows it in the same asker's
 * block (the asker's reply, as "追问：…", and the answer to it), which is where the answer is.
 */
function withFollowUp(faq: Draft<FaqEntry>, next: Draft<FaqEntry> | undefined): Draft<FaqEntry> {
  const answer = faq.body.trim();
  if (!next || answer.length > MAX_CLARIFYING_CHARS || !/[？?]$/.test(answer)) return faq;
  return { ...faq, body: `${faq.body}\n\n追问：${next.title}\n\n${next.body}`, links: dedupeLinks([...faq.links, ...next.links]), ...(faq.url || !next.url ? {} : { url: next.url }) };
}

/** A question quoted or ending with a question mark: worth a warning when nobody answered it. */
function looksAsked(question: Line[]): boolean {
  return question.some((l) => !l.code && l.text.trim().startsWith('>')) || /[？?]/.test(cleanText(question));
}

/**
 * Follow-ups rarely repeat the project name or what was asked: pairs of one block without a
 * project take the block's, and each later pair keeps the question asked just before it (`follows`).
 */
function withBlockContext(items: { pair: QaPair; faq: Draft<FaqEntry> }[]): Draft<FaqEntry>[] {
  const blockProject = new Map<number, string>();
  for (const { pair, faq } of items) {
    if (faq.project && !blockProject.has(pair.block)) blockProject.set(pair.block, faq.project);
  }
  return items.map(({ pair, faq }, i) => {
    const project = faq.project ?? blockProject.get(pair.block);
    const before = items[i - 1];
    const follows = before?.pair.block === pair.block ? before.faq.title : undefined;
    return { ...faq, ...(project ? { project } : {}), ...(follows ? { follows } : {}) };
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
  return faqDraft({ title, body, url, links, project: qaProject(pair, title), line: pair.start });
}

/**
 * The project of a Q&A pair: a 2023 issue header names it ("@SOFARPC #1320") and is the most
 * reliable (its project-link line was sometimes copied from the item before); then the project
 * the question itself names; then the trailing project-link line; then a topic header
 * ("关于 Seata 的提问").
 */
function qaProject(pair: QaPair, question: string): string | undefined {
  for (const label of pair.headerLabels) {
    const issueProject = /@\s*([A-Za-z][\w-]*)\s*#\d+/.exec(label)?.[1];
    const project = issueProject ? canonicalProject(issueProject) : undefined;
    if (project) return project;
  }
  // A question that names its project is about it, whatever link line the editor put under the
  // asker's block (a block that moves from SOFARPC to SOFARegistry has one link, the last).
  const named = mentionedProject(question);
  if (named) return named;
  const linked = pair.projectLink?.project;
  if (linked) return linked;
  for (const label of pair.headerLabels) {
    if (/关于/.test(label)) {
      const project = mentionedProject(label);
      if (project) return project;
    }
  }
  return undefined;
}
