import { describe, expect, it } from 'vitest';
import { beyondRelease, detectForm, detectIntent } from '../../src/search/detect-intent.js';
import { normalizeText } from '../../src/search/normalize-text.js';

describe('detectIntent', () => {
  it.each([
    ['SOFARPC 5.7.6 更新了什么', 'release'],
    ['v1.2 修了哪些 bug', 'release'],
    ['Seata 最新版本', 'latest-release'],
    ['sofa-jraft 最新版', 'latest-release'],
    ['SOFAArk 最近一次发版是哪个版本？', 'latest-release'],
    ['What is the latest release of MOSN?', 'latest-release'],
    ['下次直播什么时候', 'event'],
    ['最近有什么活动', 'event'],
    ['有没有讲 Seata Saga 的文章', 'reading'],
    ['jraft 支持 multi raft 吗', 'general'],
    ['直播回放里讲的 MOSN 热升级原理', 'general'],
    // A version in a how-to question is context, not the subject.
    ['sofaboot 版本 v3.3.0，怎么使用 nacos 的命名空间', 'general'],
  ])('%s → %s', (question, intent) => {
    expect(detectIntent(normalizeText(question))).toBe(intent);
  });
});

describe('detectForm', () => {
  const form = (q: string) => detectForm(normalizeText(q));

  it('tells how-to questions, with Chinese and English wording', () => {
    expect(form('sofarpc 怎么设置超时时间').howTo).toBe(true);
    expect(form('How to add nodes to a jraft group?').howTo).toBe(true);
    expect(form('启动报错是怎么回事').howTo).toBe(false);
  });

  it('tells questions about changes, support and versions', () => {
    expect(form('SOFARPC 5.7.6 更新了什么')).toMatchObject({ asksChange: true, namesVersion: true });
    expect(form('Does seata support PostgreSQL?')).toMatchObject({ asksExistence: true, namesVersion: false, howTo: false });
    expect(form('sofaboot 会对 jdk11 做支持么')).toMatchObject({ asksExistence: true });
    // Any form of the verb: the passive is how English issue titles most often ask.
    expect(form('When will postgresql be supported?')).toMatchObject({ asksExistence: true });
    expect(form('Is mosn supporting istio 1.14')).toMatchObject({ asksExistence: true });
    expect(form('a supportive community')).toMatchObject({ asksExistence: false });
    expect(form('what changed in sofa-rpc after 5.7.6')).toMatchObject({ asksChange: true });
    expect(form('a changeable setting')).toMatchObject({ asksChange: false });
    expect(form('Multi jraft Group CPU usage is high')).toMatchObject({ howTo: false, asksChange: false, asksExistence: false });
  });
});

describe('beyondRelease', () => {
  const rest = (q: string) => beyondRelease(normalizeText(q)).replace(/[\s?？]+/g, ' ').trim();

  it('leaves nothing of a pure release question but its project', () => {
    expect(rest('SOFARPC 5.7.6 更新了什么')).toBe('sofarpc 了');
    expect(rest('SOFAArk 最近一次发版是哪个版本？')).toBe('sofaark 是');
  });

  it('keeps what a question asks beyond the release', () => {
    expect(rest('Seata 1.4.0 支持 XA 吗')).toContain('xa');
  });
});
