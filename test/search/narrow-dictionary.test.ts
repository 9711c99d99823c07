import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createAnswerer, type Segmented, type SegmentCache } from '../../src/search/create-answerer.js';
import { createNarrowedTokenizer, createTokenizer, holdsWholeDictionary, releaseWholeDictionary, type NarrowedDictionary } from '../../src/search/create-tokenizer.js';
import { loadFixture } from '../helpers/knowledge-fixture.js';

// The project's own vocabulary: its hundreds of community words weigh on how jieba cuts, which is
// what a narrowed dictionary must reproduce.
const { vocabulary } = loadConfig({ CONFIG_DIR: 'config' });

// Texts of our own whose cut depends on more than their own words: on the dictionary's total
// (字段 and 重放 are community words, whose weight is measured against it) and on rare words
// jieba uses only to decide how to read a run of single characters.
const TEXTS = [
  '订单表里新加的字段要同步吗',
  '日志重放很慢，快照多久打一次',
  '替换部署以后配置没变，为什么还报端口冲突',
  '新加进来的节点怎么追上 leader 的日志',
  '再加上版本号机制来实现最终一致性',
  'Seata 的 AT 模式下全局锁的粒度是行级吗？',
];

describe('a narrowed dictionary', () => {
  it('cuts the texts its words were collected from exactly as the whole dictionary does', () => {
    const whole = createTokenizer(vocabulary);
    const found = new Set<string>();
    const expected = TEXTS.map((text) => whole.tokenize(text, found));
    const narrowed = whole.narrow(found).tokenizer;
    expect(TEXTS.map((text) => narrowed.tokenize(text))).toEqual(expected);
  });

  it('holds only those words beside the short ones: a longer word no text held is cut into its parts', () => {
    const whole = createTokenizer(vocabulary);
    const found = new Set<string>();
    whole.tokenize('全局锁的粒度', found);
    const narrowed = whole.narrow(found).tokenizer;
    expect(whole.tokenize('天安门广场')).toContain('天安门');
    expect(narrowed.tokenize('天安门广场')).not.toContain('天安门');
    expect(narrowed.tokenize('全局锁的粒度')).toEqual(whole.tokenize('全局锁的粒度'));
  });

  it('keeps every word of one or two characters, so a question of everyday words is cut as before', () => {
    const whole = createTokenizer(vocabulary);
    const found = new Set<string>();
    whole.tokenize('Seata 的全局锁粒度', found);
    const narrowed = whole.narrow(found).tokenizer;
    // Rare two-character words (没变, 包上) decide how jieba reads the single characters around
    // them, and a filler word (为什么) must be cut whole to be dropped.
    for (const question of ['替换部署以后配置没变，为什么还报端口冲突', '怎么把 biz 包上传到仓库']) {
      expect(narrowed.tokenize(question)).toEqual(whole.tokenize(question));
    }
  });

  it('is made again from its text alone, cutting as it did', () => {
    const whole = createTokenizer(vocabulary);
    const found = new Set<string>();
    for (const text of TEXTS) whole.tokenize(text, found);
    const { tokenizer, dictionary } = whole.narrow(found);
    const again = createNarrowedTokenizer(vocabulary, JSON.parse(JSON.stringify(dictionary)) as NarrowedDictionary);
    for (const text of [...TEXTS, '天安门广场', '怎么把 biz 包上传到仓库']) expect(again.tokenize(text)).toEqual(tokenizer.tokenize(text));
  });

  it('is the same whichever tokenizers were made before it: making one adds no words to the next', () => {
    // From a freshly loaded dictionary, as a process's first build has it.
    releaseWholeDictionary();
    const first = createTokenizer(vocabulary);
    const before = TEXTS.map((text) => first.tokenize(text));
    createTokenizer(vocabulary);
    expect(TEXTS.map((text) => createTokenizer(vocabulary).tokenize(text))).toEqual(before);
    expect(TEXTS.map((text) => first.tokenize(text))).toEqual(before);
  });
});

describe('the engine', () => {
  it('cuts questions on a narrowed dictionary that cuts every entry as the index did', async () => {
    const { config, entries, answerer } = await loadFixture();
    const whole = createTokenizer(config.vocabulary);
    // Events are listed by date, never searched: the index holds the other kinds.
    const indexed = entries.filter((e) => e.kind !== 'event');
    const texts = indexed.flatMap((e) => [e.title, e.body, ...(e.kind === 'faq' ? e.aliases : [])]).filter((t) => t !== '');
    expect(texts.length).toBeGreaterThan(10);
    expect(texts.map((t) => answerer.tokenizer.tokenize(t))).toEqual(texts.map((t) => whole.tokenize(t)));
    // Narrowed: a word of the whole dictionary that no entry holds is not one of its words.
    expect(whole.tokenize('天安门广场')).toContain('天安门');
    expect(answerer.tokenizer.tokenize('天安门广场')).not.toContain('天安门');
  });
});

/** A segment cache in memory, recording which narrowed dictionaries were asked for and kept. */
function memoryCache() {
  const segments = new Map<string, Segmented>();
  const dictionaries = new Map<string, NarrowedDictionary>();
  const asked: string[] = [];
  const cache: SegmentCache = {
    get: (key) => segments.get(key),
    set: (key, segmented) => void segments.set(key, segmented),
    getDictionary: (key) => (asked.push(key), dictionaries.get(key)),
    setDictionary: (key, dictionary) => void dictionaries.set(key, dictionary),
  };
  return { cache, dictionaries, asked };
}

describe('a build from a cache', () => {
  it('keeps the narrowed dictionary it made, and a later build of the same knowledge cuts on that one', async () => {
    const { config, entries } = await loadFixture();
    const { cache, dictionaries } = memoryCache();
    const first = createAnswerer(entries, config, { segmentCache: cache, warmUp: false });
    expect(dictionaries.size).toBe(1);
    const [key] = [...dictionaries.keys()];
    // Swapped for a dictionary that holds 天安门, to tell the kept dictionary from one made afresh.
    const whole = createTokenizer(config.vocabulary);
    const found = new Set<string>();
    for (const e of entries) whole.tokenize(`${e.title} ${e.body} 天安门`, found);
    dictionaries.set(key as string, whole.narrow(found).dictionary);
    const second = createAnswerer(entries, config, { segmentCache: cache, warmUp: false });
    expect(first.tokenizer.tokenize('天安门广场')).not.toContain('天安门');
    expect(second.tokenizer.tokenize('天安门广场')).toContain('天安门');
    // Otherwise it answers as the first build.
    for (const question of ['jraft 支持 multi raft 吗', 'SOFARPC 5.7.6 更新了什么', 'Seata 全局锁是行锁吗']) {
      expect(second.ask(question, new Date(0))).toEqual(first.ask(question, new Date(0)));
    }
  });

  it('does not load the whole dictionary when every entry and the narrowed dictionary are cached', async () => {
    const { config, entries } = await loadFixture();
    const { cache } = memoryCache();
    const first = createAnswerer(entries, config, { segmentCache: cache, warmUp: false });
    releaseWholeDictionary();
    const second = createAnswerer(entries, config, { segmentCache: cache, warmUp: false });
    expect(holdsWholeDictionary()).toBe(false);
    expect(second.ask('jraft 支持 multi raft 吗', new Date(0))).toEqual(first.ask('jraft 支持 multi raft 吗', new Date(0)));
    // One entry changed: its words are cut on the whole dictionary again.
    createAnswerer(entries.map((e) => (e.kind === 'faq' ? { ...e, body: `${e.body} 又及` } : e)), config, { segmentCache: cache, warmUp: false });
    expect(holdsWholeDictionary()).toBe(true);
  });

  it('does not use a kept dictionary once any entry or its project changed', async () => {
    const { config, entries } = await loadFixture();
    const { cache, dictionaries, asked } = memoryCache();
    createAnswerer(entries, config, { segmentCache: cache, warmUp: false });
    const first = entries.find((e) => e.kind === 'faq');
    const edited = entries.map((e) => (e === first ? { ...e, body: `${e.body} 天安门广场` } : e));
    createAnswerer(edited, config, { segmentCache: cache, warmUp: false });
    // A project no other entry names: its name is cut too.
    const moved = entries.map((e) => (e === first ? { ...e, project: 'SOFAArk' } : e));
    createAnswerer(moved, config, { segmentCache: cache, warmUp: false });
    // Each made its own dictionary (a build that uses a kept one keeps nothing), under its own key;
    // the third had every entry's words cached, and asked for a dictionary the first did not make.
    expect(dictionaries.size).toBe(3);
    expect(asked).toHaveLength(1);
    const editedBuild = createAnswerer(edited, config, { segmentCache: cache, warmUp: false });
    expect(editedBuild.tokenizer.tokenize('天安门广场')).toContain('天安门');
  });
});
