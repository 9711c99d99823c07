import type { IncomingMessage as HttpRequest, ServerResponse } from 'node:http';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import type { KnowledgeLoad } from '../knowledge/load-knowledge.js';
import type { KnowledgeSummary } from '../knowledge/summarize-knowledge.js';
import type { AnswerSource } from '../search/answer-types.js';
import { isReadable } from '../bot/handle-message.js';
import type { AdminOperations } from '../bot/admin-report.js';
import { verifyCallback } from '../dingtalk/verify-callback.js';
import { parseCallback, CallbackPayloadError, type IncomingMessage } from '../dingtalk/parse-callback.js';
import type { SessionReplies } from '../dingtalk/send-session-reply.js';
import type { MessageDeduper, PendingSuggestions } from '../state/state-store.js';
import type { UnansweredLog } from '../state/unanswered-log.js';
import type { CallbackOutcome, Metrics } from '../metrics/create-metrics.js';
import { createMessageCore, type MessageCore } from '../core/create-message-core.js';
import { isValidBearer } from './is-valid-bearer.js';
import { clientOf, createAttemptLimiter } from './create-attempt-limiter.js';
import { createPlaygroundRouter, type PlaygroundDeps } from './create-playground-router.js';
import { BODY_TIMEOUT_MS, jsonBody } from './read-body.js';

/** What the bot serves at a moment: the knowledge and the engine built from it. */
export interface Serving {
  knowledge: KnowledgeLoad;
  /** Counts and errors of the knowledge, worked out once when it is served. */
  summary: KnowledgeSummary;
  answerer: AnswerSource;
}

export interface HttpDeps {
  /** undefined until the first knowledge load finishes. */
  serving: () => Serving | undefined;
  /** Whether a knowledge build is running, and whether newer knowledge waits for it. */
  knowledgeBuild?: () => { running: boolean; queued: boolean };
  dingtalk: {
    appSecret?: string | undefined;
    robotCode?: string | undefined;
    signatureWindowMs: number;
    sessionHosts: readonly string[];
  };
  deduper: MessageDeduper;
  /** The "did you mean" lists members may still pick from by number, shared like the deduper. */
  suggestions: PendingSuggestions;
  /** `search.pickLinks`: "did you mean" entries in 1:1 chats are links that send their number. */
  pickLinks?: boolean;
  /** `search.staleAfterYears`: an older answer says how old it is. */
  staleAfterYears?: number;
  /** Posts replies to the session webhooks this layer has allow-listed. */
  replies: SessionReplies;
  now: () => number;
  logger: Logger;
  /** For the `周报` preview. */
  digest: { zone: string; eventsAheadDays: number };
  /** Staff ids allowed to run admin commands. */
  admins: readonly string[];
  /** Posts this week's digest to the digest groups now (the `周报 发送` command); at most once a week. */
  sendDigestNow?: () => Promise<void>;
  /** When this week's digest was sent, for `周报 发送` to say so instead of sending again. */
  digestSentAt?: () => Promise<string | undefined>;
  /** Counts callbacks, answers and replies; `GET /metrics` serves its registry. Absent: no `/metrics` (404). */
  metrics?: Metrics;
  /** When set, `GET /metrics` needs `Authorization: Bearer <token>`. */
  metricsToken?: string | undefined;
  /** Where questions the bot abstained on or only suggested for are counted. */
  unanswered?: Pick<UnansweredLog, 'record'>;
  /** Runs the admins' `重新加载`, `状态` and `待回答`; without it they reply that they are unavailable. */
  admin?: AdminOperations;
  /** Serves the admins' playground at /playground; absent, that path does not exist. */
  playground?: { token: string; thresholds: { answer: number; suggest: number }; subscriptions?: PlaygroundDeps['subscriptions'] };
  /** How long a request body may take to arrive once its headers have; default 10 s. */
  bodyTimeoutMs?: number;
  /** False in Stream mode: messages arrive over the WebSocket and `/dingtalk/callback` is 404. Default true. */
  callbacks?: boolean;
  /** In Stream mode, whether the stream is connected: `/readyz` is 200 only while it is. */
  stream?: { connected(): boolean };
}

export interface HttpApp {
  app: Express;
  /** The one path every message takes, whichever receiver it came through; the Stream receiver uses it too. */
  core: MessageCore;
  /** Resolves when every reply accepted so far has been sent or has failed. */
  idle(): Promise<void>;
  /**
   * Stops taking callbacks, for a shutdown: from now on a callback gets 503 with Retry-After, before
   * it is marked as seen, so a redelivery (reported of DingTalk, not documented) is answered after
   * the restart or by another instance. `/readyz` answers 503
   * `{"status":"stopping"}` so a load balancer stops routing here, and every response closes its
   * connection so keep-alive connections do not hold the server open.
   */
  drain(): void;
}

const CALLBACK_MAX_BYTES = 64 * 1024;
export const CALLBACK_PATH = '/dingtalk/callback';
/** What a callback refused while stopping is told; a restart takes a few seconds. */
const RETRY_AFTER_SECONDS = 5;
const UNSUPPORTED_NOTE = '我目前只能读懂文字消息：@我 并用文字提问，发送“帮助”查看用法。';

/** The Express layer: routes, body limits and status codes; the work is done by the injected parts. */
export function createHttpApp(deps: HttpDeps): HttpApp {
  const log = deps.logger.child({ module: 'http' });
  const app = express();
  app.disable('x-powered-by');
  // Nothing here is cached by a client: hashing every response body for an ETag is wasted work.
  app.disable('etag');
  const metrics = deps.metrics;
  const countCallback = (outcome: CallbackOutcome) => metrics?.callbacks.inc({ outcome });
  const core = createMessageCore(deps);
  let draining = false;

  app.use((req, res, next) => {
    if (draining) res.set('Connection', 'close');
    closeUnreadBodies(req, res);
    next();
  });
  const bodyTimeoutMs = deps.bodyTimeoutMs ?? BODY_TIMEOUT_MS;

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', (_req, res) => {
    if (draining) {
      res.status(503).json({ status: 'stopping' });
      return;
    }
    const serving = deps.serving();
    // In Stream mode both must hold: the body says which is missing.
    const stream = deps.stream ? { stream: deps.stream.connected() ? 'connected' : 'disconnected' } : {};
    if (!serving) {
      res.status(503).json({ status: 'loading', ...stream });
      return;
    }
    if (stream.stream === 'disconnected') {
      res.status(503).json({ status: 'connecting', ...stream });
      return;
    }
    const { files, entries, errors } = serving.summary;
    // Ready while a build runs: the last good knowledge answers until the new one is swapped in.
    const build = deps.knowledgeBuild?.() ?? { running: false, queued: false };
    res.json({ status: 'ready', files, entries, errors, build, ...stream });
  });

  // The signature covers headers only, so it is checked before a byte of the body is read.
  const verify: RequestHandler = (req, res, next) => {
    const rejection = verifyCallback(
      { timestamp: req.headers.timestamp, sign: req.headers.sign },
      { secret: deps.dingtalk.appSecret, nowMs: deps.now(), windowMs: deps.dingtalk.signatureWindowMs },
    );
    if (rejection) {
      log.warn({ reason: rejection, ip: req.ip }, 'callback refused');
      countCallback('unauthorized');
      res.status(401).json({});
      return;
    }
    next();
  };

  const receive: RequestHandler = async (req, res) => {
    let message: IncomingMessage;
    try {
      message = parseCallback(req.body);
    } catch (err) {
      if (!(err instanceof CallbackPayloadError)) throw err;
      log.warn({ reason: err.message }, 'callback payload rejected');
      countCallback('bad_request');
      res.status(400).json({});
      return;
    }
    // A signature is accepted for the one message it first carried: DingTalk signs the timestamp
    // only, so a captured pair could otherwise carry any body (`isAdmin: true` included) for the
    // whole window. Bound only after the signature is verified and the payload read: a retry
    // of the same msgId under the same pair still passes, and is then seen as a redelivery.
    const signature = `${String(req.headers.timestamp)}:${String(req.headers.sign)}`;
    const guard = async () => {
      const bound = await deps.deduper.bindSignature(signature, message.msgId, deps.now());
      if (!bound) log.warn({ reason: 'reused-signature', msgId: message.msgId, ip: req.ip }, 'callback refused');
      return bound;
    };
    // Acknowledge first: a slow acknowledgement makes DingTalk deliver the message again, and the
    // answer may wait behind an index rebuild.
    const acknowledge = () => res.json(isReadable(message.msgtype) ? {} : { message: UNSUPPORTED_NOTE });
    const outcome = await core.receive(message, { guard, acknowledge });
    switch (outcome) {
      case 'accepted':
        return;
      case 'duplicate':
        res.json({});
        return;
      case 'wrong_robot':
        res.status(403).json({});
        return;
      case 'unauthorized':
        res.status(401).json({});
        return;
      case 'not_ready':
        res.status(503).json({});
        return;
      // Without the shared state the bot cannot tell a redelivery: DingTalk delivers again later.
      // While stopping, refused before it is marked as seen, so a redelivery is answered elsewhere.
      case 'state_unavailable':
      case 'stopping':
        res.status(503).set('Retry-After', String(RETRY_AFTER_SECONDS)).json({});
        return;
    }
  };

  // Headers first: an unsigned request is refused before a byte of its body is read.
  if (deps.callbacks !== false) app.post(CALLBACK_PATH, verify, jsonBody({ maxBytes: CALLBACK_MAX_BYTES, timeoutMs: bodyTimeoutMs }), receive);

  if (metrics) {
    const token = deps.metricsToken;
    // Ten wrong tokens per client address in ten minutes, as for the playground; then even the
    // right one waits, or a guesser would learn which guess was right.
    const guesses = createAttemptLimiter({ now: deps.now });
    app.get('/metrics', async (req, res) => {
      if (token !== undefined) {
        const waitMs = guesses.retryAfterMs(clientOf(req));
        if (waitMs > 0) {
          log.warn({ ip: clientOf(req) }, 'metrics scrape refused: too many wrong tokens from this address');
          res.status(429).set('Retry-After', String(Math.ceil(waitMs / 1000))).json({});
          return;
        }
        if (!isValidBearer(req.headers.authorization, token)) {
          // A scrape without a token is a misconfiguration, not a guess.
          if (req.headers.authorization !== undefined) guesses.fail(clientOf(req));
          log.warn({ ip: clientOf(req) }, 'metrics scrape refused: no valid bearer token');
          res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').json({});
          return;
        }
      }
      const text = await metrics.registry.metrics();
      res.set('Content-Type', metrics.registry.contentType).send(text);
    });
  }

  if (deps.playground) {
    app.use(
      '/playground',
      createPlaygroundRouter({
        token: deps.playground.token,
        thresholds: deps.playground.thresholds,
        serving: deps.serving,
        now: deps.now,
        logger: deps.logger,
        digest: deps.digest,
        bodyTimeoutMs,
        ...(deps.playground.subscriptions ? { subscriptions: deps.playground.subscriptions } : {}),
      }),
    );
  }

  app.use((_req, res) => {
    res.status(404).json({});
  });

  // The one place a request's error is logged. Client mistakes (bad JSON, too large, odd charset)
  // keep their 4xx; anything else is our fault.
  const onError: ErrorRequestHandler = (err: { status?: unknown; type?: unknown }, req, res, _next) => {
    const status = typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) log.error({ err }, 'request failed');
    else log.warn({ status, type: err.type }, 'bad request');
    if (req.method === 'POST' && req.path === CALLBACK_PATH) countCallback(status === 413 ? 'too_large' : status === 500 ? 'error' : 'bad_request');
    res.status(status).json({});
  };
  app.use(onError);

  return {
    app,
    core,
    idle: () => core.idle(),
    drain() {
      draining = true;
      core.drain();
    },
  };
}

/**
 * Node reads and throws away the rest of a body that a response did not wait for, to keep the
 * connection for a next request: a 100 MB body trickled in after a 401 or 413 would hold a socket
 * (and keep being read) for minutes, until Node's requestTimeout. A response sent before its
 * request's body has all arrived closes the connection instead.
 */
function closeUnreadBodies(req: HttpRequest, res: ServerResponse): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
  if (!hasBody) return;
  const writeHead = res.writeHead.bind(res);
  res.writeHead = ((...args: Parameters<typeof writeHead>) => {
    if (!req.complete) res.setHeader('Connection', 'close');
    return writeHead(...args);
  }) as ServerResponse['writeHead'];
}
