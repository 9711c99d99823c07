/**
 * - `timeout`: no answer within the time limit (DingTalk may still have received the message)
 * - `connection`: refused, reset, dropped, DNS and other transport failures
 * - `http-status`: an HTTP status that is not DingTalk's usual 200 (5xx, 429, a proxy's 404…)
 * - `bad-response`: the answer was not DingTalk's `{errcode, errmsg}` JSON
 * - `aborted`: the client was closed while the request was in flight
 */
export type DingTalkNetworkErrorKind = 'timeout' | 'connection' | 'http-status' | 'bad-response' | 'aborted';

/**
 * The call did not get a DingTalk answer. Built from scratch at the client boundary: the
 * underlying axios error is never attached, because it holds the full URL with the token and sign.
 */
export class DingTalkNetworkError extends Error {
  override readonly name = 'DingTalkNetworkError';

  /**
   * @param endpoint what was called, without query or credentials
   * @param detail a short, secret-free description, e.g. `timeout after 10000 ms`
   * @param status the HTTP status for `http-status`
   * @param code the system error code for `connection`, e.g. `ECONNRESET`
   */
  constructor(
    readonly endpoint: string,
    readonly kind: DingTalkNetworkErrorKind,
    detail: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(`${endpoint}: ${detail}`);
  }

  /** Whether trying again may help: everything but a closed client and a definite 4xx/3xx refusal. */
  get retryable(): boolean {
    if (this.kind === 'aborted') return false;
    if (this.kind === 'http-status' && this.status !== undefined) return this.status >= 500 || this.status === 429;
    return true;
  }
}
