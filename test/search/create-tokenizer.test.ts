import { describe, expect, it } from 'vitest';
import { createTokenizer } from '../../src/search/create-tokenizer.js';

const tokenizer = createTokenizer({
  synonyms: [
    ['sofajraft', 'jraft', 'sofa-jraft', 'sofa jraft'],
    ['sofarpc', 'sofa rpc', 'sofa-rpc'],
    ['回滚', 'rollback'],
  ],
  glossary: [
    ['数据源', 'data source', 'datasource'],
    ['线程池', 'thread pool'],
    ['注册中心', 'registry center'],
  ],
  terms: ['防悬挂', '双模微服务'],
});
const { tokenize } = tokenizer;

describe('createTokenizer', () => {
  it('folds every spelling of a project to one word', () => {
    for (const spelling of ['SOFAJRaft', 'jraft', 'sofa-jraft', 'SOFA JRaft', 'ＪＲａｆｔ']) {
      expect(tokenize(`${spelling} 支持`)).toContain('sofajraft');
    }
    expect(tokenize('sofa rpc 和 SOFA-RPC')).toEqual(['sofarpc', 'sofarpc']);
  });

  it('folds English terms to the Chinese word they mean', () => {
    expect(tokenize('rollback 失败')).toContain('回滚');
  });

  it('folds glossary phrases, but not inside an identifier', () => {
    expect(tokenize('How to use a thread pool')).toContain('线程池');
    expect(tokenize('the data source is null')).toContain('数据源');
    expect(tokenize('seata-rm-datasource')[0]).toBe('seata-rm-datasource');
    expect(tokenize('seata-rm-data source')).not.toContain('数据源');
  });

  it('keeps compounds the segmenter knows whole: a glossary word does not outweigh them', () => {
    expect(tokenize('服务注册中心')).toContain('注册中心');
  });

  it('keeps community terms whole, as well as their parts', () => {
    expect(tokenize('seata 防悬挂怎么理解')).toContain('防悬挂');
    expect(tokenize('双模微服务是啥意思')).toContain('双模微服务');
  });

  it('drops chat filler and question words', () => {
    const words = tokenize('大佬们请教一下，jraft 支持 multi raft 吗？谢谢');
    expect(words).toEqual(expect.arrayContaining(['sofajraft', '支持', 'multi', 'raft']));
    for (const filler of ['大佬', '们', '请教', '一下', '吗', '谢谢']) expect(words).not.toContain(filler);
  });

  it('drops the words that ask for an explanation, which an archived question adds to what it asks', () => {
    // "防悬挂是怎么理解的？能简单说说吗？" asks what "seata 防悬挂怎么理解" asks.
    expect(tokenize('防悬挂是怎么理解的？能简单说说吗？')).toEqual(['悬挂', '防悬挂', '理解']);
    expect(tokenize('文档上有说，没看明白')).toEqual(['文档', '上']);
    // 跟 is 和 / 与: "MOSN 跟 Envoy 比" asks what "MOSN 与 Envoy 比" asks.
    expect(tokenize('MOSN 跟 Envoy')).toEqual(tokenize('MOSN 与 Envoy'));
  });

  it('keeps identifiers and versions whole and also indexes their parts', () => {
    expect(tokenize('vgroup_mapping')).toEqual(['vgroup_mapping', 'vgroup', 'mapping']);
    expect(tokenize('default.grouplist')).toEqual(['default.grouplist', 'default', 'grouplist']);
    expect(tokenize('升级到 5.7.0')).toEqual(expect.arrayContaining(['5.7.0', '升级']));
  });

  it('reads traditional characters like simplified ones', () => {
    expect(tokenize('全局鎖')).toEqual(tokenize('全局锁'));
  });

  it('gives nothing for noise', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize('🙏🙏 @robot ？？')).toEqual([]);
  });

  it('canonical() folds a single word', () => {
    expect(tokenizer.canonical('jraft')).toBe('sofajraft');
    expect(tokenizer.canonical('seata')).toBe('seata');
  });
});

describe('createTokenizer on hostile text', () => {
  it('reads long runs of separators in linear time, and still folds phrases around them', () => {
    // 20,000 dashes took about ten seconds when every dash rescanned the rest of the run for a phrase.
    for (const separator of ['-', '_', ' ']) expect(tokenize(separator.repeat(20_000))).toEqual([]);
    expect(tokenize(`sofa rpc${'-'.repeat(20_000)}sofa-rpc`)).toEqual(['sofarpc', 'sofarpc']);
  });
});
