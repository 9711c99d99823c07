import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../src/knowledge/load-knowledge.js';

// The knowledge shipped in ./knowledge is what `npm start` serves on a fresh clone.
describe('the sample knowledge', () => {
  it('loads without problems and covers every kind, including the weekly post', async () => {
    const { entries, problems } = await loadKnowledge({ dirs: ['knowledge'], zone: 'Asia/Shanghai', maxFileBytes: 1 << 20 });
    expect(problems).toEqual([]);
    const byId = new Map(entries.map((e) => [e.id, e]));
    expect(byId.get('faq/jraft-linear-read-fallback')).toMatchObject({ kind: 'faq', project: 'SOFAJRaft' });
    expect(byId.get('releases/seata-1.2.0')).toMatchObject({ kind: 'release', project: 'Seata', version: 'v1.2.0' });
    expect(byId.get('events/sofa-meetup-3')).toMatchObject({ kind: 'event', eventKind: 'meetup', start: '2019-08-11T13:00:00+08:00' });
    expect(byId.get('weekly/2019-08-16-sofa-weekly-20190816#release-1')).toMatchObject({
      kind: 'release',
      project: 'SOFAJRaft',
      version: 'v1.2.6',
      date: '2019-08-16',
      url: 'https://github.com/sofastack/sofa-jraft/releases/tag/1.2.6',
      source: { file: 'knowledge/weekly/2019-08-16-sofa-weekly-20190816.md', line: 23 },
      // Named <date>-<slug>.md like the archive, so its citation is the post's page.
      origin: { title: 'SOFA Weekly 2019-08-16', url: 'https://www.sofastack.tech/blog/sofa-weekly-20190816/', date: '2019-08-16' },
    });
    expect(byId.get('weekly/2019-08-16-sofa-weekly-20190816#release-1')?.body.split('\n')).toHaveLength(5);
    expect(byId.get('weekly/2019-08-16-sofa-weekly-20190816#event-1')).toMatchObject({
      kind: 'event',
      eventKind: 'live',
      start: '2019-08-29T19:00:00+08:00',
      url: 'https://tech.antfin.com/community/live/821',
    });
    const counts: Record<string, number> = {};
    for (const e of entries) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
    expect(counts).toEqual({ faq: 1, release: 2, event: 2, reading: 6 });
  });
});
