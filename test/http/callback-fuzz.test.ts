import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDingTalk, type FakeDingTalk } from '../helpers/fake-dingtalk.js';
import { startTrapServer, type TrapServer } from '../helpers/start-trap-server.js';
import { loadFixture } from '../helpers/knowledge-fixture.js';
import { groupMessage, signCallback, signedHeaders, startBotServer, type BotServer } from '../helpers/start-bot-server.js';

const REQUESTS = 10_000;
const CONCURRENCY = 16;

let fake: FakeDingTalk;
let bot: BotServer;
let trap: TrapServer;

beforeAll(async () => {
  fake = await startFakeDingTalk();
  trap = await startTrapServer();
  bot = await startBotServer(await loadFixture(), { sessionHosts: [new URL(fake.url).host] });
});

afterAll(async () => {
  await bot.close();
  await fake.close();
  await trap.close();
});

/** mulberry32: a small seeded PRNG, so a failing case can be replayed. */
function createRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FuzzCase {
  headers: Record<string, string>;
  body: string | Uint8Array;
}

function makeCases(random: () => number): FuzzCase[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const odd = [null, true, 0, -1, 1e308, '', ' ', '\u0000', '😀'.repeat(50), [], {}, [[[]]], { a: { b: { c: {} } } }, 'x'.repeat(5000), '%00', '../../etc/passwd', '<script>'];
  const webhooks = [
    () => fake.sessionWebhook(`f${Math.floor(random() * 50)}`),
    () => `${trap.url}/robot/sendBySession?session=x`,
    () => 'http://10.0.0.1/robot/sendBySession',
    () => 'https://oapi.dingtalk.com.evil.example/robot/sendBySession',
    () => 'http://169.254.169.254/latest/meta-data/',
    () => `${fake.url.replace('127.0.0.1', 'localhost')}/robot/sendBySession`,
    () => pick(odd),
  ];
  const replay = groupMessage('jraft 支持 multi raft 吗', fake.sessionWebhook('replayed'));
  const cases: FuzzCase[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const message: Record<string, unknown> = groupMessage(pick(['jraft 支持 multi raft 吗', '帮助', '活动', '最新版本 seata', 'SOFARPC 5.7.6', '', '🙏', 'x'.repeat(3000)]), webhooks[Math.floor(random() * webhooks.length)]?.() as string);
    const kind = Math.floor(random() * 10);
    let headers = signedHeaders();
    let body: string | Uint8Array;
    switch (kind) {
      case 0: // a field of the wrong type
        message[pick(Object.keys(message))] = pick(odd);
        body = JSON.stringify(message);
        break;
      case 1: // a field removed
        delete message[pick(Object.keys(message))];
        body = JSON.stringify(message);
        break;
      case 2: // huge strings, around and over the body limit
        message.text = { content: 'y'.repeat(Math.floor(random() * 80_000)) };
        body = JSON.stringify(message);
        break;
      case 3: // broken or missing signature headers
        headers = pick([
          { 'content-type': 'application/json' },
          { 'content-type': 'application/json', timestamp: 'abc', sign: 'abc' },
          { 'content-type': 'application/json', timestamp: String(Date.now() - 7_200_000), sign: signCallback(String(Date.now() - 7_200_000)) },
          { 'content-type': 'application/json', timestamp: String(Date.now() + 7_200_000), sign: signCallback(String(Date.now() + 7_200_000)) },
          { 'content-type': 'application/json', timestamp: String(Date.now()), sign: 'A'.repeat(44) },
          { 'content-type': 'application/json', timestamp: '9'.repeat(400), sign: '=' },
        ]);
        body = JSON.stringify(message);
        break;
      case 4: // replays of one genuine message
        body = JSON.stringify(replay);
        break;
      case 5: // odd encodings and content types
        headers = { ...headers, 'content-type': pick(['application/json; charset=utf-16', 'application/json; charset=koi8-r', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) };
        if (random() < 0.3) headers['content-encoding'] = pick(['gzip', 'deflate', 'br', 'identity', 'zstd']);
        body = JSON.stringify(message);
        break;
      case 6: // bytes that are not UTF-8, or not JSON at all
        body = Uint8Array.from({ length: Math.floor(random() * 2000) }, () => Math.floor(random() * 256));
        break;
      case 7: // JSON that is not an object, or deeply nested
        body = pick(['null', '[]', '42', '"text"', 'true', `${'['.repeat(5000)}${']'.repeat(5000)}`, `{"a":${'{"a":'.repeat(2000)}1${'}'.repeat(2001)}`]);
        break;
      case 8: // truncated JSON
        body = JSON.stringify(message).slice(0, Math.floor(random() * 200));
        break;
      default: // well-formed
        body = JSON.stringify(message);
    }
    cases.push({ headers, body });
  }
  return cases;
}

describe('callback fuzzing', () => {
  it(`survives ${REQUESTS} malformed or adversarial requests: no 5xx, no crash, no request outside the allow-list`, async () => {
    const cases = makeCases(createRandom(20261121));
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const fuzz = cases[next++] as FuzzCase;
        const response = await fetch(`${bot.url}/dingtalk/callback`, { method: 'POST', headers: fuzz.headers, body: fuzz.body });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await bot.http.idle();

    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(REQUESTS);
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    // Every kind of answer occurred, so the run exercised each path.
    for (const status of [200, 400, 401, 413]) expect(statuses.get(status), `status ${status}`).toBeGreaterThan(0);
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    const fakeHost = new URL(fake.url).host;
    expect(bot.outbound.length).toBeGreaterThan(0);
    expect(bot.outbound.filter((url) => new URL(url).host !== fakeHost)).toEqual([]);
    expect(trap.hits()).toBe(0);
    expect(fake.sessionReplies().filter((r) => r.query.session === 'replayed')).toHaveLength(1);
  }, 120_000);
});
