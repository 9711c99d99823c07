// What an archived question says before it asks weighs as its answer does (splitAsked, README
// "How the bot answers"): an entry that quotes a setting before asking about deadlocks is not the
// answer to every question about that setting. The knowledge is written for these tests.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Answerer } from '../../src/search/answer-types.js';
import { loadFixture } from '../helpers/knowledge-fixture.js';

const faq = (question: string, answer: string) => `---\nquestion: ${JSON.stringify(question)}\nproject: Seata\n---\n${answer}\n`;

const FILES: Record<string, string> = {
  'faq/quoted.md': faq(
    '文档里说：不开启 for update 时，Seata 遇到竞争锁不会重试，当前事务直接回滚；想重试就把 client.rm.lock.retryPolicyBranchRollbackOnConflict 设置为 false。请问这样设置会有死锁风险吗？',
    '会有。分支需要回滚时优先回滚会放弃锁，设为 false 时两个事务可能互相等待对方的锁。',
  ),
  'faq/retry-setting.md': faq('Seata 客户端的锁冲突重试怎么配置？', '用 client.rm.lock.retryInterval 和 retryTimes 配置重试间隔和次数。'),
  'faq/rollback-fail.md': faq('Seata 回滚失败一直重试怎么办？', '先查 undo_log 里的脏数据，人工修复后 TC 的重试就会成功。'),
};

let answerer: Answerer;
const now = new Date('2024-05-20T12:00:00+08:00');
beforeAll(async () => {
  ({ answerer } = await loadFixture(FILES));
});

describe('the context of an archived question', () => {
  it('does not make the entry that quotes it the answer to a question about what it quotes', () => {
    const result = answerer.ask('Seata 竞争锁重试怎么配置', now);
    expect(result.outcome).toBe('answer');
    expect(result.matches[0]?.entry.id).toBe('faq/retry-setting');
    const quoted = answerer.rank('Seata 竞争锁重试怎么配置', now).matches.find((m) => m.entry.id === 'faq/quoted');
    expect(quoted?.score).toBeLessThan(0.7);
  });

  it('still answers what the entry asks, in the words of its context', () => {
    const result = answerer.ask('retryPolicyBranchRollbackOnConflict 设为 false 会有死锁风险吗', now);
    expect(result.outcome).toBe('answer');
    expect(result.matches[0]?.entry.id).toBe('faq/quoted');
  });
});
