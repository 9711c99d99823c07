// Line-level reading shared by every section parser: the body as numbered lines, inline Markdown
// (images, links, URLs), the project-link line that closes Q&A items and meeting notices, and prose cleanup.
import { DEFAULT_SITE_URL, type Link } from '../entry.js';
import { canonicalProject as canonicalSpelling } from '../projects.js';
import { trimTrailing } from '../../shared/trim-text-end.js';

// The posts' site-relative links point into the website they were published on.
const SITE = DEFAULT_SITE_URL;

// ---------------------------------------------------------------------------------------------
// Lines

export interface Line {
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
export function toLines(body: string, bodyLine: number): Line[] {
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

export const isBlank = (l: Line): boolean => !l.code && l.text.trim() === '';

/** Text without Markdown emphasis markers, escapes and surrounding space, for recognising lines. */
export function plain(text: string): string {
  return text
    .replace(/[*\\]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Inline Markdown: images, links, URLs

// A bracket or parenthesis never spans another opening one: with `[^\]]*` every "[" of a long run
// without a "]" rescanned the rest of the line (20,000 took 0.3 s, 40,000 1.3 s).
const IMAGE = /!\[[^[\]]*\]\([^()]*\)/g;
// A link whose text may itself hold one level of brackets, as in `[《a》[b]](url)`.
export const LINK = /(?<!!)\[((?:[^[\]]|\[[^[\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g;
const AUTOLINK = /<((?:https?|dingtalk):\/\/[^>\s]+)>/g;
const BARE_URL = /(?:https?|dingtalk):\/\/[^\s)<>\]"'，。；、）】*]+/g;

// Full-width punctuation percent-encoded into a link target: the editor's link swallowed the prose
// after it ("generic-invoke%EF%BC%8C%E4%BB%A3…" for "generic-invoke，代码如下："). No URL of the
// archive needs a full-width comma, colon, full stop or bracket, so the target ends before it.
const ENCODED_PROSE = /%(?:EF%BC%(?:8C|9A|9B|81|9F|88|89)|E3%80%(?:81|82))/i;

/** A link target without the prose percent-encoded into its end. */
export function trimEncodedProse(url: string): string {
  const at = url.search(ENCODED_PROSE);
  return at > 0 ? url.slice(0, at) : url;
}

export function stripImages(text: string): string {
  return text.replace(IMAGE, '');
}

/** What normalizeUrl did to a mistyped target: repaired it, or dropped it (no repair was certain). */
export type UrlFix = { url: string; fix?: 'repaired' | 'dropped' };

/**
 * Repairs the link targets the editors got wrong: site-relative paths, `ttps://`, `hhttps://`,
 * `https:/`, `http//`, `www.` without a scheme, and targets that repeat a label before the URL.
 * When the target is not a URL but the link text is one, the text is the better target.
 */
export function normalizeUrl(target: string, text = ''): string {
  return checkUrl(target, text).url;
}

/**
 * normalizeUrl, saying whether the target was mistyped: a scheme typo is `repaired`; a target
 * that is no URL, with no URL in the link text either, is `dropped` (its url is empty).
 * Site-relative paths and `www.` are how the site wrote links, not typos.
 */
export function checkUrl(target: string, text = ''): UrlFix {
  let url = trimEncodedProse(target.trim().replace(/\*/g, ''));
  // "hhttps://", "ttps://", "https:/", "https:///", "http//": the host after it makes the intent certain.
  const scheme = /^h*ttp(s?)[:/]*/i.exec(url);
  if (scheme && scheme[0].toLowerCase() !== `http${scheme[1]}://` && /^[\w-]+(?:\.[\w-]+)+(?:[/:?#]|$)/.test(url.slice(scheme[0].length))) {
    return { url: `http${scheme[1]}://${url.slice(scheme[0].length)}`, fix: 'repaired' };
  }
  const embedded = /(?:https?|dingtalk):\/\/\S+/.exec(url);
  if (embedded && embedded.index > 0) url = embedded[0];
  if (url.startsWith('/') && !url.startsWith('//')) return { url: SITE + url };
  if (/^www\./i.test(url)) return { url: `https://${url}` };
  if (/^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$/.test(url)) return { url: `mailto:${url}` };
  if (url === '' || /^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('#')) return { url };
  const fromText = /(?:https?):\/\/\S+/.exec(text.replace(/\*/g, ''));
  if (fromText) return { url: fromText[0] };
  return { url: '', fix: 'dropped' };
}

/** Every Markdown link, autolink and bare URL in the text, in order, without repeats. */
export function extractLinks(text: string): Link[] {
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
    const url = trimTrailing(m[0], '.,;:!?', false);
    add(url, url);
  }
  return links;
}

/** True when the line holds links or URLs and nothing else worth reading. */
export function isLinkOnly(text: string): boolean {
  const rest = stripImages(text).replace(LINK, '').replace(AUTOLINK, '').replace(BARE_URL, '');
  return extractLinks(text).length > 0 && plain(rest).replace(/[「」：:|｜\s-]/g, '') === '';
}

// ---------------------------------------------------------------------------------------------
// Projects

/** The canonical spelling of a project name written with Markdown emphasis, or undefined. */
export function canonicalProject(name: string): string | undefined {
  return canonicalSpelling(plain(name));
}

/**
 * The "project link" that closes a Q&A item: `SOFAJRaft：[https://github.com/...](...)`,
 * `**「MOSN」**：*https://github.com/mosn/mosn*`, or the label alone with the URL on the next line.
 * Only a project name followed by a repository, issue or pull-request URL (or nothing) qualifies,
 * so answer lines such as `MOSN：…/downstream.go#L393` stay in the answer.
 */
export function readProjectLink(text: string): { project: string; links: Link[] } | undefined {
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
// Prose

// Here rather than with the Q&A parser because cleanText drops these lines from every section's prose.
/** The lines that invite questions: "欢迎大家向公众号留言提问…", "我们会筛选重点问题…", the issue counter. */
export function isQaBoilerplate(text: string): boolean {
  // Trimmed after the quotes go: the line split off as '" SOFA WEEKLY " 的形式回复' starts with one.
  const t = plain(text).replace(/[“”"]/g, '').trim();
  return (
    /^欢迎大家(?:向公众号留言|在\s*GitHub\s*提交)/i.test(t) ||
    /^我们会筛选/.test(t) ||
    /^(?:通过\s*)?SOFA\s*WEEKLY\s*的形式回复/i.test(t) ||
    /^本周各项目回复\s*issue/i.test(t)
  );
}

export function dedupeLinks(links: Link[]): Link[] {
  const seen = new Set<string>();
  return links.filter((l) => (seen.has(l.url) ? false : (seen.add(l.url), true)));
}

/** One line of prose: no quote markers, images or intro boilerplate. */
export function cleanLine(text: string): string {
  const s = stripImages(text.replace(/^\s*(?:>\s?)+/, ''))
    // Site-relative links ("/blog/x/") only work on the website: make them absolute.
    .replace(/\]\(\s*\/(?!\/)/g, `](${SITE}/`)
    .replace(LINK, (link: string, label: string, target: string) => {
      // A mistyped target is repaired or the link dropped to its text, as in the entry's links.
      const { url, fix } = checkUrl(target, label);
      if (fix === 'dropped') return label;
      const repaired = fix === 'repaired' ? url : trimEncodedProse(target);
      return repaired === target ? link : link.replace(target, repaired);
    })
    .trimEnd();
  // Leftovers such as "****" or "**  **" around a removed image.
  return /^[\s*_|]*$/.test(s) ? '' : s;
}

/**
 * Joins lines into Markdown: quote markers, images and boilerplate removed outside code, at most
 * one blank line in a row, none at either end.
 */
export function cleanText(lines: Line[]): string {
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
