const MAX_TEXT = 200;

/**
 * Removes each secret (in its raw and URL-encoded forms) from text that came from outside, such
 * as DingTalk's `errmsg`, and caps its length. Defence in depth: DingTalk is not known to echo the
 * token or sign, but a proxy's error page might echo the whole URL.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret === '') continue;
    for (const form of new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)])) {
      out = out.split(form).join('[redacted]');
    }
  }
  return out.length > MAX_TEXT ? `${out.slice(0, MAX_TEXT)}…` : out;
}
