import { readFileSync } from 'node:fs';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Serving } from './create-http-app.js';
import type { Match } from '../search/answer-types.js';
import { handleMessage } from '../bot/handle-message.js';
import { composeDigest } from '../schedule/compose-digest.js';
import { DINGTALK_MAX_BODY_BYTES } from '../dingtalk/limits.js';
import { createPlaygroundAuth } from './create-playground-auth.js';
import { clientOf, createAttemptLimiter } from './create-attempt-limiter.js';
import { renderDingTalkHtml } from './render-dingtalk-html.js';
import { formBody, jsonBody } from './read-body.js';
import type { Subscription } from '../state/state-store.js';

export interface PlaygroundDeps {
  /** The admin token, PLAYGROUND_TOKEN. */
  token: string;
  serving: () => Serving | undefined;
  now: () => number;
  logger: Logger;
  /** As the `周报` preview and the scheduled digest use them. */
  digest: { zone: string; eventsAheadDays: number };
  /** search.answerThreshold and search.suggestThreshold, shown beside the scores. */
  thresholds: { answer: number; suggest: number };
  /** How long a request body may take to arrive. */
  bodyTimeoutMs: number;
  /** The groups subscribed from the chat; without it the page says none are kept. */
  subscriptions?: () => Promise<readonly Subscription[]>;
}

/** The staff id the playground asks as: an ordinary group member, so replies carry the group's @ line. */
export const PLAYGROUND_MEMBER = 'playground';

const COOKIE = 'playground_session';
const ASSETS = new URL('./playground/', import.meta.url);
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // Replies may show images from the knowledge, as DingTalk does.
  "img-src 'self' https:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const askBody = z.object({ question: z.string().trim().min(1, 'type a question').max(4000, 'at most 4000 characters') }).strict();
const WEEK = /^\d{4}-\d{2}-\d{2}$/;

type Credential = 'valid' | 'missing' | 'wrong-token' | 'bad-session';

/**
 * The admins' playground under /playground: a page where an admin asks the bot and sees its reply
 * as DingTalk shows it, the ranked matches with their scores, and the digest of a chosen week.
 * Everything but the page's script and style needs the token: as a session cookie set by the
 * login form, or as `Authorization: Bearer` for the JSON API. Nothing here sends to DingTalk.
 */
export function createPlaygroundRouter(deps: PlaygroundDeps): Router {
  const log = deps.logger.child({ module: 'playground' });
  const auth = createPlaygroundAuth(deps.token, deps.now);
  // Ten wrong tokens per client address in ten minutes; then that address waits for the window to end.
  const limiter = createAttemptLimiter({ now: deps.now });
  const page = readAsset('index.html');
  const loginPage = readAsset('login.html');
  const script = readAsset('app.js');
  const style = readAsset('app.css');
  const router = Router();

  router.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    });
    next();
  });

  // Code and style only, no data: served without the token so the login form is styled too.
  router.get('/app.js', (_req, res) => {
    res.set('Cache-Control', 'no-cache').type('text/javascript').send(script);
  });
  router.get('/app.css', (_req, res) => {
    res.set('Cache-Control', 'no-cache').type('text/css').send(style);
  });

  /** Who is asking: a session cookie or a Bearer token; a wrong token counts against the address. */
  const credentialOf = (req: Request): Credential => {
    const header = req.get('authorization');
    if (header !== undefined) {
      const bearer = /^Bearer +(\S+) *$/i.exec(header)?.[1];
      return bearer !== undefined && auth.isToken(bearer) ? 'valid' : 'wrong-token';
    }
    const session = cookieOf(req, COOKIE);
    if (session === undefined) return 'missing';
    return auth.isSession(session) ? 'valid' : 'bad-session';
  };

  const refuseTooMany = (req: Request, res: Response, json: boolean): boolean => {
    const waitMs = limiter.retryAfterMs(clientOf(req));
    if (waitMs === 0) return false;
    log.warn({ ip: clientOf(req) }, 'playground refused: too many wrong tokens from this address');
    res.status(429).set('Retry-After', String(Math.ceil(waitMs / 1000)));
    const message = `Too many wrong tokens from this address: try again in ${Math.ceil(waitMs / 60_000)} minutes.`;
    if (json) res.json({ error: message });
    else res.type('html').send(withMessage(loginPage, message));
    return true;
  };

  const failed = (req: Request, reason: 'wrong-token' | 'bad-session') => {
    // Only a wrong token is a guess: a session cookie is an HMAC no one guesses, and an expired
    // one is an admin coming back after a while.
    if (reason === 'wrong-token') limiter.fail(clientOf(req));
    log.warn({ ip: clientOf(req), path: req.baseUrl + req.path, reason }, 'playground refused');
  };

  // Only a presented token is held back after too many wrong ones: a valid session still works,
  // so a guesser sharing an address (a proxy) cannot lock out an admin who is signed in.
  const hasBearer = (req: Request) => req.get('authorization') !== undefined;

  router.get('/', (req, res) => {
    if (hasBearer(req) && refuseTooMany(req, res, false)) return;
    const credential = credentialOf(req);
    if (credential === 'valid') {
      res.type('html').send(page);
      return;
    }
    if (credential !== 'missing') failed(req, credential);
    res.status(401).type('html').send(withMessage(loginPage, credential === 'bad-session' ? 'Your session has ended: enter the token again.' : undefined));
  });

  router.post('/login', formBody({ maxBytes: 1024, timeoutMs: deps.bodyTimeoutMs, mediaType: 'application/x-www-form-urlencoded' }), (req, res) => {
    if (refuseTooMany(req, res, false)) return;
    const body = req.body as Record<string, unknown> | undefined;
    const token = typeof body?.token === 'string' ? body.token : '';
    if (!auth.isToken(token)) {
      failed(req, 'wrong-token');
      res.status(401).type('html').send(withMessage(loginPage, 'That is not the playground token.'));
      return;
    }
    log.info({ ip: clientOf(req) }, 'playground login');
    res.cookie(COOKIE, auth.createSession(), {
      httpOnly: true,
      sameSite: 'strict',
      path: '/playground',
      maxAge: auth.sessionMs,
      secure: isHttps(req),
    });
    // 303: the browser follows with a GET, so reloading the page does not post the token again.
    res.redirect(303, '/playground');
  });

  router.post('/logout', (req, res) => {
    // Revoked, not only cleared: a copy of the cookie (a shared machine, a proxy's log) stops working too.
    const session = cookieOf(req, COOKIE);
    if (session !== undefined && auth.isSession(session)) {
      auth.revoke(session);
      log.info({ ip: clientOf(req) }, 'playground logout');
    }
    res.clearCookie(COOKIE, { httpOnly: true, sameSite: 'strict', path: '/playground', secure: isHttps(req) });
    res.redirect(303, '/playground');
  });

  const api = Router();
  api.use((req, res, next) => {
    if (hasBearer(req) && refuseTooMany(req, res, true)) return;
    const credential = credentialOf(req);
    if (credential === 'valid') {
      next();
      return;
    }
    if (credential !== 'missing') failed(req, credential);
    res.status(401).set('WWW-Authenticate', 'Bearer realm="playground"').json({ error: 'the playground token is needed' });
  });

  const ask: RequestHandler = async (req, res) => {
    const parsed = askBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
      return;
    }
    const serving = deps.serving();
    if (!serving) {
      res.status(503).json({ error: 'the knowledge is still loading' });
      return;
    }
    const { question } = parsed.data;
    const now = new Date(deps.now());
    const started = performance.now();
    // The same call the callback makes, as an ordinary group member: the reply is the one the group
    // would see. No admins are passed, so `周报 发送` shows its refusal and nothing is ever sent.
    const {
      reply,
      handledAs,
      question: asked,
    } = await handleMessage(
      { text: question, msgtype: 'text', isGroup: true, senderStaffId: PLAYGROUND_MEMBER, isAdmin: false },
      {
        answerer: serving.answerer,
        entries: serving.knowledge.entries,
        now,
        maxReplyBytes: DINGTALK_MAX_BODY_BYTES,
        digest: deps.digest,
        admins: [],
      },
    );
    const ms = performance.now() - started;
    // The ranking behind the reply, for the table: the candidates `ask` decided between.
    const ranking = asked === undefined ? undefined : await serving.answerer.rank(asked, now);
    res.json({
      question,
      handledAs,
      reply: { ...reply, html: renderDingTalkHtml(reply.markdown, reply.atUserIds) },
      ranking: ranking ? { asked, intent: ranking.intent, matches: ranking.matches.map(toMatchRecord) } : null,
      thresholds: deps.thresholds,
      knowledge: {
        entries: serving.knowledge.entries.length,
        errors: serving.summary.errors,
      },
      ms: Math.round(ms * 100) / 100,
    });
  };

  const digest: RequestHandler = (req, res) => {
    const week = typeof req.query.week === 'string' ? req.query.week : '';
    const { zone } = deps.digest;
    const day = DateTime.fromISO(week, { zone });
    if (!WEEK.test(week) || !day.isValid) {
      res.status(400).json({ error: 'week: expected a date such as 2024-05-20' });
      return;
    }
    const serving = deps.serving();
    if (!serving) {
      res.status(503).json({ error: 'the knowledge is still loading' });
      return;
    }
    // This week's events count from now, as the `周报` preview does; another week's from its
    // Monday 00:00, as `cli digest --week` does.
    const now = DateTime.fromMillis(deps.now(), { zone });
    const monday = day.startOf('week');
    const from = now >= monday && now < monday.plus({ weeks: 1 }) ? now : monday;
    const result = composeDigest(serving.knowledge.entries, {
      now: from.toISO() ?? '',
      zone,
      eventsAheadDays: deps.digest.eventsAheadDays,
      // As the scheduler posts it.
      maxBytes: DINGTALK_MAX_BODY_BYTES - 1000,
      weekOf: week,
    });
    res.json({
      week: result.week,
      eventsFrom: result.now,
      title: result.title,
      markdown: result.markdown,
      html: renderDingTalkHtml(result.markdown),
      counts: {
        releases: result.entries.releases.length,
        faqs: result.entries.faqs.length,
        readings: result.entries.readings.length,
        events: result.entries.events.length,
      },
      omitted: result.omitted,
    });
  };

  api.post('/ask', jsonBody({ maxBytes: 16 * 1024, timeoutMs: deps.bodyTimeoutMs, mediaType: 'application/json' }), ask);
  api.get('/digest', digest);
  // What each subscribed group receives, and since when in the bot's zone.
  api.get('/subscriptions', async (_req, res) => {
    const list = (await deps.subscriptions?.()) ?? [];
    const local = (iso: string) => DateTime.fromISO(iso, { zone: deps.digest.zone }).toFormat('yyyy-MM-dd HH:mm');
    res.json({ groups: list.map((g) => ({ title: g.title, openConversationId: g.openConversationId, posts: Object.fromEntries(Object.entries(g.posts).map(([kind, since]) => [kind, local(since)])) })) });
  });
  router.use('/api', api);
  return router;
}

function toMatchRecord(match: Match): Record<string, unknown> {
  const { entry } = match;
  return {
    id: entry.id,
    kind: entry.kind,
    title: entry.title,
    score: match.score,
    ...(match.features ? { features: match.features } : {}),
    ...(entry.url ? { url: entry.url } : {}),
    source: `${entry.source.file}:${entry.source.line}`,
  };
}

function readAsset(name: string): string {
  return readFileSync(new URL(name, ASSETS), 'utf8');
}

/** The login page with a fixed notice (never anything the client sent). */
function withMessage(html: string, message: string | undefined): string {
  return html.replace('<!-- message -->', message ? `<p class="notice" role="alert">${message}</p>` : '');
}

function cookieOf(req: Request, name: string): string | undefined {
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * Behind a TLS-terminating proxy the request arrives as plain HTTP; its X-Forwarded-Proto says
 * https. Trusting the header here can only add the Secure flag, never remove a protection.
 */
function isHttps(req: Request): boolean {
  return req.secure || req.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}
