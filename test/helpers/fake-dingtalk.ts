import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake DingTalk on loopback for tests: real HTTP, so clients are tested with their real HTTP
 * stack. It checks what the protocol reference (§3, §4) says DingTalk checks, records everything,
 * and can be scripted to fail in the ways DingTalk and networks fail.
 */

/** A robot the fake knows, keyed by access token. */
export interface FakeRobot {
  /** The `SEC…` secret; when set, `timestamp` and `sign` are required and verified. */
  secret?: string;
  /** When set, a message must contain one of these (anywhere in the body) or gets 310000. */
  keywords?: readonly string[];
}

export interface FakeDingTalkOptions {
  /** Robots by access token; a send with another token gets 300001 `token is not exist`. */
  robots?: Record<string, FakeRobot>;
  /** The fake's clock (epoch ms) for timestamp checks, receive times and the rate limit. Default `Date.now`. */
  now?: () => number;
  /** Largest |now - timestamp| accepted. Default one hour, as DingTalk documents. */
  timestampWindowMs?: number;
  /**
   * DingTalk's own send limit, per robot: more than `perMinute` accepted sends in any `windowMs`
   * gets 130101 and throttles the robot for `throttleMs`. Default 20 / 60 000 / 600 000; `false` turns it off.
   */
  rateLimit?: false | { perMinute?: number; windowMs?: number; throttleMs?: number };
  /** When set, `sendBySession` with another session gets 300001 `session 不存在`. Default: any session. */
  sessions?: readonly string[];
  /**
   * The app robot's OpenAPI (protocol reference §5): `/v1.0/oauth2/accessToken` issues tokens for
   * these credentials, `/v1.0/robot/groupMessages/send` takes them. Without it both answer 404.
   */
  app?: FakeApp;
}

export interface FakeApp {
  appKey: string;
  appSecret: string;
  /** The robot code a send must carry. Default: the app key. */
  robotCode?: string;
  /** The `expireIn` of each token issued, in seconds (by the fake's `now`). Default 7200. */
  tokenTtlSeconds?: number;
  /** The openConversationIds the robot is in; a send to another gets ROBOT_NOT_IN_GROUP. Default: every group. */
  groups?: readonly string[];
}

/** What the next request on a path gets instead of (or on top of) normal handling. */
export type FakeBehaviour =
  /** Answer normally, but only after this long (past a client's timeout, say). */
  | { delayMs: number }
  /** Answer HTTP 200 with this errcode, without processing the message. */
  | { errcode: number; errmsg: string; delayMs?: number }
  /** Answer this HTTP status with a short non-JSON body. */
  | { status: number; delayMs?: number }
  /** Answer HTTP 200 with this body verbatim (e.g. an HTML error page). */
  | { rawBody: string }
  /** Destroy the socket without answering. */
  | { drop: true }
  /** Answer 130101 `send too fast, exceed 20 times per minute`. */
  | { rateLimit: true }
  /** Answer as the OpenAPI refuses: this HTTP status (default 400) with `{code, message}`. */
  | { code: string; message?: string; status?: number };

/** What the fake did with a request. */
export interface FakeReply {
  /** HTTP status; 0 when the socket was dropped. */
  status: number;
  errcode?: number;
  errmsg?: string;
  /** The OpenAPI's string error code (app-robot requests). */
  code?: string;
  /** The answer was scripted, not the result of the fake's own checks. */
  scripted: boolean;
  /** The message passed every check and would appear in the chat (duplicates included). */
  accepted: boolean;
  /** Accepted, but an earlier send to the same robot had the same `msgUuid`, so DingTalk drops it. */
  duplicate: boolean;
  /** How long the answer was held back. */
  delayMs: number;
}

export interface FakeRequest {
  method: string;
  /** Path without the query, e.g. `/robot/send`. */
  path: string;
  /** The query as DingTalk decodes it (a raw `+` becomes a space). */
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The parsed body; undefined when it is not JSON. */
  json: unknown;
  /** The fake's `now()` when the body had arrived. */
  receivedAt: number;
  reply: FakeReply;
}

export interface WaitForOptions {
  /** How many matching requests to wait for. Default 1. */
  count?: number;
  /** Real milliseconds before giving up. Default 10 000: generous, as the suite runs beside process-spawning tests. */
  timeoutMs?: number;
}

export interface FakeDingTalk {
  /** `http://127.0.0.1:<port>`: pass it as `apiBase`. */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: readonly FakeRequest[];
  /** Requests to `/robot/send`. */
  sends(): FakeRequest[];
  /** Requests to `/robot/sendBySession`. */
  sessionReplies(): FakeRequest[];
  /** Requests for an access token (`/v1.0/oauth2/accessToken`). */
  tokenRequests(): FakeRequest[];
  /** App-robot group sends (`/v1.0/robot/groupMessages/send`). */
  appSends(): FakeRequest[];
  /** Forgets every token issued, as DingTalk does when a token is revoked: sends with them get InvalidAuthentication. */
  revokeTokens(): void;
  /** Takes the robot out of a group: sends to it get ROBOT_NOT_IN_GROUP from now on. */
  leaveGroup(openConversationId: string): void;
  /** Messages that would appear in a chat: accepted sends and session replies, duplicates left out. */
  delivered(): FakeRequest[];
  /** Sends the fake's own rate limit refused (not scripted ones): a client that keeps the limit causes none. */
  rateLimitViolations(): FakeRequest[];
  /** Queues behaviours for the next requests on `path` (default `/robot/send`), one each, in order. */
  script(behaviours: readonly FakeBehaviour[], path?: string): void;
  /** A session webhook URL on this fake, as a callback payload would carry it. */
  sessionWebhook(session: string): string;
  /** Resolves with the first `count` recorded requests matching, waiting for more to arrive if needed. */
  waitFor(predicate: (request: FakeRequest) => boolean, options?: WaitForOptions): Promise<FakeRequest[]>;
  /** Forgets recorded requests, scripts, rate windows and seen msgUuids. */
  reset(): void;
  /** Stops listening and closes open sockets. */
  close(): Promise<void>;
}

const SEND_PATH = '/robot/send';
const SESSION_PATH = '/robot/sendBySession';
export const TOKEN_PATH = '/v1.0/oauth2/accessToken';
export const APP_SEND_PATH = '/v1.0/robot/groupMessages/send';
/** The fake's answer to a send to a group the robot is not in (src/dingtalk/is-robot-gone-answer.ts). */
export const ROBOT_NOT_IN_GROUP = 'invalidParameter.robotCode.notExsit';
const MAX_BODY_BYTES = 20_000;
const KNOWN_TYPES = new Set(['text', 'markdown', 'link', 'actionCard', 'feedCard']);

interface Answer {
  status: number;
  body: string;
  errcode?: number;
  errmsg?: string;
  code?: string;
  accepted?: boolean;
  duplicate?: boolean;
}

/** Starts the fake on `127.0.0.1` and an ephemeral port. */
export async function startFakeDingTalk(options: FakeDingTalkOptions = {}): Promise<FakeDingTalk> {
  const robots = options.robots ?? {};
  const now = options.now ?? Date.now;
  const timestampWindowMs = options.timestampWindowMs ?? 3_600_000;
  const limit = options.rateLimit === false ? undefined : { perMinute: 20, windowMs: 60_000, throttleMs: 600_000, ...options.rateLimit };
  const requests: FakeRequest[] = [];
  const scripts = new Map<string, FakeBehaviour[]>();
  const acceptedTimes = new Map<string, number[]>();
  const throttledUntil = new Map<string, number>();
  const seenUuids = new Set<string>();
  const waiters = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  const tokens = new Map<string, number>();
  const left = new Set<string>();
  let issued = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });

  function handle(req: IncomingMessage, res: ServerResponse, rawBody: string) {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const query = Object.fromEntries(url.searchParams);
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      json = undefined;
    }
    const receivedAt = now();
    const behaviour = scripts.get(url.pathname)?.shift();
    const delayMs = behaviour && 'delayMs' in behaviour ? (behaviour.delayMs ?? 0) : 0;
    const record = (reply: FakeReply) => {
      requests.push({ method: req.method ?? '', path: url.pathname, query, headers: req.headers, rawBody, json, receivedAt, reply });
      for (const wake of [...waiters]) wake();
    };

    if (behaviour && 'drop' in behaviour) {
      record({ status: 0, scripted: true, accepted: false, duplicate: false, delayMs: 0 });
      req.socket.destroy();
      return;
    }
    const scripted = behaviour ? scriptedAnswer(behaviour) : undefined;
    const answer = scripted ?? (url.pathname === TOKEN_PATH || url.pathname === APP_SEND_PATH ? routeApp(req, url.pathname, json, receivedAt) : route(req.method ?? '', url.pathname, query, rawBody, json, receivedAt));
    record({
      status: answer.status,
      ...(answer.errcode !== undefined && { errcode: answer.errcode }),
      ...(answer.errmsg !== undefined && { errmsg: answer.errmsg }),
      ...(answer.code !== undefined && { code: answer.code }),
      scripted: scripted !== undefined,
      accepted: answer.accepted ?? false,
      duplicate: answer.duplicate ?? false,
      delayMs,
    });
    const respond = () => {
      if (res.destroyed) return;
      res.writeHead(answer.status, { 'Content-Type': answer.body.startsWith('{') ? 'application/json;charset=UTF-8' : 'text/html' });
      res.end(answer.body);
    };
    if (delayMs <= 0) return respond();
    const timer = setTimeout(() => {
      timers.delete(timer);
      respond();
    }, delayMs);
    timers.add(timer);
  }

  function route(method: string, path: string, query: Record<string, string>, rawBody: string, json: unknown, at: number): Answer {
    if (method !== 'POST' || (path !== SEND_PATH && path !== SESSION_PATH)) return { status: 404, body: 'not found' };
    if (path === SESSION_PATH) {
      if (options.sessions && !options.sessions.includes(query.session ?? '')) return dingTalk(300001, 'session 不存在');
      const invalid = checkBody(rawBody, json);
      return invalid ?? { ...dingTalk(0, 'ok'), accepted: true };
    }
    const token = query.access_token ?? '';
    const robot = Object.hasOwn(robots, token) ? robots[token] : undefined;
    if (!robot) return dingTalk(300001, 'token is not exist');
    if (robot.secret !== undefined) {
      const refusal = checkSign(query.timestamp, query.sign, robot.secret, at, timestampWindowMs);
      if (refusal) return dingTalk(310000, refusal);
    }
    const invalid = checkBody(rawBody, json);
    if (invalid) return invalid;
    if (robot.keywords && !robot.keywords.some((word) => rawBody.includes(word))) {
      return dingTalk(310000, 'keywords not in content');
    }
    if (limit && isOverLimit(token, at)) return dingTalk(130101, 'send too fast, exceed 20 times per minute');
    const msgUuid = isRecord(json) && typeof json.msgUuid === 'string' ? `${token}\n${json.msgUuid}` : undefined;
    const duplicate = msgUuid !== undefined && seenUuids.has(msgUuid);
    if (msgUuid) seenUuids.add(msgUuid);
    return { ...dingTalk(0, 'ok'), accepted: true, duplicate };
  }

  /** The app robot's OpenAPI: tokens, then group sends checked as §5 describes. */
  function routeApp(req: IncomingMessage, path: string, json: unknown, at: number): Answer {
    const app = options.app;
    if (!app || req.method !== 'POST') return { status: 404, body: 'not found' };
    if (path === TOKEN_PATH) {
      if (!isRecord(json) || json.appKey !== app.appKey || json.appSecret !== app.appSecret) return openApi(400, 'invalidClientIdOrSecret', '无效的appKey或appSecret');
      issued += 1;
      const accessToken = `fake-access-token-${issued}-${Math.random().toString(36).slice(2)}`;
      const expireIn = app.tokenTtlSeconds ?? 7200;
      tokens.set(accessToken, at + expireIn * 1000);
      return { status: 200, body: JSON.stringify({ accessToken, expireIn }) };
    }
    const token = req.headers['x-acs-dingtalk-access-token'];
    const expiresAt = typeof token === 'string' ? tokens.get(token) : undefined;
    if (expiresAt === undefined || at >= expiresAt) return openApi(400, 'InvalidAuthentication', '不合法的access_token');
    if (!isRecord(json)) return openApi(400, 'invalidParameter.param.invalid', '参数不合法');
    const { robotCode, openConversationId, msgKey, msgParam } = json;
    if (robotCode !== (app.robotCode ?? app.appKey)) return openApi(400, ROBOT_NOT_IN_GROUP, '机器人不存在');
    if (typeof openConversationId !== 'string' || openConversationId === '') return openApi(400, 'invalid.openConversationId', '无效的openConversationId');
    if (left.has(openConversationId) || (app.groups && !app.groups.includes(openConversationId))) return openApi(400, ROBOT_NOT_IN_GROUP, '机器人不存在，请检查机器人是否在群内');
    if (msgKey !== 'sampleMarkdown' && msgKey !== 'sampleText') return openApi(400, 'invalidParameter.msgKey.invalid', '无效的msgKey');
    if (typeof msgParam !== 'string' || Buffer.byteLength(msgParam, 'utf8') > 15_000) return openApi(400, 'invalidParameter.msgParam.invalid', 'msgParam 不合法');
    let param: unknown;
    try {
      param = JSON.parse(msgParam);
    } catch {
      return openApi(400, 'invalidParameter.msgParam.invalid', 'msgParam 必须是 JSON');
    }
    const valid = isRecord(param) && (msgKey === 'sampleMarkdown' ? typeof param.title === 'string' && param.title !== '' && typeof param.text === 'string' : typeof param.content === 'string');
    if (!valid) return openApi(400, 'invalidParameter.msgParam.invalid', 'msgParam 缺少字段');
    return { status: 200, body: JSON.stringify({ processQueryKey: `pqk-${requests.length}` }), accepted: true };
  }

  function isOverLimit(token: string, at: number): boolean {
    if (!limit) return false;
    if (at < (throttledUntil.get(token) ?? 0)) return true;
    const times = (acceptedTimes.get(token) ?? []).filter((t) => t > at - limit.windowMs);
    if (times.length >= limit.perMinute) {
      throttledUntil.set(token, at + limit.throttleMs);
      return true;
    }
    times.push(at);
    acceptedTimes.set(token, times);
    return false;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  const fake: FakeDingTalk = {
    url: base,
    requests,
    sends: () => requests.filter((r) => r.path === SEND_PATH),
    sessionReplies: () => requests.filter((r) => r.path === SESSION_PATH),
    tokenRequests: () => requests.filter((r) => r.path === TOKEN_PATH),
    appSends: () => requests.filter((r) => r.path === APP_SEND_PATH),
    revokeTokens: () => tokens.clear(),
    leaveGroup: (openConversationId) => void left.add(openConversationId),
    delivered: () => requests.filter((r) => r.reply.accepted && !r.reply.duplicate),
    rateLimitViolations: () => requests.filter((r) => r.reply.errcode === 130101 && !r.reply.scripted),
    script(behaviours, path = SEND_PATH) {
      scripts.set(path, [...(scripts.get(path) ?? []), ...behaviours]);
    },
    sessionWebhook: (session) => `${base}${SESSION_PATH}?${new URLSearchParams({ session }).toString()}`,
    waitFor(predicate, { count = 1, timeoutMs = 10_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = requests.filter(predicate);
          if (found.length < count) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found.slice(0, count));
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const seen = requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'none';
          reject(new Error(`fake DingTalk: ${requests.filter(predicate).length} of ${count} matching requests after ${timeoutMs} ms; requests seen: ${seen}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    reset() {
      requests.length = 0;
      scripts.clear();
      acceptedTimes.clear();
      throttledUntil.clear();
      seenUuids.clear();
      tokens.clear();
      left.clear();
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return fake;
}

/**
 * The fake's own signer, written independently of src/dingtalk/compute-sign.ts so a mistake
 * there cannot be mirrored here: Base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`)).
 * Returns DingTalk's errmsg for a refusal, or undefined when the signature is good.
 */
function checkSign(timestamp: string | undefined, sign: string | undefined, secret: string, nowMs: number, windowMs: number): string | undefined {
  if (!timestamp || !/^\d{1,16}$/.test(timestamp) || Math.abs(nowMs - Number(timestamp)) > windowMs) return 'invalid timestamp';
  if (!sign) return 'sign not match';
  const expected = Buffer.from(createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(`${timestamp}\n${secret}`, 'utf8')).digest('base64'));
  const given = Buffer.from(sign);
  return expected.length === given.length && timingSafeEqual(expected, given) ? undefined : 'sign not match';
}

/** DingTalk's checks on a message body (protocol reference §4.3, §4.6). */
function checkBody(rawBody: string, json: unknown): Answer | undefined {
  // The code for an oversized body is not documented; the errmsg is the one users report.
  if (Buffer.byteLength(rawBody, 'utf8') > MAX_BODY_BYTES) return dingTalk(400402, 'body 大小不合法，请保持大小在 20000bytes 以内');
  if (!isRecord(json)) return dingTalk(400402, 'invalid json body');
  const { msgtype } = json;
  if (typeof msgtype !== 'string' || msgtype === '') return dingTalk(400402, 'param msgtype is missing');
  if (!KNOWN_TYPES.has(msgtype)) return dingTalk(400105, '不支持的消息类型');
  const content = json[msgtype];
  if (!isRecord(content)) return dingTalk(400402, `param ${msgtype} is missing`);
  if (msgtype === 'markdown' && (typeof content.title !== 'string' || content.title === '')) return dingTalk(400402, 'param markdown.title is missing');
  if (msgtype === 'markdown' && typeof content.text !== 'string') return dingTalk(400402, 'param markdown.text is missing');
  if (msgtype === 'text' && typeof content.content !== 'string') return dingTalk(400402, 'param text.content is missing');
  return undefined;
}

function scriptedAnswer(behaviour: Exclude<FakeBehaviour, { drop: true }>): Answer | undefined {
  if ('errcode' in behaviour) return dingTalk(behaviour.errcode, behaviour.errmsg);
  if ('code' in behaviour) return openApi(behaviour.status ?? 400, behaviour.code, behaviour.message ?? '');
  if ('status' in behaviour) return { status: behaviour.status, body: `<html><body>HTTP ${behaviour.status}</body></html>` };
  if ('rawBody' in behaviour) return { status: 200, body: behaviour.rawBody };
  if ('rateLimit' in behaviour) return dingTalk(130101, 'send too fast, exceed 20 times per minute');
  return undefined;
}

/** An OpenAPI refusal: an HTTP error status with `{code, message, requestid}`. */
function openApi(status: number, code: string, message: string): Answer {
  return { status, body: JSON.stringify({ code, message, requestid: 'fake-request' }), code, errmsg: message };
}

function dingTalk(errcode: number, errmsg: string): Answer {
  return { status: 200, body: JSON.stringify({ errcode, errmsg }), errcode, errmsg };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
