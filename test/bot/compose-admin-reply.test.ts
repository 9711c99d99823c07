import { describe, expect, it } from 'vitest';
import { composeAdminReply } from '../../src/bot/compose-admin-reply.js';

const context = { mentionStaffId: 'admin007', askAt: { label: 'GitHub', url: 'https://github.com/sofastack' }, maxBytes: 20_000 };
const knowledge = {
  files: 12,
  entries: { faq: 5, release: 4, event: 2, reading: 1 },
  errors: Array.from({ length: 7 }, (_, i) => `knowledge/faq/bad-${i}.md:2: invalid YAML front matter`),
};

describe('composeAdminReply', () => {
  it('reports a reload with entries per kind and the first errors, and @s the admin', () => {
    const reply = composeAdminReply({ action: 'reload', knowledge, ms: 1234 }, context);
    expect(reply.title).toBe('知识库已重新加载');
    expect(reply.markdown).toContain('**知识库已重新加载**（1.2 秒）');
    expect(reply.markdown).toContain('知识库：12 个文件，问答 5 · 发布 4 · 活动 2 · 阅读 1');
    expect(reply.markdown).toContain('知识错误 7 个');
    expect(reply.markdown).toContain('- knowledge/faq/bad-4.md:2: invalid YAML front matter');
    expect(reply.markdown).not.toContain('bad-5.md');
    expect(reply.markdown).toContain('另有 2 个');
    expect(reply.atUserIds).toEqual(['admin007']);
  });

  it('shows file names, group names, errors and reasons as plain text: one line each, no link or heading', () => {
    const evil = 'knowledge/faq/x\n# 标题\n[link](https://evil.example) <img src=x>.md:2: invalid YAML front matter';
    const status = composeAdminReply(
      {
        action: 'status',
        knowledge: { ...knowledge, errors: [evil] },
        posts: { recent: [{ kind: 'digest', group: 'g\n[x](https://evil.example)', outcome: 'sent', when: '2024-05-31 18:00' }], outbox: 0 },
        unanswered: 0,
      },
      context,
    );
    expect(status.markdown).toContain('- knowledge/faq/x # 标题 【link】(https://evil.example) ＜img src=x＞.md:2: invalid YAML front matter');
    expect(status.markdown).toContain('→ g 【x】(https://evil.example)：已发送');
    expect(status.markdown).not.toMatch(/\[(?:link|x)\]|^# /m);
    const failed = composeAdminReply({ action: 'failed', failed: 'reload', reason: 'EACCES: /srv/k/[a](https://evil.example)\n# x' }, context);
    expect(failed.markdown).toContain('**重新加载失败**：EACCES: /srv/k/【a】(https://evil.example) # x');
  });

  it('shows an unconfirmed app-robot post and the subscribed groups in the status, group titles as plain text', () => {
    const reply = composeAdminReply(
      {
        action: 'status',
        knowledge,
        posts: { recent: [{ kind: 'reminder', group: 'Group A', outcome: 'unconfirmed', when: '2024-05-31 18:00' }], outbox: 0 },
        unanswered: 0,
        subscriptions: [
          { title: 'Group A', posts: ['digest', 'reminders'] },
          { title: '[x](https://evil.example)', posts: ['admin'] },
        ],
      },
      context,
    );
    expect(reply.markdown).toContain('- 2024-05-31 18:00 活动提醒 → Group A：未确认（可能已发出）');
    expect(reply.markdown).toContain('订阅推送的群：\n- Group A：周报、活动提醒\n- 【x】(https://evil.example)：管理通知');
    const none = composeAdminReply({ action: 'status', knowledge, posts: { recent: [], outbox: 0 }, unanswered: 0, subscriptions: [] }, context);
    expect(none.markdown).toContain('订阅推送的群：无（管理员在群里 @我 发送“订阅 周报”即可订阅）');
  });

  it('answers 订阅, 退订 and the list with what the group receives now', () => {
    const group = { openConversationId: 'cidA==', title: 'Group A' };
    const subscribed = composeAdminReply({ action: 'subscriptions', request: { change: 'subscribe', kinds: ['digest'], group }, posts: { digest: '2024-05-20 10:00', reminders: '2024-05-20 09:58' } }, context);
    expect(subscribed.markdown).toContain('**已订阅**：周报。之后到期的推送会由我发到本群，之前已到期的不会补发。\n\n本群现在收到：周报（2024-05-20 10:00 起）、活动提醒（2024-05-20 09:58 起）。');
    const left = composeAdminReply({ action: 'subscriptions', request: { change: 'unsubscribe', kinds: ['digest', 'reminders', 'admin'], group }, posts: {} }, context);
    expect(left.markdown).toContain('**已退订**：周报、活动提醒、管理通知。\n\n本群现在没有订阅任何推送。');
  });

  it('reports status: knowledge, recent posts, outbox depth and unanswered groups', () => {
    const reply = composeAdminReply(
      {
        action: 'status',
        knowledge: { ...knowledge, errors: [] },
        posts: {
          recent: [
            { kind: 'digest', group: 'community', outcome: 'sent', when: '2024-05-31 18:00' },
            { kind: 'reminder', group: 'meetups', outcome: 'missed', when: '2024-05-30 18:00' },
          ],
          outbox: 1,
        },
        unanswered: 3,
      },
      context,
    );
    expect(reply.markdown).toContain('知识错误：无');
    expect(reply.markdown).toContain('- 2024-05-31 18:00 周报 → community：已发送');
    expect(reply.markdown).toContain('- 2024-05-30 18:00 活动提醒 → meetups：错过');
    expect(reply.markdown).toContain('待发送的推送：1 条');
    expect(reply.markdown).toContain('未答问题：3 组（发送“待回答”查看）');
  });

  it('says what it could not read rather than failing the status', () => {
    const reply = composeAdminReply({ action: 'status', posts: { error: 'disk on fire' }, unanswered: 0 }, context);
    expect(reply.markdown).toContain('知识库：正在加载');
    expect(reply.markdown).toContain('推送记录：无法读取（disk on fire）');
    expect(reply.markdown).toContain('未答问题：0 组');
  });

  it('lists unanswered groups with counts, members\' words as plain text', () => {
    const reply = composeAdminReply(
      {
        action: 'unanswered',
        total: 12,
        groups: [
          { question: 'sofa-mosn 支持 http3 吗', count: 3, variants: 2, lastSeen: '2024-05-20' },
          { question: '看 [这里](https://evil.example) **快**', count: 1, variants: 0, lastSeen: '2024-05-19' },
        ],
      },
      context,
    );
    expect(reply.markdown).toContain('前 2 组，共 12 组');
    expect(reply.markdown).toContain('1. sofa-mosn 支持 http3 吗（3 次，另有 2 种问法，最近 2024-05-20）');
    expect(reply.markdown).toContain('2. 看 【这里】(https://evil.example) 快（1 次，最近 2024-05-19）');
    expect(composeAdminReply({ action: 'unanswered', total: 0, groups: [] }, context).markdown).toContain('目前没有记录到没答上的问题');
  });

  it('reports a failed command', () => {
    expect(composeAdminReply({ action: 'failed', failed: 'reload', reason: 'EACCES' }, context).markdown).toMatch(/^\*\*重新加载失败\*\*：EACCES/);
  });
});
