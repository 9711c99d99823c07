import matter from 'gray-matter';
import { load as loadYaml, FAILSAFE_SCHEMA, YAMLException, type EventType, type State } from 'js-yaml';
import { LineCounter, parseDocument, isMap, isSeq, isNode } from 'yaml';
import type { Document, Node } from 'yaml';

/** Front matter plus the body, with what is needed to point problems at lines. */
export interface FrontMatter {
  /** Plain data; every scalar is a string (YAML failsafe schema), so "1.10" stays "1.10". */
  data: Record<string, unknown>;
  body: string;
  /** 1-based line of the body's first line in the file. */
  bodyLine: number;
  /** 1-based line in the file of the value at a path, or of the nearest parent that exists. */
  lineOf(path: readonly PropertyKey[]): number;
}

export class FrontMatterError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'FrontMatterError';
  }
}

/** Front-matter languages other than YAML, by the tag after the opening `---`: refused by name. */
const OTHER_LANGUAGES: Readonly<Record<string, string>> = {
  js: 'JavaScript',
  javascript: 'JavaScript',
  json: 'JSON',
  coffee: 'CoffeeScript',
  coffeescript: 'CoffeeScript',
  cson: 'CoffeeScript',
  toml: 'TOML',
};

// A knowledge file's front matter is a dozen lines. Longer is refused before gray-matter reads it:
// gray-matter strips comment lines with /^\s*#[^\n]+/gm, whose time grows with the square of
// the block's blank lines (40,000 held the event loop 3 s), and a file may hold a megabyte of them.
const MAX_FRONT_MATTER_LINES = 1000;
const REGEX_LINE_BREAKS = new Set([0x0a, 0x0d, 0x2028, 0x2029]);

/**
 * Splits Markdown into YAML front matter and body. The only front-matter parser in the project:
 * gray-matter evaluates `---js` blocks with eval() unless both `js` and `javascript` engines are
 * replaced, so they are replaced (with the other non-YAML languages) by engines that refuse; and
 * a linear check of the block comes first (see MAX_FRONT_MATTER_LINES).
 */
export function parseFrontMatter(text: string): FrontMatter {
  checkFrontMatterBlock(text.replace(/^\uFEFF/, ''));
  let source: string | undefined;
  const parseYaml = (yamlText: string): Record<string, unknown> => {
    source = yamlText;
    return parseYamlMapping(yamlText);
  };
  let parsed: matter.GrayMatterFile<string>;
  try {
    // Options are always passed, which also keeps gray-matter from caching results by content.
    parsed = matter(text, { language: 'yaml', engines: { yaml: parseYaml, yml: parseYaml, ...REFUSING_ENGINES } });
  } catch (err) {
    if (err instanceof FrontMatterError) throw err;
    throw new FrontMatterError(`cannot read front matter: ${String((err as Error).message).split('\n')[0]}`, 1);
  }
  const data = parsed.data as Record<string, unknown>;
  const body = parsed.content;
  const headLength = text.length - body.length;
  const bodyLine = countLines(text, headLength) + 1;

  // Positions come from the `yaml` library's syntax tree, built only when a problem needs a line.
  let positions: { doc: Document.Parsed; lineCounter: LineCounter } | undefined;
  const lineOf = (path: readonly PropertyKey[]): number => {
    if (source === undefined) return 1;
    if (!positions) {
      const lineCounter = new LineCounter();
      positions = { doc: parseDocument(source, { schema: 'failsafe', lineCounter, uniqueKeys: false }), lineCounter };
    }
    for (let n = path.length; n > 0; n--) {
      const node = nodeAt(positions.doc, path.slice(0, n));
      if (node?.range) return positions.lineCounter.linePos(node.range[0]).line;
    }
    // The tree of YAML that only js-yaml accepts can lose keys; a top-level key is still findable.
    const key = path[0];
    const index = typeof key === 'string' ? source.split('\n').findIndex((l) => l.startsWith(`${key}:`)) : -1;
    return index >= 0 ? index + 1 : 1;
  };
  return { data, body, bodyLine, lineOf };
}

const refuse = (language: string) => () => {
  throw new FrontMatterError(`${language} front matter is not allowed; use YAML`, 1);
};
const REFUSING_ENGINES = Object.fromEntries(Object.entries(OTHER_LANGUAGES).map(([tag, language]) => [tag, refuse(language)]));

/**
 * Before gray-matter reads it, in one linear pass: the block after an opening `---` is closed, in
 * YAML (another language is refused by name, in any letter case), and not too long.
 */
function checkFrontMatterBlock(text: string): void {
  // `----` or more opens no front matter: it is a Markdown rule.
  if (!text.startsWith('---') || text.charAt(3) === '-') return;
  const rest = text.slice(3);
  const lineEnd = rest.search(/\r?\n/);
  const tag = (lineEnd === -1 ? rest : rest.slice(0, lineEnd)).trim().toLowerCase();
  if (tag !== '' && tag !== 'yaml' && tag !== 'yml') {
    const language = OTHER_LANGUAGES[tag];
    throw new FrontMatterError(language ? `${language} front matter is not allowed; use YAML` : `front matter in "${tag.slice(0, 40)}" cannot be read; use YAML`, 1);
  }
  const afterOpening = lineEnd === -1 ? '' : rest.slice(lineEnd);
  const close = afterOpening.indexOf('\n---');
  if (close === -1) throw new FrontMatterError('front matter is not closed: add a line `---` after it', 1);
  // Every line terminator a regular expression's ^ stops at (\r and \u2028 too), as gray-matter's does.
  let lines = 0;
  for (let i = 0; i < close; i++) {
    const code = afterOpening.charCodeAt(i);
    if (REGEX_LINE_BREAKS.has(code) && !(code === 0x0a && afterOpening.charCodeAt(i - 1) === 0x0d)) lines++;
  }
  if (lines > MAX_FRONT_MATTER_LINES) {
    throw new FrontMatterError(`front matter is ${lines} lines long; at most ${MAX_FRONT_MATTER_LINES} are read (is its closing \`---\` missing?)`, MAX_FRONT_MATTER_LINES + 1);
  }
}

function parseYamlMapping(yamlText: string): Record<string, unknown> {
  let value: unknown;
  try {
    // js-yaml reads values: it is as lenient as the Hugo sites the archive comes from (a quoted
    // string continued on an unindented line). The failsafe schema keeps every scalar a string.
    value = loadYaml(yamlText, { schema: FAILSAFE_SCHEMA, listener: refuseCollectionAliases(yamlText) });
  } catch (err) {
    if (!(err instanceof YAMLException)) throw err;
    throw new FrontMatterError(`invalid YAML front matter: ${err.reason}`, err.mark.line + 1);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new FrontMatterError('front matter must be a mapping of keys to values', 2);
  }
  return value as Record<string, unknown>;
}

/**
 * A js-yaml listener that throws on an alias (`*name`) of a list or mapping. js-yaml has no alias
 * limit, and such aliases share one object many times: nine lines of them stand for 9^9 values,
 * gigabytes to anything that walks the data (a message quoting it, a validator). Refused at the
 * alias, before anything walks the data, so the data is a tree no larger than the text. An alias
 * of a text value repeats one string and is left alone.
 */
function refuseCollectionAliases(yamlText: string): (event: EventType, state: State) => void {
  // A list or mapping closes once where it is written; closing again means an alias stands for it.
  const closed = new WeakSet<object>();
  const opened: number[] = [];
  return (event, state) => {
    if (event === 'open') {
      opened.push(state.position);
      return;
    }
    const start = opened.pop() ?? 0;
    const result: unknown = state.result;
    if (typeof result !== 'object' || result === null) return;
    if (!closed.has(result)) {
      closed.add(result);
      return;
    }
    const at = yamlText.indexOf('*', start);
    const alias = /^\*[^\s,[\]{}]*/.exec(yamlText.slice(at, at + 100))?.[0] ?? '*';
    throw new FrontMatterError(
      `the alias ${alias} repeats a list or mapping, which knowledge files do not allow: write the values out`,
      // The YAML starts at the end of the `---` line: YAML line 0 is file line 1.
      countLines(yamlText, at < 0 ? state.position : at) + 1,
    );
  };
}

function nodeAt(doc: Document.Parsed, path: readonly PropertyKey[]): Node | undefined {
  let node: unknown = doc.contents;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isNode(p.key) && String((p.key as { value?: unknown }).value) === String(key));
      // Point at the key when the value is empty (its range would be past the line).
      node = pair ? (isNode(pair.value) ? pair.value : pair.key) : undefined;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
    } else {
      return undefined;
    }
  }
  return isNode(node) ? node : undefined;
}

function countLines(text: string, end: number): number {
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}
