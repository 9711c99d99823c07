/** A session webhook a reply may be POSTed to, or why not. */
export type SessionWebhookCheck = { allowed: true; webhook: string } | { allowed: false; refusal: string };

/** Longer than any DNS name and port: what a payload puts beyond that is not worth a log line. */
const MAX_HOST_SHOWN = 260;

/**
 * Whether a reply may be POSTed to a callback's sessionWebhook: only to an allow-listed
 * `host[:port]` (compared exactly, so look-alike domains and other ports never match), over
 * http(s), without credentials in the URL, and before it expires. Everything else a payload
 * names is never requested. A refusal is logged, so it names the host at most: never the path
 * or query (they hold the session's token), nor credentials.
 */
export function checkSessionWebhook(
  webhook: string | undefined,
  expiresAtMs: number | undefined,
  allowedHosts: readonly string[],
  nowMs: number,
): SessionWebhookCheck {
  const refused = (refusal: string): SessionWebhookCheck => ({ allowed: false, refusal });
  if (!webhook) return refused('the callback has no session webhook');
  let url: URL;
  try {
    url = new URL(webhook);
  } catch {
    return refused('the session webhook is not a URL');
  }
  // url.host omits a default port, so "oapi.dingtalk.com" matches https://oapi.dingtalk.com/… only.
  const host = url.host.toLowerCase();
  const on = host ? ` on ${host.length > MAX_HOST_SHOWN ? `${host.slice(0, MAX_HOST_SHOWN)}…` : host}` : '';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return refused(`the session webhook${on} is not http(s)`);
  if (url.username || url.password) return refused(`the session webhook${on} carries credentials`);
  if (!allowedHosts.includes(host)) return refused(`the session webhook${on} is not in DINGTALK_SESSION_HOSTS (dingtalk.sessionHosts)`);
  if (expiresAtMs !== undefined && expiresAtMs <= nowMs) {
    const at = new Date(expiresAtMs);
    return refused(`the session webhook${on} expired${Number.isNaN(at.getTime()) ? '' : ` at ${at.toISOString()}`}`);
  }
  return { allowed: true, webhook };
}
