// Paragraphs of a reader Q&A section that answer something without being a question→answer pair:
// a project's definition ("Seata：…，是一套…") or a note on a topic readers asked about
// ("之前有同学问到 X，…"). They become FAQ entries of their own, numbered apart (`#note-N`) so that
// the pairs' `#qa-N` ids, which the evaluation set cites, never shift. Only these two shapes count:
// anything else between the pairs (invitations, link lines, remarks) stays unread, as before.
import type { FaqEntry, Link } from '../entry.js';
import { mentionedProject } from '../projects.js';
import { canonicalProject, cleanText, dedupeLinks, extractLinks, isBlank, isLinkOnly, isQaBoilerplate, plain, readProjectLink, stripImages, type Line } from './lines.js';
import { faqDraft, type Draft } from './post.js';
import { trimTrailing } from '../../shared/trim-text-end.js';

/** What the pair parser hands over while it is between items (before the first asker, after a project link). */
export interface NoteCollector {
  /** Lines it drops: a note opens here, and link lines after an open note are its links. */
  drop(lines: Line[]): void;
  /** A project-link line ("Seata：[…github…]"): its links and project go to the open note. */
  link(projectLink: { project: string; links: Link[] }): void;
  /** An asker header or an answer: what follows belongs to the pairs, not to a note. */
  close(): void;
  drafts(): Draft<FaqEntry>[];
}

interface NoteDraft {
  paragraph: Line[];
  title: string;
  /** The defined project, when the note is a definition. */
  defined: string | undefined;
  /** The project of the first project-link line after the note. */
  linked: string | undefined;
  links: Link[];
}

export function collectNotes(): NoteCollector {
  const notes: NoteDraft[] = [];
  let open: NoteDraft | undefined;
  return {
    drop(lines) {
      for (const paragraph of paragraphs(lines)) {
        if (paragraph.every((l) => !l.code && isLinkLine(l.text))) {
          if (open) for (const l of paragraph) open.links.push(...labelledLinks(l.text));
          continue;
        }
        // Any other paragraph ends the open note, whether or not it is a note itself.
        open = readNote(paragraph);
        if (open) notes.push(open);
      }
    },
    link(projectLink) {
      if (!open) return;
      open.links.push(...projectLink.links);
      if (projectLink.project) open.linked ??= projectLink.project;
    },
    close() {
      open = undefined;
    },
    drafts() {
      return notes.map(toNoteFaq);
    },
  };
}

function paragraphs(lines: Line[]): Line[][] {
  const out: Line[][] = [];
  let current: Line[] = [];
  for (const line of lines) {
    if (isBlank(line)) {
      if (current.length > 0) out.push(current);
      current = [];
    } else {
      current.push(line);
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** "3、" numbering an item of the section: meaningless once the note stands alone. */
const NUMBERING = /^\s*\d{1,2}\s*[、.．]\s*/;

/**
 * "Seata：Simple Extensible …，是一套…" (name, colon, a short expansion, then 是) or "SOFAArk 是一款…",
 * "MOSN（…）是一个…". The name must be a known project: a definition of anything else is too rare to
 * tell from prose that merely starts with a name.
 */
const DEFINITION: readonly RegExp[] = [
  /^([A-Za-z][\w .-]{0,30}?)\s*[：:]\s*[^。？?！!：:]{0,80}?[，,]\s*(?:也)?是/,
  /^([A-Za-z][\w .-]{0,30}?)\s*(?:[（(][^）)]{0,80}[）)])?\s*(?:也)?是(?:一[个套款种]|[^，,。]{0,20}的)/,
];

/** "之前有同学问到 OpenKruise 怎么热升级 MOSN，欢迎大家阅读这篇文档…": the topic, then what answers it. */
const TOPIC = /^(?:之前|此前|上周|前几天|最近)?(?:有|很多|不少)(?:同学|朋友|用户|小伙伴|读者)们?(?:问到|问起|问过|提问|咨询|问)(?:了|过)?\s*[：:]?\s*(.{4,60}?)\s*[，,；;]\s*(\S.{3,})$/;

/** Lines that are about the community or the column, not an answer, even when they carry a link. */
function isNoteBoilerplate(text: string): boolean {
  const t = plain(text);
  return isQaBoilerplate(text) || /SOFAStack\s*官网|^[-+]?\s*SOFAStack\s*[：:]|扫码|关注公众号|的形式回复|欢迎大家向公众号/i.test(t);
}

function readNote(paragraph: Line[]): NoteDraft | undefined {
  const first = paragraph[0];
  if (!first) return undefined;
  // Quoted text is a reader speaking; code, boilerplate or a question left open answer nothing.
  if (paragraph.some((l) => l.code || l.text.trim().startsWith('>') || isNoteBoilerplate(l.text))) return undefined;
  const lead = plain(stripImages(first.text)).replace(NUMBERING, '');
  if (/[？?]$/.test(plain(paragraph.map((l) => l.text).join(' ')))) return undefined;
  const links = extractLinks(paragraph.map((l) => l.text).join('\n'));

  for (const pattern of DEFINITION) {
    const name = pattern.exec(lead)?.[1];
    const project = name ? canonicalProject(name) : undefined;
    if (project && lead.length >= 20) return { paragraph, title: `${project} 是什么？`, defined: project, linked: undefined, links };
  }
  const topic = TOPIC.exec(lead)?.[1];
  if (topic) {
    const title = `${trimTrailing(topic, '？?。.，,')}？`;
    return { paragraph, title, defined: undefined, linked: undefined, links };
  }
  return undefined;
}

/** A line of links only, a project-link line, or a label and its link ("Saga 状态机在线设计器：[…](…)"). */
function isLinkLine(text: string): boolean {
  if (isNoteBoilerplate(text)) return false;
  if (isLinkOnly(text) || readProjectLink(text)) return true;
  const rest = /^(?:[-+]\s+)?[^：:[\]()。？?！!]{1,30}[：:]\s*(.+)$/.exec(text.trim().replace(/\*\*/g, ''))?.[1];
  return rest !== undefined && isLinkOnly(rest);
}

/** The line's links; a lone link whose text is its URL takes the line's label as its title. */
function labelledLinks(text: string): Link[] {
  const links = extractLinks(text);
  const label = /^(?:[-+]\s+)?([^：:[\]()。？?！!]{1,30}?)\s*[：:]/.exec(plain(text))?.[1];
  const only = links.length === 1 ? links[0] : undefined;
  if (label && only && only.title === only.url) return [{ title: label, url: only.url }];
  return links;
}

function toNoteFaq(note: NoteDraft): Draft<FaqEntry> {
  const [first, ...rest] = note.paragraph as [Line, ...Line[]];
  const body = cleanText([{ ...first, text: first.text.replace(NUMBERING, '') }, ...rest]);
  const links = dedupeLinks(note.links);
  const url = links[0]?.url;
  const project = note.defined ?? note.linked ?? mentionedProject(note.title) ?? mentionedProject(body);
  return faqDraft({ title: note.title, body, url, links, project, line: first.line });
}
