// An archived follow-up ("那集群很大的时候要调大吗？") is about what its asker asked just before,
// which it leaves unsaid (FaqEntry.follows): those words count for how much of a question it
// covers, and barely for the search score. The knowledge is written for these tests.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Answerer } from '../../src/search/answer-types.js';
import { FIXTURE_NOW as now, loadFixture } from '../helpers/knowledge-fixture.js';

const POST = `---
title: "SOFA Weekly | 每周精选"
categories: "SOFA Weekly"
date: 2021-03-05T17:00:00+08:00
---

### 每周读者问答提炼

**1、@张三** 提问：

> SOFAJRaft 的 leader 选举超时时间怎么配置？

A：在 NodeOptions 里设置 electionTimeoutMs，默认 1000 毫秒。

> 那节点很多、网络抖动大的时候要调大吗？

A：要，适当调大可以避免频繁重新选主，但故障切换会变慢。

SOFAJRaft：[https://github.com/sofastack/sofa-jraft](https://github.com/sofastack/sofa-jraft)
`;

const FILES: Record<string, string> = {
  'weekly/2021-03-05-sofa-weekly.md': POST,
  'faq/mosn-jitter.md': '---\nquestion: MOSN 在网络抖动大的时候要调大连接超时吗？\nproject: MOSN\n---\n可以调大 connect_timeout。\n',
  'faq/jraft-nodes.md': '---\nquestion: SOFAJRaft 集群节点很多时怎么扩容？\nproject: SOFAJRaft\n---\n用 addPeer 逐个加入新节点。\n',
};

let answerer: Answerer;
beforeAll(async () => {
  ({ answerer } = await loadFixture(FILES));
});

const idOf = (question: string) => answerer.ask(question, now).matches[0]?.entry.id;

describe('an archived follow-up', () => {
  it('answers a question in its own words and those of the question before it', () => {
    const result = answerer.ask('节点多的时候 jraft 选举超时调大吗', now);
    expect(result.outcome).toBe('answer');
    expect(result.matches[0]?.entry.id).toMatch(/#qa-2$/);
  });

  it('never takes the place of the question it follows', () => {
    const result = answerer.ask('SOFAJRaft 的选举超时时间怎么配置', now);
    expect(result.outcome).toBe('answer');
    expect(result.matches[0]?.entry.id).toMatch(/#qa-1$/);
    const followUp = answerer.rank('SOFAJRaft 的选举超时时间怎么配置', now).matches.find((m) => m.entry.id.endsWith('#qa-2'));
    expect(followUp?.score ?? 0).toBeLessThan(0.7);
  });

  it('lends its earlier question to nothing else', () => {
    expect(idOf('MOSN 网络抖动大的时候要调大连接超时吗')).toBe('faq/mosn-jitter');
    expect(idOf('SOFAJRaft 集群节点很多时怎么扩容')).toBe('faq/jraft-nodes');
  });
});
