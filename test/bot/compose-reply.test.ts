import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeAnswerReply } from '../../src/bot/compose-reply.js';
import type { ReleaseEntry } from '../../src/knowledge/entry.js';
import { importWeeklyPost } from '../../src/knowledge/import-weekly/index.js';
import { parseFrontMatter } from '../../src/knowledge/parse-front-matter.js';

const POST = '2019-08-02-sofa-weekly-20190802.md';
const CONTEXT = { askAt: { label: 'issues', url: 'https://example.org/issues' }, maxBytes: 20_000 };

function archived() {
  const fm = parseFrontMatter(readFileSync(new URL(`../fixtures/weekly/${POST}`, import.meta.url), 'utf8'));
  return importWeeklyPost({ file: `weekly/${POST}`, idPrefix: 'w', data: fm.data, body: fm.body, bodyLine: fm.bodyLine, zone: 'Asia/Shanghai' }).entries;
}

describe('links to archived entries in lists', () => {
  const [tracer, rpc, seata] = archived();
  const POST_URL = 'https://www.sofastack.tech/blog/sofa-weekly-20190802/';

  it('"did you mean" lists numbered one-line questions to pick by number, with no links to follow instead', () => {
    const matches = [tracer, rpc].map((entry) => ({ entry: entry!, score: 0.4 }));
    const reply = composeAnswerReply({ outcome: 'suggest', intent: 'general', matches }, CONTEXT);
    expect(reply.markdown).toContain('1. SOFATracer 能和 Dubbo 一起用吗？\n2. SOFARPC 的泛化调用怎么写？');
    expect(reply.markdown).not.toContain('](');
  });

  it('related questions link an entry whose url is a bare repository home page to its post, and keep a specific url', () => {
    const matches = [rpc, seata, tracer].map((entry) => ({ entry: entry!, score: 0.9 }));
    const reply = composeAnswerReply({ outcome: 'answer', intent: 'general', matches }, CONTEXT);
    expect(reply.markdown).toContain(`相关问题：\n- [Seata 的 AT 模式会锁表吗？](http://seata.example.org/docs/at)\n- [SOFATracer 能和 Dubbo 一起用吗？](${POST_URL})\n`);
  });
});

describe('how old an answer is', () => {
  const [tracer] = archived();
  const answer = (context: Partial<Parameters<typeof composeAnswerReply>[1]>) =>
    composeAnswerReply({ outcome: 'answer', intent: 'general', matches: [{ entry: tracer!, score: 0.9 }] }, { ...CONTEXT, ...context }).markdown;

  it('says when an answer older than staleAfterYears was given', () => {
    expect(answer({ now: new Date('2026-12-03T00:00:00Z'), staleAfterYears: 2 })).toContain('> 这是 2019-08-02 的回答，距今约 7 年，项目可能已有变化。');
  });

  it('says nothing for a recent answer, or with the setting at 0', () => {
    expect(answer({ now: new Date('2020-06-01T00:00:00Z'), staleAfterYears: 2 })).not.toContain('距今');
    expect(answer({ now: new Date('2026-12-03T00:00:00Z') })).not.toContain('距今');
  });
});

describe('release dates', () => {
  const release: ReleaseEntry = { id: 'releases/rpc-5.7.6', kind: 'release', title: 'SOFARPC v5.7.6', project: 'SOFARPC', version: '5.7.6', body: '- 修复', links: [], tags: [], date: '2020-10-02', source: { file: 'r.md', line: 1 } };
  const reply = (intent: 'release' | 'general' | 'latest-release') =>
    composeAnswerReply({ outcome: 'answer', intent, matches: [{ entry: release, score: 0.9 }] }, { ...CONTEXT, now: new Date('2026-12-03T00:00:00Z') }).markdown;

  it('calls a release the newest only when the newest was asked for', () => {
    expect(reply('latest-release')).toContain('这是知识库里记录的最新版本，发布于 2020-10-02');
    // Found by search, or picked from a list: just its date.
    for (const intent of ['release', 'general'] as const) {
      expect(reply(intent)).toContain('发布于 2020-10-02，约 6 年前。');
      expect(reply(intent)).not.toContain('最新版本');
    }
  });
});
