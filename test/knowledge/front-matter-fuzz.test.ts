import { describe, expect, it } from 'vitest';
import { FrontMatterError, parseFrontMatter } from '../../src/knowledge/parse-front-matter.js';
// Seeded, so a failing case can be replayed from its seed.
import { createRandom } from '../../scripts/generate-knowledge.js';

const PUNCTUATION = [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'];
const ODD = ['\t', '\r', '\r\n', '\uFEFF', '\u00A0', '\u2028', '\0', '　', '：', '“', '—', '😀'];

/** Hostile front-matter text: each case mixes a few of these pieces. */
function hostileYaml(next: () => number): string {
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)] as T;
  const size = () => pick([1, 2, 10, 100, 1_000, 10_000, 50_000]);
  const pieces: Array<() => string> = [
    () => `title: ${pick(PUNCTUATION).repeat(size())}`,
    () => pick(PUNCTUATION).repeat(size()),
    () => `${pick(PUNCTUATION).repeat(size())}: value`,
    () => `key: ${pick(ODD).repeat(size())}x`,
    () => pick(['[', '{', '- ', '? ', '!!', '&a ', '*a ']).repeat(size()),
    () => {
      const depth = int(200);
      return `${'['.repeat(depth)}x${']'.repeat(int(2) ? depth : int(depth))}`;
    },
    () =>
      Array.from({ length: int(150) }, (_, i) => `${' '.repeat(i)}k${i}:`)
        .join('\n')
        .concat(' leaf'),
    () =>
      Array.from({ length: int(150) }, (_, i) => `${'  '.repeat(i)}- `)
        .join('\n')
        .concat('x'),
    () => `a0: &a0 [${Array(9).fill('x').join(',')}]\n${Array.from({ length: int(12) }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(',')}]`).join('\n')}`,
    () => `a: &a ${pick(['x', '[x]', '{b: c}'])}\nb: ${pick(['*a', '[*a, *a]', '{c: *a}', '*missing', '&a *a', '*a\n  c: d'])}`,
    () => `${'k'.repeat(size() * 2)}: v`,
    () => `${pick(['"', "'"])}${'x'.repeat(size())}`,
    () => `title: ${pick(['"', "'"])}${'unclosed\n'.repeat(int(50))}`,
    () => `title: "a\n${'continued\n'.repeat(int(20))}"`,
    () => `block: ${pick(['|', '>', '|-', '>+', '|2', '|9'])}\n${'  line\n'.repeat(int(50))}${pick(['', '\tbad', 'x'])}`,
    () => `%YAML 1.2\n---\n${pick(['a: b', '...', '--- x'])}`,
    () => `${pick(['!!map', '!!seq', '!!str', '!<tag:x>', '!local', '!!binary', '!!js/function'])} ${pick(['x', '[x]', '{a: b}', ''])}`,
    () => `<<: ${pick(['*a', '{a: b}', '[{a: b}]'])}`,
    () => `a: b\na: c`,
    () => `\t${pick(['a: b', '- x', 'x'])}`,
    () => `k: v # ${pick(PUNCTUATION).repeat(size())}`,
    () => Array.from({ length: int(30) }, () => pick([...PUNCTUATION, ...ODD, 'a', ' ', '\n', ': ', '- '])).join(''),
  ];
  return Array.from({ length: 1 + int(4) }, () => pick(pieces)()).join(pick(['\n', '\r\n', '\n\n', '\n  ']));
}

/** A whole file: front matter (sometimes without its closing line, BOM or CRLF), then a body. */
function hostileFile(next: () => number): string {
  const yaml = hostileYaml(next);
  const eol = next() < 0.2 ? '\r\n' : '\n';
  const bom = next() < 0.1 ? '\uFEFF' : '';
  const opening = next() < 0.9 ? '---' : `---${['js', 'yaml', 'json', 'toml', ' ', '-'][Math.floor(next() * 6)]}`;
  const closing = next() < 0.85 ? `${eol}---${eol}body${eol}` : `${eol}body`;
  return `${bom}${opening}${eol}${yaml.replace(/\n/g, eol)}${closing}`;
}

describe('parseFrontMatter on hostile input (seeded fuzz)', () => {
  it('parses or throws FrontMatterError with a line ≥ 1, promptly, and lineOf answers for any key', () => {
    const cases = 3_000;
    let refused = 0;
    for (let seed = 1; seed <= cases; seed++) {
      const text = hostileFile(createRandom(seed));
      const started = performance.now();
      try {
        const fm = parseFrontMatter(text);
        // The `yaml` tree behind lineOf is the second parser: it must be as safe on the same text.
        for (const key of [...Object.keys(fm.data).slice(0, 3), 'title', 'missing']) {
          const line = fm.lineOf([key, 0, 'x']);
          if (!Number.isInteger(line) || line < 1) throw new Error(`seed ${seed}: lineOf(${key}) = ${line}`);
        }
        JSON.stringify(fm.data);
      } catch (err) {
        if (!(err instanceof FrontMatterError)) throw new Error(`seed ${seed}: ${String(err)}\n${JSON.stringify(text.slice(0, 300))}`);
        if (!Number.isInteger(err.line) || err.line < 1) throw new Error(`seed ${seed}: line ${err.line} for "${err.message}"`);
        refused++;
      }
      // Loose: the largest case is ~200 KB; anything superlinear shows up as seconds.
      const ms = performance.now() - started;
      if (ms > 2_000) throw new Error(`seed ${seed} took ${ms.toFixed(0)} ms\n${JSON.stringify(text.slice(0, 300))}`);
    }
    // Both outcomes occur, so the generator is neither too tame nor always broken.
    expect(refused).toBeGreaterThan(cases / 10);
    expect(refused).toBeLessThan(cases - cases / 10);
  });
});
