import { Agent, type Dispatcher } from 'undici';
import type { BotReply } from '../bot/compose-reply.js';
import { sanitizeMarkdown } from '../shared/sanitize-markdown.js';

export class SessionReplyError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'SessionReplyError';
  }
}

/** The wire form of a reply: Markdown with the asker @-mentioned, sanitised (sanitizeMarkdown) as everything sent is. */
export function toMarkdownMessage(reply: BotReply): Record<string, unknown> {
  return {
    msgtype: 'markdown',
    markdown: { title: sanitizeMarkdown(reply.title), text: sanitizeMarkdown(reply.markdown) },
    at: { atUserIds: reply.atUserIds, isAtAll: false },
  };
}

/**
 * Worth one more try: the post never left (refused, unreachable, no DNS answer, no connection in
 * time) or the connection broke (`UND_ERR_SOCKET` is undici's "other side closed", a kept-alive
 * socket the server dropped). Waiting too long for an answer is not: the post may have arrived.
 */
const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

/** Posts replies to session webhooks; a failure rejects with a SessionReplyError. */
export interface SessionReplies {
  /** `webhook` must already be allow-listed: this requests whatever it is given. */
  send(webhook: string, reply: BotReply): Promise<void>;
}

/**
 * Replies posted with undici rather than axios: one goes out per answered question, on the
 * callback thread, and undici costs it about a third of axios' CPU (scheduled posts, a few a
 * minute, keep axios). `dispatcher` defaults to an Agent that keeps connections alive, takes no
 * proxy from the environment (replies go straight to the allow-listed host), follows no redirect
 * and gives up connecting after `timeoutMs`; `timeoutMs` also bounds the wait for the answer's
 * headers and each pause in its body.
 */
export function createSessionReplies({ dispatcher, timeoutMs }: { dispatcher?: Dispatcher; timeoutMs: number }): SessionReplies {
  const agent = dispatcher ?? new Agent({ connect: { timeout: timeoutMs } });
  return { send: (webhook, reply) => sendSessionReply(agent, webhook, reply, timeoutMs) };
}

/**
 * Posts a reply to a session webhook the caller has already allow-listed. Errors never carry the
 * URL (it embeds the session token). A connection never made or a 5xx is worth one more try;
 * a timeout waiting for the answer is not, because the first post may have arrived.
 */
async function sendSessionReply(dispatcher: Dispatcher, webhook: string, reply: BotReply, timeoutMs: number): Promise<void> {
  let status: number;
  let text: string;
  try {
    const response = await dispatcher.request({
      ...splitUrl(webhook),
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(toMarkdownMessage(reply)),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    status = response.statusCode;
    text = await response.body.text();
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    const name = typeof code === 'string' ? code : 'network error';
    throw new SessionReplyError(`session reply failed: ${name}`, RETRYABLE_CODES.has(name));
  }
  if (status >= 500) throw new SessionReplyError(`session reply failed: HTTP ${status}`, true);
  if (status >= 300) throw new SessionReplyError(`session reply failed: HTTP ${status}`, false);
  const data = parseJson(text) as { errcode?: unknown; errmsg?: unknown } | undefined;
  if (data && typeof data === 'object' && data.errcode !== undefined && data.errcode !== 0) {
    const errmsg = typeof data.errmsg === 'string' ? data.errmsg : '';
    throw new SessionReplyError(`session reply refused: errcode ${JSON.stringify(data.errcode)} ${errmsg}`.trim(), data.errcode === -1);
  }
}

/** A dispatcher takes the origin and the path apart. */
function splitUrl(webhook: string): { origin: string; path: string } {
  const url = new URL(webhook);
  return { origin: url.origin, path: `${url.pathname}${url.search}` };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
