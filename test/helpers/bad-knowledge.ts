import { tmpdir } from 'node:os';
import { expect } from 'vitest';
import { join } from 'node:path';
import { tempKnowledge } from './temp-knowledge.js';

/** Where the `---js` fixture would write if its front matter were ever evaluated. */
export const jsFrontMatterMarker = join(tmpdir(), `qa-bot-js-front-matter-${process.pid}`);

export const goodFiles = {
  'faq/good.md': '---\nquestion: 好问题？\n---\n好答案。\n',
  'releases/seata-1.2.0.md': '---\nproject: Seata\nversion: v1.2.0\n---\n- XA\n',
  'anywhere/reading.md': '---\nkind: reading\ntitle: 一篇文章\nurl: https://example.org/a\n---\n',
  'events/live.md': '---\ntitle: 直播\nstart: 2024-05-30T19:00\nkind: live\n---\n',
};

/** A folder of good files beside every kind of broken one, and matchers for the problem lines expected. */
export function badKnowledge(): { dir: string; expected: unknown[] } {
  const dir = tempKnowledge({
    ...goodFiles,
    'faq/malformed.md': '---\nquestion: a\n  bad: indent: here\n---\nanswer\n',
    'faq/missing.md': '---\nproject: Seata\n---\nanswer\n',
    'faq/empty.md': '',
    'faq/latin1.md': Buffer.concat([Buffer.from('---\nquestion: caf'), Buffer.from([0xe9]), Buffer.from('\n---\nanswer\n')]),
    'faq/huge.md': `---\nquestion: big\n---\n${'x'.repeat(5 * 1024 * 1024)}`,
    'faq/binary.md': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]),
    'faq/evil.md': `---js\n{ question: require('fs').writeFileSync(${JSON.stringify(jsFrontMatterMarker)}, 'pwned') || 'q' }\n---\nanswer\n`,
    'faq/typo.md': '---\nquestion: q\nalias: x\n---\nanswer\n',
    'unknown/what.md': '---\ntitle: no kind\n---\ntext\n',
    'misc/badkind.md': '---\nkind: poem\n---\ntext\n',
  });
  const expected = [
    'faq/binary.md:1: binary file (contains NUL bytes); knowledge files are UTF-8 Markdown',
    'faq/empty.md:1: empty file',
    'faq/evil.md:1: JavaScript front matter is not allowed; use YAML',
    /^faq\/huge\.md:1: file is 5\.0 MiB, over the 1\.0 MiB limit/,
    'faq/latin1.md:2: not valid UTF-8 text; save the file as UTF-8',
    /^faq\/malformed\.md:3: invalid YAML front matter: /,
    'faq/missing.md:1: missing required field "question"',
    /^faq\/typo\.md:3: unknown field "alias" for a faq entry/,
    'misc/badkind.md:2: kind: unknown kind "poem" (use faq, release, event or reading; live, meetup or other for an event)',
    /^unknown\/what\.md:1: cannot tell what kind of knowledge this is/,
  ].map((e): unknown =>
    typeof e === 'string' ? `${dir}/${e}` : expect.stringMatching(new RegExp(`^${escapeRegExp(dir)}/${e.source.slice(1)}`)),
  );
  return { dir, expected };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * "Billion laughs": each level lists the one before nine times, so `kind: *a9` stands for 9^10
 * strings. js-yaml shares the objects, so it parses in a millisecond; anything that walks the
 * value (JSON.stringify in a message) then builds gigabytes.
 */
export function aliasBomb(): string {
  let yaml = `a0: &a0 [${Array(9).fill('"lol"').join(', ')}]\n`;
  for (let i = 1; i <= 9; i++) yaml += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]\n`;
  return `---\n${yaml}kind: *a9\nquestion: SOFAJRaft 支持 Multi-Raft 吗？\n---\n答案。\n`;
}

/** What parseFrontMatter says about `aliasBomb()`, at line 3. */
export const ALIAS_BOMB_REFUSED = 'the alias *a0 repeats a list or mapping, which knowledge files do not allow: write the values out';
