import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createLogger } from '../../src/logger.js';
import { createStreamClient, type StreamClient, type StreamTiming } from '../../src/dingtalk/create-stream-client.js';
import { startFakeStreamGateway, ROBOT_TOPIC, type FakeGatewayOptions, type FakeStreamGateway, type OpenBehaviour } from '../helpers/fake-stream-gateway.js';
import { parseMetrics, sampleValue } from '../helpers/parse-metrics.js';

// The Stream client against the fake gateway on loopback. Timings are shortened where the test
// would otherwise wait out production intervals; the production defaults are used where they fit
// in a test (the reconnect after a drop).

interface Started {
  gateway: FakeStreamGateway;
  client: StreamClient;
  messages: unknown[];
  lines: string[];
  registry: Registry;
}

const running: Started[] = [];
afterEach(async () => {
  for (const { client, gateway } of running.splice(0)) {
    await client.close();
    await gateway.close();
  }
});

async function start(timing: Partial<StreamTiming> = {}, gatewayOptions: FakeGatewayOptions = {}, extra: { clientSecret?: string; refusals?: OpenBehaviour[]; random?: () => number } = {}): Promise<Started> {
  const gateway = await startFakeStreamGateway(gatewayOptions);
  gateway.refuse(extra.refusals ?? []);
  const lines: string[] = [];
  const messages: unknown[] = [];
  const registry = new Registry();
  const client = createStreamClient({
    openapiBase: gateway.url,
    clientId: gateway.clientId,
    clientSecret: extra.clientSecret ?? gateway.clientSecret,
    logger: createLogger('debug', { write: (line: string) => void lines.push(line) }),
    onRobotMessage: (payload, ack) => {
      messages.push(payload);
      ack();
    },
    registry,
    timing,
    ...(extra.random ? { random: extra.random } : {}),
  });
  const started = { gateway, client, messages, lines, registry };
  running.push(started);
  client.start();
  return started;
}

/** The `count`-th connection, once the client has answered a ping on it (so it counts itself connected). */
async function answering(gateway: FakeStreamGateway, count: number, timeoutMs?: number) {
  const connection = await gateway.waitForConnection(count, timeoutMs);
  await gateway.waitForAck(gateway.ping(connection));
  return connection;
}

const metric = async (registry: Registry, name: string, labels: Record<string, string> = {}) => sampleValue(parseMetrics(await registry.metrics()), `dingtalk_qa_bot_${name}`, labels);
const messagesOf = (lines: string[]) => lines.map((line) => (JSON.parse(line) as { msg: string }).msg);

describe('createStreamClient', () => {
  it('opens with the credentials and the robot subscription, acks a robot message at once, hands its payload on and answers pings', async () => {
    const { gateway, client, messages, registry } = await start();
    const connection = await answering(gateway, 1);
    expect(client.connected()).toBe(true);
    expect(gateway.opens[0]?.body).toMatchObject({
      clientId: gateway.clientId,
      clientSecret: gateway.clientSecret,
      subscriptions: [{ type: 'CALLBACK', topic: ROBOT_TOPIC }],
      ua: expect.any(String) as string,
    });

    const pushedAt = performance.now();
    const messageId = gateway.push({ msgId: 'msg1', text: { content: 'hi' } });
    const ack = await gateway.waitForAck(messageId);
    // Loose guard: the target is 100 ms; on loopback it takes about a millisecond.
    expect(ack.at - pushedAt).toBeLessThan(500);
    expect(ack.frame).toEqual({ code: 200, headers: { contentType: 'application/json', messageId }, message: 'OK', data: '{"response":null}' });
    await gateway.waitUntil(() => messages.length === 1, 'the message handed on');
    expect(messages).toEqual([{ msgId: 'msg1', text: { content: 'hi' } }]);

    const ping = gateway.ping(connection);
    const pong = await gateway.waitForAck(ping);
    expect(pong.frame).toMatchObject({ code: 200, message: 'OK', data: JSON.stringify({ opaque: ping }), headers: { messageId: ping, topic: 'ping' } });

    expect(await metric(registry, 'stream_connected')).toBe(1);
    expect(await metric(registry, 'stream_frames_total', { type: 'CALLBACK', topic: ROBOT_TOPIC })).toBe(1);
    expect(await metric(registry, 'stream_frames_total', { type: 'SYSTEM', topic: 'ping' })).toBe(2);
    expect(await metric(registry, 'stream_ack_duration_seconds_count')).toBe(1);
    expect(gateway.opens).toHaveLength(1);
  });

  it('reconnects within 3 s of a drop, with the production backoff, one connection at a time', async () => {
    const { gateway, registry } = await start();
    const first = await gateway.waitForConnection(1);
    const dropped = performance.now();
    gateway.drop(first);
    await gateway.waitForConnection(2, 5000);
    const ms = performance.now() - dropped;
    expect(ms).toBeLessThan(3000);
    expect(gateway.maxLive()).toBe(1);
    expect(await metric(registry, 'stream_reconnects_total', { cause: 'dropped' })).toBe(1);
  });

  it('connects after three refused opens (5xx, a cut socket) with four opens, backing off in between', async () => {
    const { gateway, registry } = await start({ reconnectBaseMs: 100 }, {}, { refusals: [{ status: 503 }, { drop: true }, { status: 502 }] });
    await gateway.waitForConnection(1, 30_000);
    const statuses = gateway.opens.map((o) => o.status);
    expect(statuses).toEqual([503, 0, 502, 200]);
    // Full jitter under 100, 200 and 400 ms: the gaps grow on average but any one may be short.
    const span = (gateway.opens[3]?.at ?? 0) - (gateway.opens[0]?.at ?? 0);
    expect(span).toBeLessThan(30_000);
    expect(await metric(registry, 'stream_reconnects_total', { cause: 'refused' })).toBe(3);
  });

  it('does not storm: opens that keep failing, or connections that close at once, are retried with growing delays', async () => {
    // Jitter pinned to the middle so the count cannot depend on a lucky run of short draws.
    const { gateway } = await start({ reconnectBaseMs: 100, reconnectMaxMs: 800 }, {}, { refusals: Array.from({ length: 100 }, () => ({ status: 500 })), random: () => 0.5 });
    const windowStart = performance.now();
    await gateway.waitUntil(() => gateway.opens.length >= 3, 'three opens');
    // Give a storm the time to show: a fixed retry timer would open dozens of times meanwhile.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1500 - (performance.now() - windowStart))));
    expect(gateway.opens.length).toBeLessThanOrEqual(8);
    expect(gateway.connections).toHaveLength(0);
  });

  it('replaces connections that close right after opening without a storm', async () => {
    const { gateway } = await start({ reconnectBaseMs: 100, reconnectMaxMs: 800 }, {}, { random: () => 0.5 });
    const windowStart = performance.now();
    for (let n = 1; performance.now() - windowStart < 1500; n++) {
      const connection = await gateway.waitForConnection(n, 5000).catch(() => undefined);
      if (!connection) break;
      gateway.drop(connection);
    }
    expect(gateway.opens.length).toBeGreaterThanOrEqual(2);
    expect(gateway.opens.length).toBeLessThanOrEqual(8);
    expect(gateway.maxLive()).toBe(1);
  });

  it('says once, naming DINGTALK_APP_KEY and DINGTALK_APP_SECRET, that the credentials were refused, and retries slowly without the secret in a line', async () => {
    const secret = 'wrong-secret-must-not-be-logged';
    const { gateway, lines } = await start({ unauthorizedRetryMs: 400, reconnectBaseMs: 10 }, {}, { clientSecret: secret });
    await gateway.waitUntil(() => gateway.opens.length >= 3, 'three opens', 10_000);
    expect(gateway.opens.map((o) => o.status).slice(0, 3)).toEqual([401, 401, 401]);
    // Slowly: each retry waits at least half of unauthorizedRetryMs, where other failures would not.
    const [a, b, c] = gateway.opens.map((o) => o.at);
    expect((b ?? 0) - (a ?? 0)).toBeGreaterThanOrEqual(190);
    expect((c ?? 0) - (b ?? 0)).toBeGreaterThanOrEqual(190);
    const errors = lines.filter((line) => (JSON.parse(line) as { level: string }).level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/HTTP 401.*DINGTALK_APP_KEY.*DINGTALK_APP_SECRET/);
    expect(lines.join('\n')).not.toContain(secret);
  });

  it('on disconnect opens the next connection first, keeps taking frames on the old one until it closes, and loses none', async () => {
    const { gateway, client, messages, registry } = await start({}, { disconnectCloseMs: 800 });
    const old = await answering(gateway, 1);
    const announced = performance.now();
    gateway.disconnect(old);
    const next = await gateway.waitForConnection(2, 5000);
    expect(performance.now() - announced).toBeLessThan(2000);
    expect(old.closedAt).toBeUndefined();
    // Pushed on the old connection in its last seconds, and on the new one: both are taken.
    const late = gateway.push({ msgId: 'late' }, { to: old });
    const fresh = gateway.push({ msgId: 'fresh' }, { to: next });
    await Promise.all([gateway.waitForAck(late), gateway.waitForAck(fresh)]);
    await gateway.waitUntil(() => messages.length === 2, 'both messages');
    expect(await gateway.waitForClose(old)).toBe(1000);
    expect(gateway.live()).toEqual([next]);
    expect(gateway.maxLive()).toBe(2);
    expect(client.connected()).toBe(true);
    expect(gateway.opens).toHaveLength(2);
    expect(await metric(registry, 'stream_reconnects_total', { cause: 'disconnect' })).toBe(1);
    expect(await metric(registry, 'stream_reconnects_total', { cause: 'dropped' })).toBe(0);
  });

  it('keeps a quiet connection whose pings are answered, and replaces a frozen one once it has been silent too long', async () => {
    const timing = { pingIntervalMs: 100, silenceTimeoutMs: 500 };
    const { gateway, registry, lines } = await start(timing);
    const first = await gateway.waitForConnection(1);
    // Quiet for twice the silence limit, but ponging: kept.
    await gateway.waitUntil(() => first.pings >= 10, 'ten pings');
    expect(gateway.connections).toHaveLength(1);

    const frozenAt = performance.now();
    gateway.freeze(first);
    await gateway.waitForConnection(2, 45_000);
    const ms = performance.now() - frozenAt;
    expect(ms).toBeGreaterThanOrEqual(400);
    expect(ms).toBeLessThan(45_000);
    expect(await metric(registry, 'stream_reconnects_total', { cause: 'silent' })).toBe(1);
    expect(messagesOf(lines)).toContain('stream connection silent (no frame, no pong): replacing it');
  });

  it('closes with code 1000 and opens nothing after close(), also when closed while backing off', async () => {
    const { gateway, client } = await start();
    const connection = await answering(gateway, 1);
    await client.close();
    expect(await gateway.waitForClose(connection)).toBe(1000);
    expect(client.connected()).toBe(false);

    const { gateway: refusing, client: waiting } = await start({ reconnectBaseMs: 60_000, reconnectMaxMs: 60_000 }, {}, { refusals: [{ status: 503 }] });
    await refusing.waitUntil(() => refusing.opens.length === 1, 'the refused open');
    const closing = performance.now();
    await waiting.close();
    expect(performance.now() - closing).toBeLessThan(1000);
    expect(refusing.opens).toHaveLength(1);
    expect(gateway.opens).toHaveLength(1);
  });
});
