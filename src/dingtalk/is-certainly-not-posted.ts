import { DingTalkApiError } from './dingtalk-api-error.js';
import { DingTalkNetworkError } from './dingtalk-network-error.js';

// Failures before a connection exists: the request never left.
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * Whether a failed send certainly did not reach the chat: DingTalk answered (a refusal, or an HTTP
 * error other than a gateway timeout), or no connection was ever made. A timeout, a connection
 * dropped once the request was written, a 504 or an unreadable 2xx may have posted it.
 */
export function isCertainlyNotPosted(error: unknown): boolean {
  if (error instanceof DingTalkApiError) return true;
  if (!(error instanceof DingTalkNetworkError)) return false;
  if (error.kind === 'http-status') return error.status !== 504;
  return error.kind === 'connection' && error.code !== undefined && NEVER_CONNECTED.has(error.code);
}
