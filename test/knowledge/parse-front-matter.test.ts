import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFrontMatter, FrontMatterError } from '../../src/knowledge/parse-front-matter.js';

function errorOf(text: string): FrontMatterError {
  try {
    parseFrontMatter(text);
  } catch (err) {
    if (err instanceof FrontMatterError) return err;
    throw err;
  }
  throw new Error('expected a FrontMatterError');
}

describe('parseFrontMatter', () => {
  it('splits YAML front matter from the body and knows the body line', () => {
    const fm = parseFrontMatter('---\ntitle: Hello\ntags: [a, b]\n---\n\nBody line\n');
    expect(fm.data).toEqual({ title: 'Hello', tags: ['a', 'b'] });
    expect(fm.body).toBe('\nBody line\n');
    expect(fm.bodyLine).toBe(5);
  });

  it('keeps every scalar a string, so versions and dates survive as written', () => {
    const fm = parseFrontMatter('---\nversion: 1.10\ndate: 2019-08-16\nflag: yes\ncount: 007\n---\n');
    expect(fm.data).toEqual({ version: '1.10', date: '2019-08-16', flag: 'yes', count: '007' });
  });

  it('finds the line of a nested value, or of its nearest parent', () => {
    const fm = parseFrontMatter('---\ntitle: a\nlinks:\n  - title: x\n    url: u\n  - title: y\n    url: v\n---\nbody');
    expect(fm.lineOf(['links', 1, 'url'])).toBe(7);
    expect(fm.lineOf(['links', 0])).toBe(4);
    expect(fm.lineOf(['links', 5, 'url'])).toBe(4);
    expect(fm.lineOf(['missing'])).toBe(1);
  });

  it('reads a file without front matter as all body', () => {
    const fm = parseFrontMatter('# Just Markdown\n');
    expect(fm.data).toEqual({});
    expect(fm.bodyLine).toBe(1);
  });

  it('reports YAML errors at the file line', () => {
    const err = errorOf('---\ntitle: ok\ntitle: again\n---\nbody');
    expect(err.line).toBe(3);
    expect(err.message).toBe('invalid YAML front matter: duplicated mapping key');
  });

  it('accepts a quoted string continued on an unindented line, as the Hugo archive has', () => {
    const fm = parseFrontMatter('---\ntitle: "a"\ndescription: "SOFA Weekly |本周\n"\ndate: 2022-01-29\n---\nbody');
    expect(fm.data).toEqual({ title: 'a', description: 'SOFA Weekly |本周 ', date: '2022-01-29' });
    expect(fm.lineOf(['date'])).toBe(5);
  });

  it('reports front matter that is never closed', () => {
    expect(errorOf('---\ntitle: a\nbody without end').message).toMatch(/not closed/);
  });

  it('rejects front matter that is not a mapping', () => {
    expect(errorOf('---\n- a\n- b\n---\n').message).toBe('front matter must be a mapping of keys to values');
  });

  it.each(['js', 'javascript', 'JS', 'JavaScript'])('never evaluates ---%s front matter', (tag) => {
    const marker = join(tmpdir(), `qa-bot-pwned-${tag}-${process.pid}`);
    rmSync(marker, { force: true });
    const text = `---${tag}\n{ title: require('fs').writeFileSync(${JSON.stringify(marker)}, 'x') || 'pwned' }\n---\nbody`;
    expect(errorOf(text).message).toBe('JavaScript front matter is not allowed; use YAML');
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses front matter of 60,000 blank lines at once, before gray-matter (whose comment regex grows with their square)', () => {
    const started = performance.now();
    const error = errorOf(`---\ntitle: a\n${'\n'.repeat(60_000)}url: b\n---\nbody`);
    expect([error.message, error.line]).toEqual(['front matter is 60002 lines long; at most 1000 are read (is its closing `---` missing?)', 1001]);
    // Loose: the check is linear and takes milliseconds; gray-matter alone took over a minute.
    expect(performance.now() - started).toBeLessThan(2_000);
    const long = parseFrontMatter(`---\ntitle: a\n${'\n'.repeat(900)}url: b\n---\nbody`);
    expect([long.data, long.bodyLine]).toEqual([{ title: 'a', url: 'b' }, 905]);
  });

  it('names an unknown front-matter language and refuses JSON in any case', () => {
    expect(errorOf('---python\nx = 1\n---\n').message).toBe('front matter in "python" cannot be read; use YAML');
    expect(errorOf('---JSON\n{"title": "a"}\n---\n').message).toBe('JSON front matter is not allowed; use YAML');
    expect(parseFrontMatter('---yml\ntitle: a\n---\nbody').data).toEqual({ title: 'a' });
  });

  it('rejects other front-matter languages', () => {
    expect(errorOf('---json\n{"title": "a"}\n---\n').message).toBe('JSON front matter is not allowed; use YAML');
    expect(errorOf('---coffee\ntitle: "a"\n---\n').message).toBe('CoffeeScript front matter is not allowed; use YAML');
  });
});
