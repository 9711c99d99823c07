import { describe, expect, it } from 'vitest';
import { findTypos, foldTypos } from '../../src/search/fold-typos.js';
import { loadFixture } from '../helpers/knowledge-fixture.js';

/** Documents of one field each. */
const docs = (...texts: string[]) => texts.map((t) => [t.split(' ')]);

describe('findTypos', () => {
  it('reads a rare word as the more frequent word it is with two adjacent letters swapped', () => {
    const typos = findTypos(docs('sofarpc fegin', 'feign timeout', 'seata feign xid', 'mosn istio', 'mosn sidecar', 'mson istio'));
    expect(Object.fromEntries(typos)).toEqual({ fegin: 'feign', mson: 'mosn' });
  });

  it('leaves two equally common spellings, words in many entries, short words and identifiers alone', () => {
    // kryo and kyro are in one entry each; "from" is in four, too many to be anyone's typo.
    const many = Array.from({ length: 4 }, () => 'form from');
    expect(findTypos(docs('kryo', 'kyro', ...many, ...many, 'rpc', 'prc prc', 'v1.2 v2.1 v2.1')).size).toBe(0);
  });

  it('counts a word once per entry, whatever its fields', () => {
    // fegin is in two fields of one entry, feign in one entry: as common, so neither is a typo.
    expect(findTypos([[['fegin'], ['fegin']], [['feign']]]).size).toBe(0);
  });
});

describe('foldTypos', () => {
  it('replaces the typos and returns the same list when there are none', () => {
    const typos = new Map([['fegin', 'feign']]);
    expect(foldTypos(['sofarpc', 'fegin'], typos)).toEqual(['sofarpc', 'feign']);
    const clean = ['sofarpc', 'feign'];
    expect(foldTypos(clean, typos)).toBe(clean);
  });
});

describe('answering over knowledge with a typo', () => {
  const faq = (question: string, answer: string, project: string) => `---\nquestion: ${JSON.stringify(question)}\nproject: ${project}\n---\n${answer}\n`;
  const FILES = {
    'faq/rpc-fegin.md': faq('请问 SOFARPC 支持 fegin 不？', '目前不支持，可以通过 REST 协议互通。', 'SOFARPC'),
    'faq/seata-feign.md': faq('Seata 怎么在 Feign 调用里传递 xid？', '引入 spring-cloud-starter-alibaba-seata，它会给 Feign 加上拦截器。', 'Seata'),
    'faq/feign-timeout.md': faq('Seata 的 TC 配合 Feign 超时怎么配？', '在 Feign 的客户端上配置 readTimeout。', 'Seata'),
    'faq/rpc-timeout.md': faq('SOFARPC 怎么设置调用超时时间？', '在 consumer 上配置 timeout 属性。', 'SOFARPC'),
  };

  it('answers a question that spells the word right with the entry that mistyped it', async () => {
    const { answerer } = await loadFixture(FILES);
    const now = new Date('2024-05-20T12:00:00+08:00');
    const [right] = answerer.rank('sofarpc 服务能用 feign 调吗', now).matches;
    expect(right?.entry.id).toBe('faq/rpc-fegin');
    // As well matched as when the question makes the same typo as the entry.
    const [typed] = answerer.rank('sofarpc 服务能用 fegin 调吗', now).matches;
    expect(typed?.entry.id).toBe('faq/rpc-fegin');
    expect(right?.features).toEqual(typed?.features);
    expect(right?.score).toBe(typed?.score);
  });
});

describe('a question that mistypes a word the vocabulary folds', () => {
  // "commit" is read as 提交 (config/synonyms.yaml), so the index holds no "commit" to correct to:
  // the corrector also knows the spellings the vocabulary folds.
  const FILES = {
    'faq/tcc-commit.md': `---\nquestion: "为何 TCC 模式的分支事务 commit 需要同步呢？"\nproject: Seata\n---\n二阶段的 commit 同步执行才能保证一致。\n`,
    'faq/tcc-async.md': `---\nquestion: "分支事务被回滚是同步还是异步的？"\nproject: Seata\n---\n异步的。\n`,
    'faq/rpc-timeout.md': `---\nquestion: "SOFARPC 怎么设置调用超时时间？"\nproject: SOFARPC\n---\n在 consumer 上配置 timeout 属性。\n`,
  };

  it('corrects it to that spelling and reads it as the folded word', async () => {
    const { answerer } = await loadFixture(FILES);
    const now = new Date('2024-05-20T12:00:00+08:00');
    const [typed] = answerer.rank('TCC 分支 comit 为什么要同步', now).matches;
    const [spelled] = answerer.rank('TCC 分支 commit 为什么要同步', now).matches;
    expect(typed?.entry.id).toBe('faq/tcc-commit');
    expect(typed?.features).toEqual(spelled?.features);
  });
});
