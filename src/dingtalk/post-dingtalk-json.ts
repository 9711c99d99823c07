import type { AxiosStatic } from 'axios';
import { DingTalkNetworkError } from './dingtalk-network-error.js';
import { redactSecrets } from './redact-secrets.js';

/** DingTalk's answer to a send: `errcode` 0 means accepted; the OpenAPI's string `code` otherwise. */
export interface DingTalkAnswer {
  errcode: number | string;
  errmsg: string;
}

export interface PostDingTalkJsonOptions {
  /** The full URL, query and credentials included; it never leaves this function. */
  url: string;
  /** JSON text, sent as is so its size is the one that was checked. */
  body: string;
  /** What is being called, without query or credentials; used in errors, e.g. `POST /robot/send (group "x")`. */
  endpoint: string;
  timeoutMs: number;
  /** Aborts the request when the client closes. */
  signal: AbortSignal;
  /** Values to strip from any text that came back (token, timestamp, sign). */
  secrets: readonly string[];
  /** Extra request headers (the OpenAPI's `x-acs-dingtalk-access-token`); never put in an error. */
  headers?: Readonly<Record<string, string>>;
}

// Loaded by the first request to DingTalk: a bot that has not posted yet (or only prints its posts,
// without credentials) does not hold it, about 4.7 MB of the main thread's heap (measured after a
// full collection).
let loadedAxios: AxiosStatic | undefined;

/**
 * A POST of JSON text, answered as text whatever the status; redirects are refused (one would
 * carry a token or secret to wherever it points). The one axios call for DingTalk requests.
 */
export async function postJsonText(url: string, body: string, signal: AbortSignal, headers: Readonly<Record<string, string>> = {}): Promise<{ status: number; text: string }> {
  const axios = (loadedAxios ??= (await import('axios')).default);
  const response = await axios.post<string>(url, body, {
    headers: { ...headers, 'Content-Type': 'application/json; charset=utf-8' },
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxRedirects: 0,
    maxContentLength: 64 * 1024,
    signal,
  });
  return { status: response.status, text: typeof response.data === 'string' ? response.data : '' };
}

/** Only an axios error's code is kept: its message and config may contain the URL or the body. */
export function axiosErrorCode(error: unknown): string | undefined {
  // No axios error can exist before the first request has loaded axios.
  return loadedAxios?.isAxiosError(error) === true && typeof error.code === 'string' && /^[A-Z0-9_]{2,40}$/.test(error.code) && error.code !== 'ERR_CANCELED' ? error.code : undefined;
}

/**
 * Reads DingTalk's answer out of a JSON body, or undefined when it is not one. `redact` strips
 * the request's secrets from text that came back. The default reads `{errcode, errmsg}`.
 */
export type AnswerReader<T> = (json: unknown, redact: (text: string) => string) => T | undefined;

/**
 * One POST to DingTalk. Resolves with DingTalk's `{errcode, errmsg}` whatever the code; throws a
 * DingTalkNetworkError for everything else. This is the boundary where axios errors, which carry
 * the full URL and config, are replaced by errors that carry neither.
 */
export function postDingTalkJson(options: PostDingTalkJsonOptions): Promise<DingTalkAnswer>;
export function postDingTalkJson<T>(options: PostDingTalkJsonOptions, readAnswer: AnswerReader<T>): Promise<T>;
export async function postDingTalkJson<T>(options: PostDingTalkJsonOptions, readAnswer?: AnswerReader<T>): Promise<T | DingTalkAnswer> {
  const { endpoint, timeoutMs } = options;
  const controller = new AbortController();
  let timedOut = false;
  // One deadline for the whole exchange; axios' own `timeout` only notices an idle socket.
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onClose = () => controller.abort();
  options.signal.addEventListener('abort', onClose);
  if (options.signal.aborted) controller.abort();
  let status: number;
  let text: string;
  try {
    ({ status, text } = await postJsonText(options.url, options.body, controller.signal, options.headers));
  } catch (error) {
    if (timedOut) throw new DingTalkNetworkError(endpoint, 'timeout', `no answer within ${timeoutMs} ms`);
    if (options.signal.aborted) throw new DingTalkNetworkError(endpoint, 'aborted', 'aborted: the client was closed');
    const code = axiosErrorCode(error);
    throw new DingTalkNetworkError(endpoint, 'connection', `connection failed${code ? ` (${code})` : ''}`, undefined, code);
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onClose);
  }
  if (status >= 500) throw new DingTalkNetworkError(endpoint, 'http-status', `HTTP ${status}`, status);
  const redact = (value: string) => redactSecrets(value, options.secrets);
  const answer = (readAnswer ?? readErrcodeAnswer)(parseJson(text), redact);
  if (answer) return answer;
  if (status < 200 || status > 299) throw new DingTalkNetworkError(endpoint, 'http-status', `HTTP ${status}`, status);
  throw new DingTalkNetworkError(endpoint, 'bad-response', `HTTP ${status} without DingTalk's errcode JSON`, status);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readErrcodeAnswer(parsed: unknown, redact: (text: string) => string): DingTalkAnswer | undefined {
  if (typeof parsed !== 'object' || parsed === null || !('errcode' in parsed)) return undefined;
  const errcode = Number(parsed.errcode);
  if (!Number.isInteger(errcode)) return undefined;
  const errmsg = 'errmsg' in parsed && typeof parsed.errmsg === 'string' ? parsed.errmsg : '';
  return { errcode, errmsg: redact(errmsg) };
}
