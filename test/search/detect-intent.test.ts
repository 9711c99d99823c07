import { describe, expect, it } from 'vitest';
import { detectIntent } from '../../src/search/detect-intent.js';
import { normalizeText } from '../../src/search/normalize-text.js';

describe('detectIntent', () => {
  it.each([
    ['SOFARPC 5.7.6 更新了什么', 'release'],
    ['v1.2 修了哪些 bug', 'release'],
    ['Seata 最新版本', 'latest-release'],
    ['SOFAArk 最近一次发版是哪个版本？', 'latest-release'],
    ['What is the latest release of MOSN?', 'latest-release'],
    ['下次直播什么时候', 'event'],
    ['最近有什么活动', 'event'],
    ['有没有讲 Seata Saga 的文章', 'reading'],
    ['jraft 支持 multi raft 吗', 'general'],
    ['直播回放里讲的 MOSN 热升级原理', 'general'],
  ])('%s → %s', (question, intent) => {
    expect(detectIntent(normalizeText(question))).toBe(intent);
  });
});
