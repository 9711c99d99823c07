import type { IncomingMessage as HttpRequest, ServerResponse } from 'node:http';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import type { KnowledgeLoad } from '../knowledge/load-knowledge.js';
import type { KnowledgeSummary } from '../knowledge/summarize-knowledge.js';
import type { AnswerSource } from '../search/answer-types.js';
import { composeFailureReply, handleMessage, isReadable, replyContextFor, type BotAction, type ChatMessage, type Handled } from '../bot/handle-message.js';
import type { AdminAction, AdminOperations } from '../bot/admin-report.js';
import { composeAdminReply } from '../bot/compose-admin-reply.js';
import type { BotReply } from '../bot/compose-reply.js';
import { verifyCallback } from '../dingtalk/verify-callback.js';
import { parseCallback, CallbackPayloadError, type IncomingMessage } from '../dingtalk/parse-callback.js';
import { checkSessionWebhook } from '../dingtalk/check-session-webhook.js';
import { SessionReplyError, type SessionReplies } from '../dingtalk/send-session-reply.js';
import { DINGTALK_MAX_BODY_BYTES } from '../dingtalk/limits.js';
import type { MessageDeduper, PendingSuggestions } from '../state/state-store.js';
import type { UnansweredLog } from '../state/unanswered-log.js';
import type { CallbackOutcome, Metrics, ReplyResult } from '../metrics/create-metrics.js';
import { isValidBearer } from './is-valid-bearer.js';
import { clientOf, createAttemptLimiter } from './create-attempt-limiter.js';
import { createPlaygroundRouter } from './create-playground-router.js';
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
  playground?: { token: string; thresholds: { answer: number; suggest: number } };
  /** How long a request body may take to arrive once its headers have; default 10 s. */
  bodyTimeoutMs?: number;
}

export interface HttpApp {
  app: Express;
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
const ADMIN_ACTIONS: ReadonlySet<BotAction> = new Set<AdminAction>(['reload', 'status', 'unanswered']);
const isAdminAction = (action: BotAction | undefined): action is AdminAction => action !== undefined && ADMIN_ACTIONS.has(action);
const UNSUPPORTED_NOTE = '我目前只能读懂文字消息：@我 并用文字提问，发送“帮助”查看用法。';

/** The Express layer: routes, body limits and status codes; the work is done by the injected parts. */
export function createHttpApp(deps: HttpDeps): HttpApp {
  const log = deps.logger.child({ module: 'http' });
  const app = express();
  app.disable('x-powered-by');
  // Nothing here is cached by a client: hashing every response body for an ETag is wasted work.
  app.disable('etag');
  const inFlight = new Set<Promise<void>>();
  const metrics = deps.metrics;
  const countCallback = (outcome: CallbackOutcome) => metrics?.callbacks.inc({ outcome });
  const countReply = (result: ReplyResult) => metrics?.replies.inc({ result });
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
    if (!serving) {
      res.status(503).json({ status: 'loading' });
      return;
    }
    const { files, entries, errors } = serving.summary;
    // Ready while a build runs: the last good knowledge answers until the new one is swapped in.
    const build = deps.knowledgeBuild?.() ?? { running: false, queued: false };
    res.json({ status: 'ready', files, entries, errors, build });
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
    if (deps.dingtalk.robotCode && message.robotCode !== deps.dingtalk.robotCode) {
      log.warn({ reason: 'robot-code' }, 'callback for another robot refused');
      countCallback('wrong_robot');
      res.status(403).json({});
      return;
    }
    if (draining) {
      countCallback('stopping');
      res.status(503).set('Retry-After', String(RETRY_AFTER_SECONDS)).json({});
      return;
    }
    const serving = deps.serving();
    if (!serving) {
      countCallback('not_ready');
      res.status(503).json({});
      return;
    }
    // A signature is accepted for the one message it first carried: DingTalk signs the timestamp
    // only, so a captured pair could otherwise carry any body (`isAdmin: true` included) for the
    // whole window. Bound only now, after the signature is verified and the payload read: a retry
    // of the same msgId under the same pair still passes, and is then seen as a redelivery.
    const signature = `${String(req.headers.timestamp)}:${String(req.headers.sign)}`;
    let first: boolean;
    try {
      if (!(await deps.deduper.bindSignature(signature, message.msgId, deps.now()))) {
        log.warn({ reason: 'reused-signature', msgId: message.msgId, ip: req.ip }, 'callback refused');
        countCallback('unauthorized');
        res.status(401).json({});
        return;
      }
      first = await deps.deduper.claim(message.msgId, deps.now());
    } catch (err) {
      // Without the shared state the bot cannot tell a redelivery: DingTalk delivers again later.
      log.error({ msgId: message.msgId, err: err instanceof Error ? err.message : String(err) }, 'callback not accepted: the state store is unavailable');
      countCallback('state_unavailable');
      res.status(503).set('Retry-After', String(RETRY_AFTER_SECONDS)).json({});
      return;
    }
    if (!first) {
      log.info({ msgId: message.msgId }, 'redelivered message ignored');
      countCallback('duplicate');
      res.json({});
      return;
    }
    // Acknowledge first: a slow acknowledgement makes DingTalk deliver the message again, and the
    // answer may wait behind an index rebuild.
    countCallback('accepted');
    res.json(isReadable(message.msgtype) ? {} : { message: UNSUPPORTED_NOTE });
    const acknowledged = performance.now();
    const handling = answer(message, serving, acknowledged).finally(() => inFlight.delete(handling));
    inFlight.add(handling);
  };

  /** Decides the reply, then posts it to the session webhook; never throws. */
  const answer = async (message: IncomingMessage, serving: Serving, acknowledged: number): Promise<void> => {
    const chat: ChatMessage = {
      text: message.text,
      msgtype: message.msgtype,
      isGroup: message.conversationType === 'group',
      isAdmin: message.isAdmin,
      ...(message.senderStaffId ? { senderStaffId: message.senderStaffId } : {}),
    };
    // A list belongs to one member in one chat; without a staff id nobody can pick from it.
    const pendingKey = message.senderStaffId ? `${message.conversationId}:${message.senderStaffId}` : undefined;
    let handled: Handled;
    try {
      handled = await handleMessage(chat, {
        answerer: serving.answerer,
        entries: serving.knowledge.entries,
        now: new Date(deps.now()),
        maxReplyBytes: DINGTALK_MAX_BODY_BYTES,
        digest: deps.digest,
        admins: deps.admins,
        ...(deps.digestSentAt ? { digestSentAt: deps.digestSentAt } : {}),
        ...(deps.pickLinks ? { pickLinks: true } : {}),
        ...(deps.staleAfterYears ? { staleAfterYears: deps.staleAfterYears } : {}),
        ...(pendingKey ? { pendingSuggestions: () => deps.suggestions.get(pendingKey, deps.now()) } : {}),
      });
    } catch (err) {
      log.error({ msgId: message.msgId, err: err instanceof Error ? err.message : String(err) }, 'answering failed');
      handled = composeFailureReply(chat, DINGTALK_MAX_BODY_BYTES);
    }
    const { reply, handledAs, action, question, suggested } = handled;
    metrics?.answers.inc({ handled_as: handledAs });
    metrics?.answerDuration.observe({ handled_as: handledAs }, (performance.now() - acknowledged) / 1000);
    if (action === 'send-digest' && deps.sendDigestNow) {
      // Not awaited: the digest may wait for the robot's rate limit; the reply should not.
      const sending = deps
        .sendDigestNow()
        .catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'digest on request failed'))
        .finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    }
    log.info({ msgId: message.msgId, conversation: message.conversationType, handledAs }, 'message handled');

    // Counted beside the reply, not before it: a shared log may wait for another instance.
    let recording = Promise.resolve();
    if (question !== undefined && (handledAs === 'abstain' || handledAs === 'suggest') && deps.unanswered) {
      // Only the chat's name is kept with the question: never who asked. A 1:1 chat is named by its kind.
      const where = message.conversationType === 'group' ? (message.conversationTitle ?? '群聊') : '私聊';
      recording = deps.unanswered
        .record({ text: question, chat: where, at: deps.now() })
        .catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'unanswered question not recorded'));
    }
    // Kept before the reply is posted, so a `1` sent as soon as the list shows finds it.
    if (suggested && pendingKey) {
      await deps.suggestions
        .set(pendingKey, suggested, deps.now())
        .catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'did-you-mean list not kept: a number cannot pick from it'));
    }
    // An admin command runs even when its reply cannot be delivered: a reload is still wanted.
    const admin = deps.admin;
    const answerOrReport: Promise<BotReply> =
      isAdminAction(action) && admin
        ? admin
            .run(action)
            .catch((err: unknown) => ({ action: 'failed' as const, failed: action, reason: err instanceof Error ? err.message : String(err) }))
            .then((report) => composeAdminReply(report, replyContextFor(chat, DINGTALK_MAX_BODY_BYTES)))
        : Promise.resolve(reply);

    const target = checkSessionWebhook(message.sessionWebhook, message.sessionWebhookExpiredTime, deps.dingtalk.sessionHosts, deps.now());
    if (!target.allowed) {
      log.warn({ msgId: message.msgId }, `no reply sent: ${target.refusal}`);
      countReply('not_allowed');
      await recording;
      return;
    }
    await Promise.all([answerOrReport.then((text) => postReply(target.webhook, text, message.msgId)), recording]);
  };

  const postReply = async (webhook: string, reply: BotReply, msgId: string): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.replies.send(webhook, reply);
        log.debug({ msgId, attempt }, 'reply sent');
        countReply('sent');
        return;
      } catch (err) {
        const retry = err instanceof SessionReplyError && err.retryable && attempt < 3;
        if (!retry) {
          log.warn({ msgId, attempt, err: err instanceof Error ? err.message : String(err) }, 'reply failed');
          countReply('failed');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  };

  // Headers first: an unsigned request is refused before a byte of its body is read.
  app.post(CALLBACK_PATH, verify, jsonBody({ maxBytes: CALLBACK_MAX_BYTES, timeoutMs: bodyTimeoutMs }), receive);

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
    idle: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    drain() {
      draining = true;
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
