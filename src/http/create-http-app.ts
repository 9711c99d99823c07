import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { AxiosInstance } from 'axios';
import type { Logger } from '../logger.js';
import type { KnowledgeLoad } from '../knowledge/load-knowledge.js';
import { ENTRY_KINDS, formatProblem, type EntryKind } from '../knowledge/entry.js';
import type { Answerer } from '../search/answer-types.js';
import { handleMessage } from '../bot/handle-message.js';
import { verifyCallback } from '../dingtalk/verify-callback.js';
import { parseCallback, CallbackPayloadError, type IncomingMessage } from '../dingtalk/parse-callback.js';
import { isAllowedSessionWebhook } from '../dingtalk/is-allowed-session-webhook.js';
import { sendSessionReply, SessionReplyError } from '../dingtalk/send-session-reply.js';
import { DINGTALK_MAX_BODY_BYTES } from '../dingtalk/limits.js';
import type { MessageDeduper } from '../state/create-message-deduper.js';
import { createPlaygroundRouter } from './create-playground-router.js';

/** What the bot serves at a moment: the knowledge and the engine built from it. */
export interface Serving {
  knowledge: KnowledgeLoad;
  answerer: Answerer;
}

export interface HttpDeps {
  /** undefined until the first knowledge load finishes. */
  serving: () => Serving | undefined;
  dingtalk: {
    appSecret?: string | undefined;
    robotCode?: string | undefined;
    signatureWindowMs: number;
    sessionHosts: readonly string[];
  };
  deduper: MessageDeduper;
  /** Posts replies to session webhooks. */
  http: AxiosInstance;
  replyTimeoutMs: number;
  now: () => number;
  logger: Logger;
  /** For the `周报` preview. */
  digest: { zone: string; eventsAheadDays: number };
  /** Staff ids allowed to run admin commands. */
  admins: readonly string[];
  /** Posts this week's digest to the digest groups now (the `周报 发送` command); at most once a week. */
  sendDigestNow?: () => Promise<void>;
  /** Serves the admins' playground at /playground; absent, that path does not exist. */
  playground?: { token: string; thresholds: { answer: number; suggest: number } };
}

export interface HttpApp {
  app: Express;
  /** Resolves when every reply accepted so far has been sent or has failed. */
  idle(): Promise<void>;
}

const BODY_LIMIT = '64kb';
const UNSUPPORTED_NOTE = '我目前只能读懂文字消息：@我 并用文字提问，发送“帮助”查看用法。';

/** The Express layer: routes, body limits and status codes; the work is done by the injected parts. */
export function createHttpApp(deps: HttpDeps): HttpApp {
  const log = deps.logger.child({ module: 'http' });
  const app = express();
  app.disable('x-powered-by');
  const inFlight = new Set<Promise<void>>();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', (_req, res) => {
    const serving = deps.serving();
    if (!serving) {
      res.status(503).json({ status: 'loading' });
      return;
    }
    const { knowledge } = serving;
    const entries = Object.fromEntries(ENTRY_KINDS.map((k) => [k, 0])) as Record<EntryKind, number>;
    for (const entry of knowledge.entries) entries[entry.kind]++;
    res.json({
      status: 'ready',
      files: knowledge.files.length,
      entries,
      errors: knowledge.problems.filter((p) => p.severity === 'error').map(formatProblem),
    });
  });

  // The signature covers headers only, so it is checked before a byte of the body is read.
  const verify: RequestHandler = (req, res, next) => {
    const rejection = verifyCallback(
      { timestamp: req.headers.timestamp, sign: req.headers.sign },
      { secret: deps.dingtalk.appSecret, nowMs: deps.now(), windowMs: deps.dingtalk.signatureWindowMs },
    );
    if (rejection) {
      log.warn({ reason: rejection, ip: req.ip }, 'callback refused');
      res.status(401).json({});
      return;
    }
    next();
  };

  const receive: RequestHandler = (req, res) => {
    let message: IncomingMessage;
    try {
      message = parseCallback(req.body);
    } catch (err) {
      if (!(err instanceof CallbackPayloadError)) throw err;
      log.warn({ reason: err.message }, 'callback payload rejected');
      res.status(400).json({});
      return;
    }
    if (deps.dingtalk.robotCode && message.robotCode !== deps.dingtalk.robotCode) {
      log.warn({ reason: 'robot-code' }, 'callback for another robot refused');
      res.status(403).json({});
      return;
    }
    const serving = deps.serving();
    if (!serving) {
      res.status(503).json({});
      return;
    }
    if (!deps.deduper.claim(message.msgId, deps.now())) {
      log.info({ msgId: message.msgId }, 'redelivered message ignored');
      res.json({});
      return;
    }
    const { reply, handledAs, action } = handleMessage(
      {
        text: message.text,
        msgtype: message.msgtype,
        isGroup: message.conversationType === 'group',
        isAdmin: message.isAdmin,
        ...(message.senderStaffId ? { senderStaffId: message.senderStaffId } : {}),
      },
      {
        answerer: serving.answerer,
        entries: serving.knowledge.entries,
        now: new Date(deps.now()),
        maxReplyBytes: DINGTALK_MAX_BODY_BYTES,
        digest: deps.digest,
        admins: deps.admins,
      },
    );
    if (action === 'send-digest' && deps.sendDigestNow) {
      const sending = deps
        .sendDigestNow()
        .catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'digest on request failed'))
        .finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    }
    // Acknowledge first: a slow acknowledgement makes DingTalk deliver the message again.
    res.json(handledAs === 'unsupported' ? { message: UNSUPPORTED_NOTE } : {});
    log.info({ msgId: message.msgId, conversation: message.conversationType, handledAs }, 'message handled');

    if (!isAllowedSessionWebhook(message.sessionWebhook, message.sessionWebhookExpiredTime, deps.dingtalk.sessionHosts, deps.now())) {
      log.warn({ msgId: message.msgId }, 'no reply sent: the session webhook is missing, expired or not on the allow-list');
      return;
    }
    const webhook = message.sessionWebhook;
    const sending = postReply(webhook, reply, message.msgId).finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  };

  const postReply = async (webhook: string, reply: Parameters<typeof sendSessionReply>[2], msgId: string): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await sendSessionReply(deps.http, webhook, reply, deps.replyTimeoutMs);
        log.debug({ msgId, attempt }, 'reply sent');
        return;
      } catch (err) {
        const retry = err instanceof SessionReplyError && err.retryable && attempt < 3;
        if (!retry) {
          log.warn({ msgId, attempt, err: err instanceof Error ? err.message : String(err) }, 'reply failed');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  };

  app.post('/dingtalk/callback', verify, express.json({ limit: BODY_LIMIT, type: () => true }), receive);

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
      }),
    );
  }

  app.use((_req, res) => {
    res.status(404).json({});
  });

  // The one place a request's error is logged. Client mistakes (bad JSON, too large, odd charset)
  // keep their 4xx; anything else is our fault.
  const onError: ErrorRequestHandler = (err: { status?: unknown; type?: unknown }, _req, res, _next) => {
    const status = typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) log.error({ err }, 'request failed');
    else log.warn({ status, type: err.type }, 'bad request');
    res.status(status).json({});
  };
  app.use(onError);

  return {
    app,
    idle: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
