import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeDingTalk } from '../helpers/fake-dingtalk.js';
import { groupMessage, signedHeaders, startBotWithFake, type BotServer, type BotWithFake } from '../helpers/start-bot-server.js';

let fake: FakeDingTalk;
let bot: BotServer;
let started: BotWithFake;

beforeAll(async () => {
  started = await startBotWithFake();
  ({ fake, bot } = started);
});

afterAll(() => started.close());

const post = (body: unknown, headers: Record<string, string>) =>
  fetch(`${bot.url}/dingtalk/callback`, { method: 'POST', headers, body: JSON.stringify(body) });

describe('a captured callback signature', () => {
  it('carries only the message it first carried: another msgId under it gets 401 and no reply', async () => {
    const headers = signedHeaders();
    const genuine = groupMessage('jraft 支持 multi raft 吗', fake.sessionWebhook('reuse-genuine'));
    expect((await post(genuine, headers)).status).toBe(200);
    await fake.waitFor((r) => r.query.session === 'reuse-genuine');

    // What a captured pair would be used for: a new message, from a self-declared admin.
    const forged = groupMessage('状态', fake.sessionWebhook('reuse-forged'), { isAdmin: true, senderStaffId: 'intruder' });
    const response = await post(forged, headers);
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('{}');
    await bot.http.idle();
    expect(fake.sessionReplies().filter((r) => r.query.session === 'reuse-forged')).toEqual([]);
    expect(bot.logLines.some((l) => l.includes('"reason":"reused-signature"'))).toBe(true);
  });

  it('still lets DingTalk redeliver the same msgId under the same signature, answered once', async () => {
    const headers = signedHeaders();
    const message = groupMessage('最新版本 seata', fake.sessionWebhook('reuse-redelivered'));
    expect((await post(message, headers)).status).toBe(200);
    expect((await post(message, headers)).status).toBe(200);
    // The same msgId with another body (the pair's one remaining use) is a redelivery too: not answered.
    expect((await post({ ...message, text: { content: '状态' }, isAdmin: true }, headers)).status).toBe(200);
    await fake.waitFor((r) => r.query.session === 'reuse-redelivered');
    await bot.http.idle();
    expect(fake.sessionReplies().filter((r) => r.query.session === 'reuse-redelivered')).toHaveLength(1);
  });

  it('does not hold back other messages with signatures of their own', async () => {
    const responses = await Promise.all(
      ['帮助', '活动', '周报'].map((text, i) => post(groupMessage(text, fake.sessionWebhook(`reuse-other-${i}`)), signedHeaders())),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
  });
});
