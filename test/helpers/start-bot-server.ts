import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Agent } from 'undici';
import { createHttpApp, type HttpApp } from '../../src/http/create-http-app.js';
import { createSessionReplies } from '../../src/dingtalk/send-session-reply.js';
import { createLogger } from '../../src/logger.js';
import { createMessageDeduper } from '../../src/state/create-message-deduper.js';
import { createFileSuggestions } from '../../src/state/create-file-suggestions.js';
import { tempKnowledge } from './temp-knowledge.js';
import { combine } from '../../src/knowledge/load-knowledge.js';
import { summarizeKnowledge } from '../../src/knowledge/summarize-knowledge.js';
import { loadFixture, type Fixture } from './knowledge-fixture.js';
import { startFakeDingTalk, type FakeDingTalk } from './fake-dingtalk.js';
import type { AnswerSource } from '../../src/search/answer-types.js';
import type { Metrics } from '../../src/metrics/create-metrics.js';

export const APP_SECRET = 'test-app-secret-do-not-use';

export interface BotServer {
  url: string;
  http: HttpApp;
  /** Every URL the bot's HTTP client was asked to request. */
  outbound: string[];
  logLines: string[];
  close(): Promise<void>;
}

export interface BotServerOptions {
  sessionHosts: string[];
  robotCode?: string;
  now?: () => number;
  /** Instead of the fixture's engine. */
  answerer?: AnswerSource;
  /** Served at /metrics; without it /metrics is 404. */
  metrics?: Metrics;
  metricsToken?: string;
  /** Serves the playground with this token. */
  playgroundToken?: string;
  /** How long a request body may take; the app's default (10 s) otherwise. */
  bodyTimeoutMs?: number;
}

/** The real Express app on 127.0.0.1 with fixture knowledge; outbound requests are recorded, not faked. */
export async function startBotServer(fixture: Fixture, options: BotServerOptions): Promise<BotServer> {
  const logLines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void logLines.push(line) });
  const outbound: string[] = [];
  const recording = new Agent({ connect: { timeout: 2000 } }).compose((dispatch) => (request, handler) => {
    outbound.push(new URL(request.path, request.origin).href);
    return dispatch(request, handler);
  });
  const knowledge = combine([{ file: fixture.dir, entries: fixture.entries, problems: [] }]);
  const summary = summarizeKnowledge(knowledge);
  const http = createHttpApp({
    serving: () => ({ knowledge, summary, answerer: options.answerer ?? fixture.answerer }),
    dingtalk: { appSecret: APP_SECRET, robotCode: options.robotCode, signatureWindowMs: 3_600_000, sessionHosts: options.sessionHosts },
    deduper: createMessageDeduper(7_200_000),
    suggestions: createFileSuggestions(tempKnowledge({})),
    replies: createSessionReplies({ dispatcher: recording, timeoutMs: 2000 }),
    now: options.now ?? (() => Date.now()),
    logger,
    digest: { zone: fixture.config.timezone, eventsAheadDays: fixture.config.digest.eventsAheadDays },
    admins: fixture.config.admins.staffIds,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    metricsToken: options.metricsToken,
    ...(options.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: options.bodyTimeoutMs }),
    ...(options.playgroundToken
      ? { playground: { token: options.playgroundToken, thresholds: { answer: fixture.config.search.answerThreshold, suggest: fixture.config.search.suggestThreshold } } }
      : {}),
  });
  const server: Server = await new Promise((resolve) => {
    const s = http.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    http,
    outbound,
    logLines,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** DingTalk's callback signature, computed independently of the code under test. */
export function signCallback(timestamp: string, secret = APP_SECRET): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

let lastTimestamp = 0;
/**
 * Headers of a genuine callback sent now. Each call without `nowMs` gets a millisecond of its own,
 * so two test messages never share a signature: the bot accepts a signature for one msgId only.
 */
export function signedHeaders(nowMs?: number): Record<string, string> {
  lastTimestamp = nowMs ?? Math.max(Date.now(), lastTimestamp + 1);
  const timestamp = String(lastTimestamp);
  return { 'content-type': 'application/json; charset=utf-8', timestamp, sign: signCallback(timestamp) };
}

let counter = 0;
/** A group text message as DingTalk sends it, with a fresh msgId. */
export function groupMessage(text: string, sessionWebhook: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    msgtype: 'text',
    text: { content: ` ${text}` },
    msgId: `msgTest${counter}-${Date.now()}==`,
    createAt: Date.now(),
    conversationType: '2',
    conversationId: 'cidGroupTest==',
    conversationTitle: 'Community Q&A',
    senderNick: 'Li Lei',
    senderStaffId: 'user0042',
    isAdmin: false,
    chatbotUserId: '$:LWCP_v1:$robot',
    isInAtList: true,
    sessionWebhook,
    sessionWebhookExpiredTime: Date.now() + 5_400_000,
    robotCode: 'dingrobottest',
    ...overrides,
  };
}

export interface BotWithFake {
  fixture: Fixture;
  fake: FakeDingTalk;
  /** Replies only to the fake's host. */
  bot: BotServer;
  close(): Promise<void>;
}

/** The fixture's bot with a fake DingTalk to reply to, for a test file's beforeAll. */
export async function startBotWithFake(options: Omit<BotServerOptions, 'sessionHosts'> = {}): Promise<BotWithFake> {
  const fixture = await loadFixture();
  const fake = await startFakeDingTalk();
  const bot = await startBotServer(fixture, { sessionHosts: [new URL(fake.url).host], ...options });
  return {
    fixture,
    fake,
    bot,
    async close() {
      await bot.close();
      await fake.close();
    },
  };
}
