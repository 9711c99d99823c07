// The one gate for Markdown that leaves the bot. Knowledge files are written by many hands and
// imported from archives, so a reply, digest, reminder or admin notice may carry what DingTalk (or
// the playground's browser) should never be given: script links and raw HTML. The transports call
// sanitizeMarkdown on every markdown message just before it is sent (toMarkdownMessage for
// session replies, toWireMessage for the robot and dry-run clients) and the playground renders
// what they would send; composers never need to remember it.
import MarkdownIt, { type StateInline, type Token } from 'markdown-it';
import { FULL_WIDTH } from './plain-markdown-text.js';

/** Link targets kept as links: the web and DingTalk's own `dtmd://` / `dingtalk://` actions. */
const ALLOWED_URL = /^(?:https?|dtmd|dingtalk):/i;
/** What CommonMark takes for an autolink `<scheme:…>` and an e-mail autolink `<a@b.c>` (markdown-it's own patterns). */
const AUTOLINK = /^[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^<>\p{Cc} ]*$/u;
const EMAIL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
/** A `<` that could open an HTML tag, comment, declaration or processing instruction. */
const TAG_START = /[A-Za-z/!?]/;
const KEPT_AUTOLINK_OR_TAG_START = /<(?:https?|dtmd|dingtalk):[^<>\p{Cc} ]*>|<(?=[A-Za-z/!?])/giu;
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
/** A scheme (`javascript:`) at the start of a link target, once escapes and entities are decoded. */
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
/** Passes until nothing changes; two suffice but for contrived input. */
const MAX_PASSES = 4;
/** Links in links' labels deeper than this (images can nest) lose their brackets instead of being scanned again. */
const MAX_DEPTH = 10;

// CommonMark as a DingTalk client may read it: every link target accepted (so that none hides
// from the checks), and no code spans or code blocks, which DingTalk does not document: a backtick
// is no shelter there, so nothing inside one is trusted either. The checker reads raw HTML; the
// scanner's does not, as the HTML it meets ends up as text (`[<!--](x)` is a link once it is).
const commonMark = (html: boolean) => {
  const md = new MarkdownIt('commonmark', { html, linkify: false });
  md.disable(['backticks', 'code', 'fence']);
  md.validateLink = () => true;
  return md;
};
const checker = commonMark(true);
const parser = commonMark(false);

/**
 * Markdown that is safe to send: links and images keep only http(s), dtmd and dingtalk targets
 * (as written unless escapes, entities or `<…>` made them read differently elsewhere, then written
 * back percent-encoded where Markdown would misread them; titles dropped), others become
 * their text, the target dropped; every `<` that could open raw HTML or an autolink to anything
 * else, and the `>` closing it on the same line, becomes the full-width `＜` / `＞`, so
 * `List<String>`, `<dependency>` and `<SOFA:Channel/>` still read as written (DingTalk hides inline
 * HTML on mobile) and no tag or link is made. A reference definition `[x]: target` or a bracket pair a
 * looser parser could take for a link to another scheme is broken up. Idempotent.
 */
export function sanitizeMarkdown(text: string): string {
  // What a pass unmakes can join its neighbours into something new (`<` + a link's text + `>`),
  // so passes repeat until nothing changes.
  let safe = text.replace(/\r\n?/g, '\n').replace(/\0/g, '\uFFFD');
  for (let passes = 0; passes < MAX_PASSES; passes++) {
    const next = sanitizeOnce(safe);
    // Belt and braces: what CommonMark still reads as unsafe (nothing known) loses all its markup.
    if (next === safe) return unsafeMarkdown(safe).length === 0 ? safe : withoutMarkup(safe);
    safe = next;
  }
  return withoutMarkup(safe);
}

const withoutMarkup = (text: string) => text.replace(/[[\]<>]/g, (c) => FULL_WIDTH[c] ?? c);

function sanitizeOnce(text: string): string {
  return defangLooseLinks(scan(text)).replace(KEPT_AUTOLINK_OR_TAG_START, (m) => (m.length > 1 ? m : '＜'));
}

/** Whether DingTalk may make a link to `url` (after Markdown's escapes and entities are decoded). */
export function isAllowedUrl(url: string): boolean {
  return ALLOWED_URL.test(url);
}

/**
 * The unsafe parts CommonMark finds in `text` (raw HTML, links and images to other schemes), as
 * their HTML or target; empty when it is safe to send. For the sanitiser's own check and tests.
 */
export function unsafeMarkdown(text: string): string[] {
  const found: string[] = [];
  const visit = (tokens: readonly Token[]): void => {
    for (const token of tokens) {
      if (token.type === 'html_block' || token.type === 'html_inline') found.push(token.content);
      if (token.type === 'link_open' || token.type === 'image') {
        const target = String(token.attrGet(token.type === 'image' ? 'src' : 'href') ?? '');
        if (!isAllowedUrl(target)) found.push(target);
      }
      if (token.children) visit(token.children);
    }
  };
  visit(checker.parse(text, {}));
  return found;
}

/**
 * A URL that stays one link target in Markdown: whitespace, parentheses, angle brackets and `*`
 * (which would end the link or be read as emphasis) are percent-encoded; nothing else changes.
 */
export function escapeUrl(url: string): string {
  return url.trim().replace(/[\s()<>*]/g, (c) => {
    const encoded = encodeURIComponent(c);
    return encoded === c ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : encoded;
  });
}

/** One pass over the text; a link's or image's label is scanned again on its own. */
function scan(src: string, depth = 0): string {
  if (depth > MAX_DEPTH) return withoutMarkup(src);
  const state = new parser.inline.State(src, parser, {}, []);
  let out = '';
  let closeAt = -1; // the `>` that closes a neutralised tag
  let pos = 0;
  while (pos < src.length) {
    const c = src[pos] ?? '';
    if (c === '\\' && pos + 1 < src.length && src[pos + 1] !== '<' && ASCII_PUNCTUATION.test(src[pos + 1] ?? '')) {
      out += src.slice(pos, pos + 2);
      pos += 2;
      continue;
    }
    if (c === '[' || (c === '!' && src[pos + 1] === '[')) {
      const link = inlineLink(state, pos, c === '!');
      if (link) {
        const label = scan(src.slice(link.labelStart, link.labelEnd), depth + 1);
        out += isAllowedUrl(link.href) ? `${c === '!' ? '!' : ''}[${label}](${link.target})` : label;
        pos = link.end;
        continue;
      }
    }
    if (c === '<') {
      const end = src.indexOf('>', pos);
      const inner = end < 0 ? '' : src.slice(pos + 1, end);
      if (AUTOLINK.test(inner) || EMAIL.test(inner)) {
        // `<SOFA:Channel/>` is a brand as often as `<ftp://…>` a link: shown as text.
        out += isAllowedUrl(inner) ? `<${inner}>` : `＜${inner}＞`;
        pos = end + 1;
        continue;
      }
      if (TAG_START.test(src[pos + 1] ?? '')) {
        const lineEnd = src.indexOf('\n', pos);
        if (end >= 0 && (lineEnd < 0 || end < lineEnd) && !inner.includes('<')) closeAt = end;
        out += '＜';
        pos++;
        continue;
      }
    }
    out += pos === closeAt ? '＞' : c;
    pos++;
  }
  return out;
}

interface InlineLink {
  labelStart: number;
  labelEnd: number;
  /** The target with Markdown's escapes and entities decoded, as a browser would be given it. */
  href: string;
  /** The target as written when every parser reads it as `href`, else `href` percent-encoded where Markdown would misread it. */
  target: string;
  /** Just after the closing `)`. */
  end: number;
}

/**
 * An inline link `[label](target "title")` (or image `![…](…)`) starting at `start`, parsed as
 * markdown-it's link rule does; undefined for anything else (reference links included).
 */
function inlineLink(state: StateInline, start: number, image: boolean): InlineLink | undefined {
  const { src } = state;
  const max = src.length;
  const open = image ? start + 1 : start;
  const labelEnd = parser.helpers.parseLinkLabel(state, open, !image);
  if (labelEnd < 0 || src[labelEnd + 1] !== '(') return undefined;
  let pos = skipSpace(src, labelEnd + 2);
  // No target (`[x]()`) is still a link, to nowhere.
  const destination = parser.helpers.parseLinkDestination(src, pos, max);
  const written = destination.ok ? src.slice(pos, destination.pos) : '';
  if (destination.ok) pos = destination.pos;
  const afterDestination = pos;
  pos = skipSpace(src, pos);
  if (destination.ok && pos > afterDestination) {
    const title = parser.helpers.parseLinkTitle(src, pos, max);
    if (title.ok) pos = skipSpace(src, title.pos);
  }
  // A blank line ends a paragraph, and with it any link.
  if (src[pos] !== ')' || /\n[ \t]*\n/.test(src.slice(start, pos))) return undefined;
  const href = destination.ok ? destination.str : '';
  return { labelStart: open + 1, labelEnd, href, target: written === href ? written : escapeUrl(href), end: pos + 1 };
}

function skipSpace(src: string, from: number): number {
  let pos = from;
  while (pos < src.length && /[ \t\n]/.test(src[pos] ?? '')) pos++;
  return pos;
}

/**
 * After the scan, `](target` remains only where CommonMark saw no link (escaped brackets, a
 * malformed target); a looser parser might still link it, so one to another scheme is broken
 * (`](` → `] (`). A reference definition `[x]: target` to anything but an allowed URL is broken
 * too (`]:` → `]：`), so that no `[x]` links to it.
 */
function defangLooseLinks(text: string): string {
  const decode = (target: string) => parser.utils.unescapeAll(target).replace(/[\s\p{Cc}]/gu, '');
  return text
    .replace(/\]\(([ \t\n]*<?)([^\s)>]*)/g, (match: string, space: string, target: string) => {
      const decoded = decode(target);
      return SCHEME.test(decoded) && !isAllowedUrl(decoded) ? `] (${space}${target}` : match;
    })
    .replace(/^((?:[ \t]*(?:>|[-+*]|\d{1,9}[.)]))*[ \t]*\[[^\]\n]*)\]:(?=[ \t\n]*<?([^\s>]*))/gm, (match: string, head: string, target: string) =>
      isAllowedUrl(decode(target)) ? match : `${head}]：`,
    );
}
