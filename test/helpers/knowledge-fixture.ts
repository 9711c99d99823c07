import { loadConfig, type Config } from '../../src/config/load-config.js';
import { loadKnowledge } from '../../src/knowledge/load-knowledge.js';
import type { Entry } from '../../src/knowledge/entry.js';
import { createAnswerer } from '../../src/search/create-answerer.js';
import type { Answerer } from '../../src/search/answer-types.js';
import { tempKnowledge } from './temp-knowledge.js';

const faq = (question: string, answer: string, extra = '') => `---\nquestion: ${question}\n${extra}---\n${answer}\n`;

/** A small knowledge base of every kind, written for the tests. */
export const FIXTURE_FILES: Record<string, string> = {
  'faq/multi-raft.md': faq('SOFAJRaft 支持 Multi-Raft 吗？', '支持，RheaKV 就是基于 multi raft group 实现的。', 'project: SOFAJRaft\nlinks:\n  - title: RheaKV 文档\n    url: https://example.org/rheakv\n'),
  'faq/global-lock.md': faq('Seata 的全局锁粒度是行级还是表级？', '全局锁是行级的，锁的是主键。', 'project: Seata\n'),
  'faq/saga-scene.md': faq('Seata Saga 模式适合什么场景？', '适合长事务和服务编排。', 'project: Seata\n'),
  'faq/tracer-sampling.md': faq('SOFATracer 的采样率怎么配置？', '通过 com.alipay.sofa.tracer.samplerPercentage 配置采样率。', 'project: SOFATracer\n'),
  'faq/mosn-listener.md': faq('MOSN 的一个 listener 能同时处理多种协议吗？', '可以，配置协议自动识别即可。', 'project: MOSN\n'),
  'releases/rpc-5.7.5.md': '---\nproject: SOFARPC\nversion: v5.7.5\ndate: 2020-08-01\n---\n- 修复泛化调用的问题\n',
  'releases/rpc-5.7.6.md': '---\nproject: SOFARPC\nversion: v5.7.6\ndate: 2020-09-01\nurl: https://example.org/rpc-5.7.6\n---\n- 支持 Hessian 黑名单\n- 升级 Netty\n',
  'releases/seata-1.3.0.md': '---\nproject: Seata\nversion: v1.3.0\ndate: 2020-07-14\n---\n- 支持多主键\n',
  'releases/seata-1.4.0.md': '---\nproject: Seata\nversion: 1.4.0\ndate: 2020-11-02\n---\n- 支持 yml 配置\n',
  'events/past.md': '---\ntitle: SOFAChannel#8 直播\nstart: 2024-05-01T19:00\nkind: live\n---\n',
  'events/next.md': '---\ntitle: SOFAChannel#40 直播\nstart: 2024-05-30T19:00\nkind: live\nurl: https://example.org/live/40\n---\n',
  'events/later.md': '---\ntitle: SOFA Meetup#20 上海站\nstart: 2024-06-15T13:00\nkind: meetup\n---\n',
  'reading/saga.md': '---\ntitle: Seata Saga 模式详解\nurl: https://example.org/saga\n---\n',
};

/** "Now" for fixture tests: after SOFAChannel#8, before #40. */
export const FIXTURE_NOW = new Date('2024-05-20T12:00:00+08:00');

export interface Fixture {
  config: Readonly<Config>;
  dir: string;
  entries: Entry[];
  answerer: Answerer;
}

export async function loadFixture(files: Record<string, string> = FIXTURE_FILES): Promise<Fixture> {
  const config = loadConfig({ CONFIG_DIR: 'config' });
  const dir = tempKnowledge(files);
  const { entries, problems } = await loadKnowledge({ dirs: [dir], zone: config.timezone, maxFileBytes: 1 << 20 });
  // Warnings are allowed: an archived post with mistyped links loads, with a warning per link.
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new Error(`fixture knowledge has errors: ${JSON.stringify(errors)}`);
  return { config, dir, entries, answerer: createAnswerer(entries, config) };
}
