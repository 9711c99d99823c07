import { describe, expect, it } from 'vitest';
import type { Entry, ReadingEntry } from '../../src/knowledge/entry.js';
import { combine } from '../../src/knowledge/load-knowledge.js';

const reading = (id: string, title: string, url: string, date: string): ReadingEntry => ({
  id,
  kind: 'reading',
  title,
  body: '',
  url,
  links: [{ title, url }],
  date,
  tags: [],
  source: { file: `${id}.md`, line: 3 },
});

describe('combine: an article the archive recommends in several posts', () => {
  it('is one entry in the place of its first, with every URL (the website first) and the first date', () => {
    const first = reading('weekly/a#reading-1', 'SOFARegistry | 大规模集群优化实践', 'https://mp.weixin.qq.com/s/abc', '2022-01-07');
    const again = reading('weekly/b#reading-4', 'SOFARegistry｜大规模集群优化实践', 'https://www.sofastack.tech/blog/registry-optimization/', '2022-02-11');
    const other = reading('weekly/b#reading-5', 'MOSN 反向通道详解', 'https://mp.weixin.qq.com/s/xyz', '2022-02-11');
    const faq: Entry = { id: 'faq/x', kind: 'faq', title: 'SOFARegistry | 大规模集群优化实践', body: '答', links: [], tags: [], aliases: [], source: { file: 'faq/x.md', line: 1 } };
    const { entries } = combine([
      { file: 'a.md', entries: [first, faq], problems: [] },
      { file: 'b.md', entries: [again, other], problems: [] },
    ]);
    expect(entries.map((e) => e.id)).toEqual(['weekly/a#reading-1', 'faq/x', 'weekly/b#reading-5']);
    expect(entries[0]).toMatchObject({
      url: 'https://www.sofastack.tech/blog/registry-optimization/',
      date: '2022-01-07',
      links: [{ url: 'https://www.sofastack.tech/blog/registry-optimization/' }, { url: 'https://mp.weixin.qq.com/s/abc' }],
    });
    // Other kinds with the same title are never merged.
    expect(entries[1]).toBe(faq);
  });
});
