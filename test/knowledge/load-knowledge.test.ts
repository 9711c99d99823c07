import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../src/knowledge/load-knowledge.js';
import { formatProblem } from '../../src/knowledge/entry.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';
import { badKnowledge, goodFiles, jsFrontMatterMarker } from '../helpers/bad-knowledge.js';

const options = { zone: 'Asia/Shanghai', maxFileBytes: 1024 * 1024 };
describe('loadKnowledge', () => {
  it('decides the kind from front matter or folder and derives ids from paths', async () => {
    const dir = tempKnowledge({ ...goodFiles, 'README.md': '# guide, not knowledge', '.hidden/x.md': 'ignored', 'notes.txt': 'ignored' });
    const { entries, problems, files } = await loadKnowledge({ ...options, dirs: [dir] });
    expect(problems).toEqual([]);
    expect(files).toHaveLength(4);
    expect(entries.map((e) => [e.id, e.kind]).sort()).toEqual([
      ['anywhere/reading', 'reading'],
      ['events/live', 'event'],
      ['faq/good', 'faq'],
      ['releases/seata-1.2.0', 'release'],
    ]);
  });

  it('names every bad file with file:line, executes nothing, and still loads the good ones', async () => {
    rmSync(jsFrontMatterMarker, { force: true });
    const { dir, expected } = badKnowledge();
    const { entries, problems } = await loadKnowledge({ ...options, dirs: [dir] });
    expect(problems.map(formatProblem)).toEqual(expected);
    expect(problems.every((p) => p.severity === 'error')).toBe(true);
    expect(existsSync(jsFrontMatterMarker)).toBe(false);
    expect(entries.map((e) => e.id).sort()).toEqual(['anywhere/reading', 'events/live', 'faq/good', 'releases/seata-1.2.0']);
  });

  it('reports a duplicate id on the later file and keeps the first', async () => {
    const a = tempKnowledge({ 'faq/one.md': '---\nid: same\nquestion: first\n---\na\n' });
    const b = tempKnowledge({ 'faq/two.md': '---\nid: same\nquestion: second\n---\nb\n' });
    const { entries, problems } = await loadKnowledge({ ...options, dirs: [a, b] });
    expect(entries.map((e) => e.title)).toEqual(['first']);
    expect(problems).toEqual([
      {
        file: join(b, 'faq/two.md'),
        line: 1,
        severity: 'error',
        message: `duplicate id "same" (first defined at ${join(a, 'faq/one.md')}:1); this entry is ignored`,
      },
    ]);
  });

  it('reports a missing folder and still reads the others', async () => {
    const dir = tempKnowledge(goodFiles);
    const { entries, problems } = await loadKnowledge({ ...options, dirs: ['/nonexistent/knowledge', dir] });
    expect(problems.map(formatProblem)).toEqual(['/nonexistent/knowledge:1: cannot read knowledge folder: folder not found']);
    expect(entries).toHaveLength(4);
  });
});
