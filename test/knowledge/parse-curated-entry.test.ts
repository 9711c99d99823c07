import { describe, expect, it } from 'vitest';
import { parseCuratedEntry } from '../../src/knowledge/parse-curated-entry.js';
import { parseFrontMatter } from '../../src/knowledge/parse-front-matter.js';
import type { EntryKind } from '../../src/knowledge/entry.js';

const parse = (kind: EntryKind, text: string, zone = 'Asia/Shanghai') =>
  parseCuratedEntry({ file: 'k/x.md', defaultId: 'faq/x', kind, frontMatter: parseFrontMatter(text), zone });

describe('parseCuratedEntry', () => {
  it('reads a FAQ with aliases, links and the body as its answer', () => {
    const { entry, problems } = parse(
      'faq',
      '---\nquestion: 怎么用？\naliases: 如何使用\nproject: SOFARPC\nlinks:\n  - title: 文档\n    url: https://example.org/doc\ndate: 2024-05-17\n---\n\n这样用。\n',
    );
    expect(problems).toEqual([]);
    expect(entry).toEqual({
      id: 'faq/x',
      kind: 'faq',
      title: '怎么用？',
      body: '这样用。',
      aliases: ['如何使用'],
      project: 'SOFARPC',
      links: [{ title: '文档', url: 'https://example.org/doc' }],
      url: 'https://example.org/doc',
      tags: [],
      date: '2024-05-17',
      source: { file: 'k/x.md', line: 1 },
    });
  });

  it('names the missing required field and the empty answer', () => {
    expect(parse('faq', '---\nproject: Seata\n---\nanswer').problems).toEqual([
      { file: 'k/x.md', line: 1, severity: 'error', message: 'missing required field "question"' },
    ]);
    expect(parse('faq', '---\nquestion: q\n---\n\n  \n').problems).toEqual([
      { file: 'k/x.md', line: 4, severity: 'error', message: 'the answer (the text after the front matter) is empty' },
    ]);
  });

  it('reports unknown fields at their line, naming the known ones', () => {
    const { entry, problems } = parse('faq', '---\nquestion: q\nalias: typo\n---\nanswer');
    expect(entry).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 3, severity: 'error' });
    expect(problems[0]?.message).toMatch(/^unknown field "alias" for a faq entry \(known: .*aliases/);
  });

  it('points a bad nested value at its own line', () => {
    const { problems } = parse('faq', '---\nquestion: q\nlinks:\n  - title: a\n    url: not a url\n---\nanswer');
    expect(problems).toEqual([{ file: 'k/x.md', line: 5, severity: 'error', message: 'links.0.url: expected an http(s) URL' }]);
  });

  it('titles a release by project and version, keeping the version as written', () => {
    const { entry } = parse('release', '---\nproject: SOFAJRaft\nversion: 1.10\nurl: https://example.org/r\n---\n- fix\n');
    expect(entry).toMatchObject({ kind: 'release', title: 'SOFAJRaft 1.10', project: 'SOFAJRaft', version: '1.10', body: '- fix' });
  });

  it('reads an event time without an offset in the configured zone', () => {
    const text = '---\ntitle: Live\nstart: 2024-05-30T19:00\nkind: live\nremind: 2h\n---\n';
    expect(parse('event', text).entry).toMatchObject({ start: '2024-05-30T19:00:00+08:00', eventKind: 'live', remind: ['2h'], date: '2024-05-30' });
    expect(parse('event', text, 'Europe/Berlin').entry).toMatchObject({ start: '2024-05-30T19:00:00+02:00' });
    expect(parse('event', '---\ntitle: L\nstart: 2024-05-30T19:00:00Z\n---\n').entry).toMatchObject({ start: '2024-05-30T19:00:00Z', eventKind: 'other' });
  });

  it('rejects bad event times, an end before the start, and bad reminder offsets', () => {
    const badStart = parse('event', '---\ntitle: L\nstart: next thursday\n---\n').problems[0];
    expect(badStart?.line).toBe(3);
    expect(badStart?.message).toMatch(/^start: expected an ISO 8601/);
    expect(parse('event', '---\ntitle: L\nstart: 2024-05-30T19:00\nend: 2024-05-30T18:00\n---\n').problems[0]).toMatchObject({ line: 4, message: 'end: is before start' });
    expect(parse('event', '---\ntitle: L\nstart: 2024-05-30T19:00\nremind: [1d, soon]\n---\n').problems[0]).toMatchObject({ line: 4, message: 'remind: expected offsets such as 1d, 2h or 15m' });
  });

  it('requires a reading entry to have a URL', () => {
    expect(parse('reading', '---\ntitle: An article\n---\n').problems[0]?.message).toBe('missing required field "url"');
    expect(parse('reading', '---\ntitle: An article\nurl: https://example.org/a\n---\n').entry).toMatchObject({ kind: 'reading', body: '' });
  });

  it('takes an explicit id over the default', () => {
    expect(parse('faq', '---\nid: my-id\nquestion: q\n---\na').entry?.id).toBe('my-id');
  });
});
