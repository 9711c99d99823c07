import matter from 'gray-matter';
import { load as loadYaml, FAILSAFE_SCHEMA, YAMLException } from 'js-yaml';
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

const refuse = (language: string) => () => {
  throw new FrontMatterError(`${language} front matter is not allowed; use YAML`, 1);
};

/**
 * Splits Markdown into YAML front matter and body. The only front-matter parser in the project:
 * gray-matter evaluates `---js` blocks with eval() unless both `js` and `javascript` engines are
 * replaced, so they are replaced (with the other non-YAML languages) by engines that refuse.
 */
export function parseFrontMatter(text: string): FrontMatter {
  if (/^---[^-]/.test(text) && !text.slice(3).includes('\n---')) {
    throw new FrontMatterError('front matter is not closed: add a line `---` after it', 1);
  }
  let source: string | undefined;
  const parseYaml = (yamlText: string): Record<string, unknown> => {
    source = yamlText;
    let value: unknown;
    try {
      // js-yaml reads values: it is as lenient as the Hugo sites the archive comes from (a quoted
      // string continued on an unindented line). The failsafe schema keeps every scalar a string.
      value = loadYaml(yamlText, { schema: FAILSAFE_SCHEMA });
    } catch (err) {
      if (!(err instanceof YAMLException)) throw err;
      // gray-matter hands over the text from the end of the `---` line: YAML line 0 is file line 1.
      throw new FrontMatterError(`invalid YAML front matter: ${err.reason}`, err.mark.line + 1);
    }
    if (value === null || value === undefined) return {};
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new FrontMatterError('front matter must be a mapping of keys to values', 2);
    }
    return value as Record<string, unknown>;
  };

  let parsed: matter.GrayMatterFile<string>;
  try {
    // Options are always passed, which also keeps gray-matter from caching results by content.
    parsed = matter(text, {
      language: 'yaml',
      engines: {
        yaml: parseYaml,
        js: refuse('JavaScript'),
        javascript: refuse('JavaScript'),
        json: refuse('JSON'),
        coffee: refuse('CoffeeScript'),
        toml: refuse('TOML'),
      },
    });
  } catch (err) {
    if (err instanceof FrontMatterError) throw err;
    // gray-matter's own message for an unknown language tag such as `---python`
    throw new FrontMatterError(`cannot read front matter: ${firstLine(String((err as Error).message))}`, 1);
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

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
