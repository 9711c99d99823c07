import { describe, expect, it } from 'vitest';
import { createTermIndex, type IndexedFields } from '../../src/search/create-term-index.js';
import { collectGarbage } from '../helpers/collect-garbage.js';

const index = createTermIndex([
  { title: ['seata', '全局锁'], aliases: [], body: ['行级', '锁'] },
  { title: ['seata', 'saga'], aliases: [['长事务']], body: ['服务', '编排'] },
  { title: ['sofajraft', 'multi', 'raft'], aliases: [], body: ['rheakv', 'raft', 'raft'] },
  { title: ['mosn'], aliases: [], body: ['seata', '全局锁', '行级'] },
]);
const ids = (...terms: string[]) => terms.map((t) => ({ id: index.termId(t) as number }));

describe('createTermIndex', () => {
  it('ranks an entry whose title holds the words above one whose answer does', () => {
    const top = index.top(ids('seata', '全局锁'), 10, () => 1);
    expect(top.map((s) => s.entry)).toEqual([0, 3, 1]);
    expect(top[0]?.score).toBeGreaterThan(top[1]?.score ?? Infinity);
  });

  it('keeps only the best k, best first, and applies the boost', () => {
    expect(index.top(ids('seata'), 1, () => 1).map((s) => s.entry)).toHaveLength(1);
    const boosted = index.top(ids('seata'), 3, (entry) => (entry === 3 ? 100 : 1));
    expect(boosted[0]?.entry).toBe(3);
  });

  it('lets a light term add less than a full one', () => {
    const [seata, lock] = ids('seata', '全局锁');
    const full = index.top([seata!, lock!], 10, () => 1);
    const light = index.top([{ ...seata!, weight: 0.3 }, lock!], 10, () => 1);
    expect(light[0]?.entry).toBe(0);
    expect(light[0]?.score).toBeLessThan(full[0]?.score ?? 0);
    // Entry 1 holds only the light term: it falls behind entry 3, which holds the full one.
    expect(light.findIndex((s) => s.entry === 1)).toBeGreaterThan(light.findIndex((s) => s.entry === 3));
  });

  it('leaves no score behind between questions', () => {
    const first = index.top(ids('raft'), 10, () => 1);
    const again = index.top(ids('raft'), 10, () => 1);
    expect(again).toEqual(first);
    expect(index.top([], 10, () => 1)).toEqual([]);
  });

  it("weighs a question's context below its question, and counts it as the question for coverage", () => {
    const others: IndexedFields[] = [
      { title: ['竞争锁', '重试'], aliases: [], body: ['retrypolicy'] },
      { title: ['事务'], aliases: [], body: ['回滚'] },
    ];
    const build = (quoted: IndexedFields) => {
      const built = createTermIndex([quoted, ...others]);
      const terms = ['retrypolicy', '竞争锁'].map((t) => ({ id: built.termId(t) as number }));
      return { built, best: built.top(terms, 3, () => 1)[0]?.entry };
    };
    // The same words asked about win as the question, and not as what it says before asking.
    expect(build({ title: ['retrypolicy', '竞争锁', '死锁'], aliases: [], body: ['回滚'] }).best).toBe(0);
    const { built, best } = build({ title: ['死锁'], aliases: [], context: ['retrypolicy', '竞争锁'], body: ['回滚'] });
    expect(best).toBe(1);
    const lock = built.termId('竞争锁') as number;
    expect(built.inTitle(0, lock)).toBe(true);
    expect(built.inTitle(2, lock)).toBe(false);
  });

  it('knows which entries hold a term, in the title or anywhere', () => {
    const lock = index.termId('全局锁') as number;
    expect(index.has(3, lock)).toBe(true);
    expect(index.inTitle(3, lock)).toBe(false);
    expect(index.inTitle(0, lock)).toBe(true);
    expect(index.inTitle(1, index.termId('长事务') as number)).toBe(true);
  });

  it('keeps each way a question is put apart: the question with its context, then each alias', () => {
    const built = createTermIndex([
      { title: ['超时'], aliases: [['timeout', '配置'], ['调用', '超时']], context: ['sofarpc'], body: ['毫秒'] },
      { title: ['mosn'], aliases: [], body: ['超时'] },
    ]);
    const id = (t: string) => built.termId(t) as number;
    expect(built.phrasingCount(0)).toBe(3);
    expect(built.phrasingCount(1)).toBe(1);
    expect([0, 1, 2].map((k) => built.inPhrasing(0, k, id('sofarpc')))).toEqual([true, false, false]);
    expect([0, 1, 2].map((k) => built.inPhrasing(0, k, id('timeout')))).toEqual([false, true, false]);
    expect(built.inPhrasing(0, 3, id('超时'))).toBe(false);
    expect(built.phrasingInformation(0, 1)).toBeCloseTo(built.informationOf(id('timeout')) + built.informationOf(id('配置')));
    expect(built.inTitle(0, id('调用'))).toBe(true);
    expect(built.inTitle(1, id('超时'))).toBe(false);
  });

  it('counts information so rare words weigh more and unknown words most', () => {
    expect(index.information('rheakv')).toBeGreaterThan(index.information('seata'));
    expect(index.information('never-seen')).toBeCloseTo(Math.log(5));
    expect(index.documentFrequency(index.termId('seata') as number)).toBe(3);
  });

  it('keeps none of the words it was built from: only its own compact tables', async () => {
    // Every question word of a knowledge base, as lists of strings, is several times the index.
    let docs: IndexedFields[] | undefined = [
      { title: ['seata', '全局锁'], aliases: [['行锁']], body: ['行级', '锁'] },
      { title: ['mosn'], aliases: [], body: ['seata', 'sidecar'] },
    ];
    const words = new WeakRef(docs[0]?.body as readonly string[]);
    const built = createTermIndex(docs);
    docs = undefined;
    await collectGarbage();
    expect(words.deref()).toBeUndefined();
    expect(built.top([{ id: built.termId('seata') as number }], 10, () => 1).map((s) => s.entry)).toEqual([0, 1]);
    expect(built.has(1, built.termId('sidecar') as number)).toBe(true);
  });
});

