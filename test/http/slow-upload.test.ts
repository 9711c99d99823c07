import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeDingTalk } from '../helpers/fake-dingtalk.js';
import { groupMessage, signCallback, signedHeaders, startBotWithFake, type BotServer, type BotWithFake } from '../helpers/start-bot-server.js';

const BODY_TIMEOUT_MS = 300;
/** How long a client keeps sending before giving up on an answer: sending everything would take minutes. */
const GIVE_UP_MS = 4000;
const HUNDRED_MB = 100 * 1024 * 1024;
const PLAYGROUND_TOKEN = 'playground-test-token-0123456789';

let fake: FakeDingTalk;
let bot: BotServer;
let started: BotWithFake;

beforeAll(async () => {
  started = await startBotWithFake({ bodyTimeoutMs: BODY_TIMEOUT_MS, playgroundToken: PLAYGROUND_TOKEN });
  ({ fake, bot } = started);
});

afterAll(() => started.close());

interface Trickled {
  /** The response's status, undefined when none came before the client gave up. */
  status: number | undefined;
  responseHead: string;
  /** Body bytes the client had sent when the response arrived. */
  sentBeforeResponse: number;
  /** Whether the server closed the connection while the client was still sending. */
  closedWhileSending: boolean;
  /** From the headers to the response. */
  ms: number;
}

/**
 * A client on a real socket that POSTs headers (to the callback unless `path` says otherwise), then
 * the body `chunk` by `chunk` every `everyMs`, and goes on until the server closes the connection or
 * GIVE_UP_MS pass.
 */
function trickle(
  headers: Record<string, string>,
  { chunk, everyMs, chunked = false, path = '/dingtalk/callback' }: { chunk: Buffer; everyMs: number; chunked?: boolean; path?: string },
): Promise<Trickled> {
  const { port } = new URL(bot.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    const started = performance.now();
    let response = '';
    let sent = 0;
    let sentBeforeResponse = -1;
    let respondedAt = 0;
    const lines = Object.entries({ host: `127.0.0.1:${port}`, ...headers, ...(chunked ? { 'transfer-encoding': 'chunked' } : {}) }).map(([k, v]) => `${k}: ${v}`);
    socket.write(`POST ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
    const sending = setInterval(() => {
      if (performance.now() - started > GIVE_UP_MS) finish(false);
      else if (socket.writable) {
        socket.write(chunked ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]) : chunk);
        sent += chunk.length;
      }
    }, everyMs);
    const finish = (closed: boolean) => {
      clearInterval(sending);
      socket.destroy();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(response)?.[1];
      resolve({
        status: status === undefined ? undefined : Number(status),
        responseHead: response.split('\r\n\r\n')[0] ?? '',
        sentBeforeResponse,
        closedWhileSending: closed,
        ms: respondedAt - started,
      });
    };
    socket.on('data', (data: Buffer) => {
      if (sentBeforeResponse < 0) {
        sentBeforeResponse = sent;
        respondedAt = performance.now();
      }
      response += data.toString('latin1');
    });
    socket.on('end', () => finish(true));
    // A write after the server closed: the connection is gone either way.
    socket.on('error', () => finish(true));
  });
}

const body = () => Buffer.from(JSON.stringify(groupMessage('jraft 支持 multi raft 吗', fake.sessionWebhook('slow'))));
const contentType = { 'content-type': 'application/json; charset=utf-8' };

describe('a callback body sent slowly or too large', () => {
  it('is refused with 413 from its Content-Length, before any of it is read, and the connection closed', async () => {
    const result = await trickle({ ...signedHeaders(), 'content-length': String(HUNDRED_MB) }, { chunk: Buffer.alloc(1024, 0x20), everyMs: 20 });
    expect(result.status).toBe(413);
    expect(result.responseHead).toMatch(/\r\nconnection: close/i);
    expect(result.closedWhileSending).toBe(true);
    expect(result.sentBeforeResponse).toBeLessThan(64 * 1024);
    expect(result.ms).toBeLessThan(GIVE_UP_MS);
  });

  it('is refused with 413 as soon as a chunked body passes 64 KB, and the connection closed', async () => {
    const result = await trickle(signedHeaders(), { chunk: Buffer.alloc(16 * 1024, 0x20), everyMs: 10, chunked: true });
    expect(result.status).toBe(413);
    expect(result.closedWhileSending).toBe(true);
    // Some bytes are in flight when the 413 is written; nowhere near the whole upload.
    expect(result.sentBeforeResponse).toBeGreaterThan(64 * 1024);
    expect(result.sentBeforeResponse).toBeLessThan(2 * 1024 * 1024);
  });

  it.each([
    ['no signature headers', () => contentType],
    ['a wrong sign', () => ({ ...signedHeaders(), sign: signCallback(String(Date.now()), 'wrong-secret') })],
  ])('with %s is refused with 401 before its body is read, and the connection closed', async (_, headers) => {
    const result = await trickle({ ...headers(), 'content-length': String(HUNDRED_MB) }, { chunk: Buffer.alloc(1024, 0x20), everyMs: 20 });
    expect(result.status).toBe(401);
    expect(result.closedWhileSending).toBe(true);
    expect(result.sentBeforeResponse).toBeLessThan(64 * 1024);
    expect(result.ms).toBeLessThan(GIVE_UP_MS);
  });

  it('is cut with 408 when it has not all arrived within the body timeout, and the connection closed', async () => {
    const result = await trickle({ ...signedHeaders(), 'content-length': String(body().length) }, { chunk: Buffer.from('          '), everyMs: 50 });
    expect(result.status).toBe(408);
    expect(result.closedWhileSending).toBe(true);
    expect(result.ms).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 50);
    expect(result.ms).toBeLessThan(GIVE_UP_MS);
  });

  it.each([
    ['/playground/login', 'application/x-www-form-urlencoded'],
    ['/playground/api/ask', 'application/json'],
  ])('to %s is refused with 413 from its Content-Length too, unread, and the connection closed', async (path, type) => {
    const headers = { 'content-type': type, 'content-length': String(HUNDRED_MB), authorization: `Bearer ${PLAYGROUND_TOKEN}` };
    const result = await trickle(headers, { chunk: Buffer.alloc(1024, 0x20), everyMs: 20, path });
    expect(result.status).toBe(413);
    expect(result.closedWhileSending).toBe(true);
    expect(result.ms).toBeLessThan(GIVE_UP_MS);
  });

  it('to a path that takes no body gets its 404 with the connection closed, unread', async () => {
    const result = await trickle({ 'content-length': String(HUNDRED_MB) }, { chunk: Buffer.alloc(1024, 0x20), everyMs: 20, path: '/nowhere' });
    expect(result.status).toBe(404);
    expect(result.closedWhileSending).toBe(true);
    expect(result.ms).toBeLessThan(GIVE_UP_MS);
  });

  it('keeps the connection of a genuine callback read in full', async () => {
    const message = body();
    const { port } = new URL(bot.url);
    const head = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      let response = '';
      socket.on('error', reject);
      socket.on('data', (data: Buffer) => {
        response += data.toString('latin1');
        if (response.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(response.split('\r\n\r\n')[0] ?? '');
        }
      });
      const lines = Object.entries({ host: `127.0.0.1:${port}`, ...signedHeaders(), 'content-length': String(message.length) }).map(([k, v]) => `${k}: ${v}`);
      socket.write(`POST /dingtalk/callback HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
      socket.write(message);
    });
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(head).toMatch(/\r\nconnection: keep-alive/i);
  });
});
