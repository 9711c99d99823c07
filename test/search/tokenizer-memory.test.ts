import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../helpers/collect-garbage.js';

const MB = 1024 * 1024;

describe('the tokenizer\'s memory', () => {
  it('keeps no copy of jieba\'s dictionary file once jieba has built its own', async () => {
    await collectGarbage();
    const before = process.memoryUsage().arrayBuffers;
    // Imported here, not above: loading the module is part of what is measured.
    const { createTokenizer } = await import('../../src/search/create-tokenizer.js');
    expect(createTokenizer({ synonyms: [], terms: [] }).tokenize('服务注册中心')).toContain('注册');
    await collectGarbage();
    // The file is 5 MB; the package's dict.js also holds its 6 MB keyword table, unused here.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(2 * MB);
  });
});
