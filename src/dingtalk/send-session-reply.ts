import axios, { type AxiosInstance } from 'axios';
import type { BotReply } from '../bot/compose-reply.js';

export class SessionReplyError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'SessionReplyError';
  }
}

/** The wire form of a reply: Markdown with the asker @-mentioned. */
export function toMarkdownMessage(reply: BotReply): Record<string, unknown> {
  return {
    msgtype: 'markdown',
    markdown: { title: reply.title, text: reply.markdown },
    at: { atUserIds: reply.atUserIds, isAtAll: false },
  };
}

const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** Posts replies to session webhooks; a failure rejects with a SessionReplyError. */
export interface SessionReplies {
  /** `webhook` must already be allow-listed: this requests whatever it is given. */
  send(webhook: string, reply: BotReply): Promise<void>;
}

/**
 * Replies posted from this thread with one axios instance. `http` defaults to a client that takes
 * no proxy from the environment: replies go straight to the allow-listed host.
 */
export function createSessionReplies({ http = axios.create({ proxy: false }), timeoutMs }: { http?: AxiosInstance; timeoutMs: number }): SessionReplies {
  return { send: (webhook, reply) => sendSessionReply(http, webhook, reply, timeoutMs) };
}

/**
 * Posts a reply to a session webhook the caller has already allow-listed. Errors never carry the
 * URL (it embeds the session token) nor axios' config. A refused connection or a 5xx is worth one
 * more try; a timeout is not, because the first post may have arrived.
 */
export async function sendSessionReply(http: AxiosInstance, webhook: string, reply: BotReply, timeoutMs: number): Promise<void> {
  let response;
  try {
    response = await http.post<unknown>(webhook, toMarkdownMessage(reply), {
      timeout: timeoutMs,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      validateStatus: () => true,
      maxRedirects: 0,
    });
  } catch (err) {
    const code = axios.isAxiosError(err) ? (err.code ?? 'network error') : 'network error';
    throw new SessionReplyError(`session reply failed: ${code}`, RETRYABLE_CODES.has(code));
  }
  if (response.status >= 500) throw new SessionReplyError(`session reply failed: HTTP ${response.status}`, true);
  if (response.status >= 300) throw new SessionReplyError(`session reply failed: HTTP ${response.status}`, false);
  const data = response.data as { errcode?: unknown; errmsg?: unknown } | undefined;
  if (data && typeof data === 'object' && data.errcode !== undefined && data.errcode !== 0) {
    const errmsg = typeof data.errmsg === 'string' ? data.errmsg : '';
    throw new SessionReplyError(`session reply refused: errcode ${JSON.stringify(data.errcode)} ${errmsg}`.trim(), data.errcode === -1);
  }
}
