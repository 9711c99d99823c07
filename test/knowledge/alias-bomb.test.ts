import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/knowledge/entry.js';
import { loadKnowledge } from '../../src/knowledge/load-knowledge.js';
import { FrontMatterError, parseFrontMatter } from '../../src/knowledge/parse-front-matter.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';
import { ALIAS_BOMB_REFUSED as REFUSED, aliasBomb } from '../helpers/bad-knowledge.js';

describe('parseFrontMatter and YAML aliases', () => {
  it('refuses an alias of a list at its line, before anything expands it', () => {
    const started = performance.now();
    let error: unknown;
    try {
      parseFrontMatter(aliasBomb());
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FrontMatterError);
    // `a1: &a1 [*a0, …]` is the file's third line.
    expect({ line: (error as FrontMatterError).line, message: (error as FrontMatterError).message }).toEqual({ line: 3, message: REFUSED });
    // Loose: the refusal is immediate; expanding would take minutes.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('refuses an alias of a mapping, in block style on a later line', () => {
    expect(() => parseFrontMatter('---\nbase: &base\n  title: a\n  url: b\nlinks:\n  - *base\n---\n')).toThrow(
      expect.objectContaining({ name: 'FrontMatterError', line: 6, message: 'the alias *base repeats a list or mapping, which knowledge files do not allow: write the values out' }),
    );
  });

  it('keeps an alias of a text value, which repeats one string and cannot grow', () => {
    expect(parseFrontMatter('---\nquestion: &q 怎么用\naliases: [*q, *q]\n---\nbody').data).toEqual({ question: '怎么用', aliases: ['怎么用', '怎么用'] });
  });
});

describe('loadKnowledge with an alias bomb', () => {
  it('reports the file at file:line and loads the others', async () => {
    const dir = tempKnowledge({ 'faq/bomb.md': aliasBomb(), 'faq/good.md': '---\nquestion: Seata 全局锁是行级的吗？\n---\n是行级的。\n' });
    const { entries, problems } = await loadKnowledge({ dirs: [dir], zone: 'Asia/Shanghai', maxFileBytes: 1 << 20 });
    expect(problems.map(formatProblem)).toEqual([`${join(dir, 'faq/bomb.md')}:3: ${REFUSED}`]);
    expect(entries.map((e) => e.id)).toEqual(['faq/good']);
  });

  it('names an unknown kind without quoting a list or a long value in full', async () => {
    const dir = tempKnowledge({ 'list.md': `---\nkind: [${Array(1000).fill('faq').join(', ')}]\n---\n`, 'long.md': `---\nkind: ${'x'.repeat(10_000)}\n---\n` });
    const { problems } = await loadKnowledge({ dirs: [dir], zone: 'Asia/Shanghai', maxFileBytes: 1 << 20 });
    const use = '(use faq, release, event or reading; live, meetup or other for an event)';
    expect(problems.map(formatProblem)).toEqual([
      `${join(dir, 'list.md')}:2: kind: unknown kind (a list or mapping) ${use}`,
      `${join(dir, 'long.md')}:2: kind: unknown kind "${'x'.repeat(80)}" ${use}`,
    ]);
  });
});
