import { afterEach, describe, expect, it } from 'vitest';
import { createRobotClient } from '../../src/dingtalk/create-robot-client.js';
import { createAccessTokens } from '../../src/dingtalk/create-access-tokens.js';
import { DingTalkApiError } from '../../src/dingtalk/dingtalk-api-error.js';
import { DingTalkNetworkError } from '../../src/dingtalk/dingtalk-network-error.js';
import { ROBOT_NOT_IN_GROUP_CODE } from '../../src/dingtalk/is-robot-gone-answer.js';
import type { AppRobotTarget, RobotClient, RobotMessage, SendJournal } from '../../src/dingtalk/robot-client.js';
import { createLogger } from '../../src/logger.js';
import { APP_SEND_PATH, startFakeDingTalk, type FakeApp, type FakeDingTalk } from '../helpers/fake-dingtalk.js';

// The app robot's group sends (protocol reference §5) through the one robot client, against the
// fake's token and groupMessages/send endpoints.

const APP = { appKey: 'dingappkeytest', appSecret: 'app-secret-do-not-log-0123456789' } as const;
const GROUP_A: AppRobotTarget = { group: 'Group A', openConversationId: 'cidGroupA==' };
const GROUP_B: AppRobotTarget = { group: 'Group B', openConversationId: 'cidGroupB==' };
const message = (text: string): RobotMessage => ({ msgtype: 'markdown', markdown: { title: '周报', text } });

let fake: FakeDingTalk | undefined;
const clients: RobotClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await fake?.close();
  fake = undefined;
});

function journal() {
  const calls: string[] = [];
  const record: SendJournal = {
    attempting: () => Promise.resolve(void calls.push('attempting')),
    notPosted: () => Promise.resolve(void calls.push('notPosted')),
  };
  return { calls, record };
}

async function setUp(options: { app?: Partial<FakeApp>; now?: () => number; timeoutMs?: number } = {}) {
  const lines: string[] = [];
  const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
  fake = await startFakeDingTalk({ app: { ...APP, ...options.app }, ...(options.now ? { now: options.now } : {}) });
  const now = options.now ?? Date.now;
  const tokens = createAccessTokens({ openapiBase: fake.url, ...APP, logger, now });
  const client = createRobotClient({
    apiBase: fake.url,
    logger,
    now,
    timeoutMs: options.timeoutMs ?? 2000,
    retry: { baseDelayMs: 10, maxDelayMs: 20 },
    appRobot: { openapiBase: fake.url, robotCode: APP.appKey, tokens },
  });
  clients.push(client);
  return { fake, client, tokens, lines };
}

describe('app-robot group sends', () => {
  it('posts sampleMarkdown with the app key as robotCode and the fetched token, one token for every send', async () => {
    const { fake, client, tokens } = await setUp();
    await Promise.all([client.send(GROUP_A, message('第一条')), client.send(GROUP_B, message('第二条')), client.send(GROUP_A, message('第三条'))]);
    expect(fake.tokenRequests()).toHaveLength(1);
    expect(tokens.fetches()).toBe(1);
    const [token] = fake.tokenRequests().map((r) => JSON.parse(r.rawBody) as unknown);
    expect(token).toEqual({ appKey: APP.appKey, appSecret: APP.appSecret });
    const sends = fake.appSends();
    expect(sends).toHaveLength(3);
    expect(sends.every((r) => r.reply.accepted)).toBe(true);
    const first = sends.find((r) => r.rawBody.includes('第一条'));
    expect(first?.json).toEqual({ robotCode: APP.appKey, openConversationId: GROUP_A.openConversationId, msgKey: 'sampleMarkdown', msgParam: JSON.stringify({ title: '周报', text: '第一条' }) });
    expect(first?.headers['x-acs-dingtalk-access-token']).toMatch(/^fake-access-token-1-/);
  });

  it('fetches a new token shortly before the old one expires, not before', async () => {
    let time = Date.now();
    // 400 s tokens, replaced 5 minutes before expiry: the first is used for 100 s.
    const { fake, client } = await setUp({ app: { tokenTtlSeconds: 400 }, now: () => time });
    await client.send(GROUP_A, message('at 0 s'));
    time += 99_000;
    await client.send(GROUP_A, message('at 99 s'));
    expect(fake.tokenRequests()).toHaveLength(1);
    time += 2_000;
    await client.send(GROUP_A, message('at 101 s'));
    expect(fake.tokenRequests()).toHaveLength(2);
    const tokensUsed = new Set(fake.appSends().map((r) => r.headers['x-acs-dingtalk-access-token']));
    expect(tokensUsed.size).toBe(2);
  });

  it('refreshes the token once and resends once when DingTalk calls it invalid', async () => {
    const { fake, client } = await setUp();
    await client.send(GROUP_A, message('before'));
    fake.revokeTokens();
    const { calls, record } = journal();
    await client.send(GROUP_A, message('after the revocation'), record);
    expect(fake.tokenRequests()).toHaveLength(2);
    expect(fake.appSends().map((r) => r.reply.code ?? 'ok')).toEqual(['ok', 'InvalidAuthentication', 'ok']);
    expect(calls).toEqual(['attempting', 'attempting']);

    // Refused again after the refresh: no third request, and the refusal is reported.
    fake.script([{ code: 'InvalidAuthentication' }, { code: 'InvalidAuthentication' }], APP_SEND_PATH);
    const refused = await client.send(GROUP_A, message('refused twice')).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(DingTalkApiError);
    expect(fake.appSends()).toHaveLength(5);
    expect(fake.tokenRequests()).toHaveLength(3);
  });

  it('retries HTTP 500s (nothing was posted) and journals each attempt', async () => {
    const { fake, client } = await setUp();
    fake.script([{ status: 500 }, { status: 500 }], APP_SEND_PATH);
    const { calls, record } = journal();
    const receipt = await client.send(GROUP_A, message('after two 500s'), record);
    expect(receipt.attempts).toBe(3);
    expect(fake.delivered().filter((r) => r.path === APP_SEND_PATH)).toHaveLength(1);
    expect(calls).toEqual(['attempting', 'notPosted', 'attempting', 'notPosted', 'attempting']);
  });

  it('does not resend after a timeout: the message may be in the chat, and a resend would post it twice', async () => {
    const { fake, client, lines } = await setUp({ timeoutMs: 200 });
    fake.script([{ delayMs: 600 }], APP_SEND_PATH);
    const { calls, record } = journal();
    const error = await client.send(GROUP_A, message('slow answer'), record).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DingTalkNetworkError);
    expect((error as DingTalkNetworkError).kind).toBe('timeout');
    expect(fake.appSends()).toHaveLength(1);
    // The fake posted it before answering late: once in the chat, and "attempted" left on record.
    expect(fake.delivered()).toHaveLength(1);
    expect(calls).toEqual(['attempting']);
    expect(lines.some((l) => l.includes('may or may not be posted'))).toBe(true);
  });

  it('reports a group the robot is not in with its code, without retrying', async () => {
    const { fake, client } = await setUp({ app: { groups: [GROUP_A.openConversationId] } });
    const error = await client.send(GROUP_B, message('not a member')).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DingTalkApiError);
    expect((error as DingTalkApiError).errcode).toBe(ROBOT_NOT_IN_GROUP_CODE);
    expect(fake.appSends()).toHaveLength(1);
  });

  it('refuses a msgParam over 15,000 bytes before sending anything', async () => {
    const { fake, client } = await setUp();
    await expect(client.send(GROUP_A, message('字'.repeat(5001)))).rejects.toThrow(RangeError);
    expect(fake.requests).toHaveLength(0);
  });

  it('never writes the token or the app secret to a log line or an error', async () => {
    const { fake, client, lines } = await setUp({ timeoutMs: 200 });
    await client.send(GROUP_A, message('one'));
    fake.revokeTokens();
    fake.script([{ status: 500 }], APP_SEND_PATH);
    await client.send(GROUP_A, message('two'));
    fake.script([{ delayMs: 600 }], APP_SEND_PATH);
    const error = await client.send(GROUP_A, message('three')).then(
      () => 'sent',
      (err: unknown) => (err instanceof Error ? err.message : 'not an Error'),
    );
    const tokens = fake.appSends().map((r) => String(r.headers['x-acs-dingtalk-access-token']));
    const text = [...lines, error].join('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const secret of [APP.appSecret, ...tokens]) expect(text).not.toContain(secret);
  });
});
