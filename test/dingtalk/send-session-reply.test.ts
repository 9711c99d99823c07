import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Agent, errors } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSessionReplies, SessionReplyError } from '../../src/dingtalk/send-session-reply.js';
import type { BotReply } from '../../src/bot/compose-reply.js';
import { startFakeDingTalk, type FakeDingTalk } from '../helpers/fake-dingtalk.js';
import { startTrapServer, type TrapServer } from '../helpers/start-trap-server.js';

const SESSION = 'session-token-must-stay-secret';
const reply: BotReply = { title: 'SOFARPC', markdown: '**SOFARPC 5.7.6** 修复了若干问题\n\n@user0042', atUserIds: ['user0042'] };

let fake: FakeDingTalk;
let trap: TrapServer;

beforeAll(async () => {
  fake = await startFakeDingTalk();
  trap = await startTrapServer();
});

afterEach(() => fake.reset());

afterAll(async () => {
  await fake.close();
  await trap.close();
});

/** The error a send rejects with; fails the test if it resolves or rejects with anything else. */
async function failure(send: Promise<void>): Promise<SessionReplyError> {
  const err: unknown = await send.then(
    () => expect.unreachable('the send should have failed'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SessionReplyError);
  const error = err as SessionReplyError;
  expect(error.message).not.toContain(SESSION);
  expect(error.message).not.toContain('127.0.0.1');
  return error;
}

describe('createSessionReplies', () => {
  it('posts the reply once, as DingTalk markdown that @-mentions the asker', async () => {
    await createSessionReplies({ timeoutMs: 2000 }).send(fake.sessionWebhook(SESSION), reply);
    const [posted, ...more] = fake.sessionReplies();
    expect(more).toEqual([]);
    expect(posted?.query.session).toBe(SESSION);
    expect(posted?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(posted?.json).toEqual({
      msgtype: 'markdown',
      markdown: { title: 'SOFARPC', text: reply.markdown },
      at: { atUserIds: ['user0042'], isAtAll: false },
    });
    expect(posted?.reply.accepted).toBe(true);
  });

  it('reports an errcode, retryable only for -1 (busy)', async () => {
    const replies = createSessionReplies({ timeoutMs: 2000 });
    fake.script([{ errcode: 300001, errmsg: 'session 不存在' }, { errcode: -1, errmsg: 'system busy' }], '/robot/sendBySession');
    const gone = await failure(replies.send(fake.sessionWebhook(SESSION), reply));
    expect(gone.message).toBe('session reply refused: errcode 300001 session 不存在');
    expect(gone.retryable).toBe(false);
    const busy = await failure(replies.send(fake.sessionWebhook(SESSION), reply));
    expect(busy.retryable).toBe(true);
  });

  it('takes a 5xx and a dropped connection as worth another try, a 4xx and a redirect as not', async () => {
    const replies = createSessionReplies({ timeoutMs: 2000 });
    fake.script([{ status: 502 }, { drop: true }, { status: 404 }, { status: 302 }], '/robot/sendBySession');
    const outcomes = [];
    for (let i = 0; i < 4; i++) {
      const err = await failure(replies.send(fake.sessionWebhook(SESSION), reply));
      outcomes.push([err.message, err.retryable]);
    }
    expect(outcomes).toEqual([
      ['session reply failed: HTTP 502', true],
      ['session reply failed: UND_ERR_SOCKET', true],
      ['session reply failed: HTTP 404', false],
      ['session reply failed: HTTP 302', false],
    ]);
    expect(fake.sessionReplies()).toHaveLength(4);
  });

  it('gives up after the timeout and does not retry, since the first post may have arrived', async () => {
    // undici checks its timeouts on a half-second tick, so a 300 ms timeout fires within about a second.
    fake.script([{ delayMs: 4000 }], '/robot/sendBySession');
    const started = performance.now();
    const err = await failure(createSessionReplies({ timeoutMs: 300 }).send(fake.sessionWebhook(SESSION), reply));
    expect(performance.now() - started).toBeLessThan(2500);
    expect(err.message).toBe('session reply failed: UND_ERR_HEADERS_TIMEOUT');
    expect(err.retryable).toBe(false);
  });

  it('takes a refused connection as worth another try', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const err = await failure(createSessionReplies({ timeoutMs: 2000 }).send(`http://127.0.0.1:${port}/robot/sendBySession?session=${SESSION}`, reply));
    expect(err).toMatchObject({ message: 'session reply failed: ECONNREFUSED', retryable: true });
  });

  it('takes a connection not made in time as worth another try: nothing was sent', async () => {
    // A connector that times out as undici's own does when a host never answers the handshake.
    const unreachable = new Agent({ connect: (_options, callback) => callback(new errors.ConnectTimeoutError(), null) });
    const err = await failure(createSessionReplies({ dispatcher: unreachable, timeoutMs: 2000 }).send(fake.sessionWebhook(SESSION), reply));
    expect(err).toMatchObject({ message: 'session reply failed: UND_ERR_CONNECT_TIMEOUT', retryable: true });
    expect(fake.sessionReplies()).toEqual([]);
  });

  it('goes straight to the webhook, never through a proxy named in the environment', async () => {
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy };
    process.env.HTTP_PROXY = trap.url;
    process.env.http_proxy = trap.url;
    try {
      await createSessionReplies({ timeoutMs: 2000 }).send(fake.sessionWebhook(SESSION), reply);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect(fake.sessionReplies()).toHaveLength(1);
    expect(trap.hits()).toBe(0);
  });
});
