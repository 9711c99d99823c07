import type { Logger } from '../logger.js';
import { DingTalkApiError } from './dingtalk-api-error.js';
import { postDingTalkJson } from './post-dingtalk-json.js';

/** The app's OpenAPI access token, fetched with its AppKey and AppSecret and cached. */
export interface AccessTokens {
  /** The cached token, or a fresh one when there is none or it expires within the margin. */
  get(): Promise<string>;
  /**
   * A token other than `rejected`, which DingTalk called invalid: the cached one if another caller
   * refreshed meanwhile, else a fresh one. One fetch however many callers ask at once.
   */
  refresh(rejected: string): Promise<string>;
  /** Tokens fetched by this process so far (for logs and the measurements in the README). */
  fetches(): number;
}

export interface AccessTokensOptions {
  /** `dingtalk.openapiBase`, e.g. https://api.dingtalk.com. */
  openapiBase: string;
  appKey: string;
  appSecret: string;
  logger: Logger;
  now?: () => number;
  timeoutMs?: number;
  /** A token is replaced this long before DingTalk says it expires. Default 5 minutes. */
  marginMs?: number;
  /** Aborts a fetch in flight when the client closes. */
  signal?: AbortSignal;
}

const ENDPOINT = 'POST /v1.0/oauth2/accessToken';

/**
 * `POST {openapiBase}/v1.0/oauth2/accessToken {appKey, appSecret}` → `{accessToken, expireIn}`
 * (seconds, 7200 in DingTalk's documentation). Kept in this process only: each instance fetches
 * its own, once per expiry (DingTalk keeps several valid tokens per app), so the token is never
 * written to the state store or a log. Concurrent callers share one fetch.
 */
export function createAccessTokens(options: AccessTokensOptions): AccessTokens {
  const log = options.logger.child({ module: 'access-token' });
  const now = options.now ?? Date.now;
  const marginMs = options.marginMs ?? 5 * 60_000;
  const url = new URL('v1.0/oauth2/accessToken', options.openapiBase.endsWith('/') ? options.openapiBase : `${options.openapiBase}/`).href;
  let cached: { token: string; expiresAt: number } | undefined;
  let fetching: Promise<string> | undefined;
  let fetched = 0;

  const fetchToken = async (): Promise<string> => {
    fetched += 1;
    const body = JSON.stringify({ appKey: options.appKey, appSecret: options.appSecret });
    const answer = await postDingTalkJson(
      { url, body, endpoint: ENDPOINT, timeoutMs: options.timeoutMs ?? 10_000, signal: options.signal ?? new AbortController().signal, secrets: [options.appSecret] },
      (json, redact): { token: string; expireIn: number } | { code: string; message: string } | undefined => {
        if (typeof json !== 'object' || json === null) return undefined;
        const { accessToken, expireIn, code, message } = json as Record<string, unknown>;
        if (typeof accessToken === 'string' && accessToken !== '' && typeof expireIn === 'number') return { token: accessToken, expireIn };
        if (typeof code === 'string') return { code, message: redact(typeof message === 'string' ? message : '') };
        return undefined;
      },
    );
    if ('code' in answer) throw new DingTalkApiError(ENDPOINT, answer.code, answer.message);
    cached = { token: answer.token, expiresAt: now() + answer.expireIn * 1000 };
    log.info({ expiresInSeconds: answer.expireIn, fetches: fetched }, 'access token fetched');
    return answer.token;
  };

  const fresh = (): Promise<string> =>
    (fetching ??= fetchToken().finally(() => {
      fetching = undefined;
    }));

  return {
    get() {
      if (cached && now() < cached.expiresAt - marginMs) return Promise.resolve(cached.token);
      return fresh();
    },
    refresh(rejected) {
      if (cached && cached.token !== rejected) return Promise.resolve(cached.token);
      if (cached?.token === rejected) cached = undefined;
      return fresh();
    },
    fetches: () => fetched,
  };
}
