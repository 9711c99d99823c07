/**
 * Whether a reply may be POSTed to a callback's sessionWebhook: only to an allow-listed
 * `host[:port]` (compared exactly, so look-alike domains and other ports never match), over
 * http(s), without credentials in the URL, and before it expires. Everything else a payload
 * names is never requested.
 */
export function isAllowedSessionWebhook(
  webhook: string | undefined,
  expiresAtMs: number | undefined,
  allowedHosts: readonly string[],
  nowMs: number,
): webhook is string {
  if (!webhook) return false;
  if (expiresAtMs !== undefined && expiresAtMs <= nowMs) return false;
  let url: URL;
  try {
    url = new URL(webhook);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (url.username || url.password) return false;
  // url.host omits a default port, so "oapi.dingtalk.com" matches https://oapi.dingtalk.com/… only.
  return allowedHosts.includes(url.host.toLowerCase());
}
