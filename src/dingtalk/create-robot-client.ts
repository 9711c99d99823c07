import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import { backoffDelay } from './backoff-delay.js';
import { computeSign } from './compute-sign.js';
import { createMemoryRateLedger } from './create-memory-rate-ledger.js';
import type { RateLedger } from './rate-ledger.js';
import { DingTalkApiError } from './dingtalk-api-error.js';
import { DingTalkNetworkError } from './dingtalk-network-error.js';
import { isRateLimitAnswer } from './is-rate-limit-answer.js';
import { postDingTalkJson, type DingTalkAnswer } from './post-dingtalk-json.js';
import { RobotClientClosedError } from './robot-client-closed-error.js';
import { isAppRobotTarget, type RobotClient, type RobotMessage, type RobotTarget, type SendJournal, type SendReceipt, type WebhookTarget } from './robot-client.js';
import { serializeRobotBody } from './serialize-robot-body.js';
import { serializeAppRobotBody } from './serialize-app-robot-body.js';
import type { AccessTokens } from './create-access-tokens.js';
import { isCertainlyNotPosted } from './is-certainly-not-posted.js';
import { isInvalidTokenAnswer } from './is-invalid-token-answer.js';
import type { Metrics } from '../metrics/create-metrics.js';

export interface RobotClientOptions {
  /** DingTalk's API base, e.g. `https://oapi.dingtalk.com` (config `dingtalk.apiBase`); tests pass the fake's URL. */
  apiBase: string;
  logger: Logger;
  /** Epoch ms; signs each attempt and drives the rate window. Default `Date.now`. */
  now?: () => number;
  /**
   * Waits for backoff, the rate window and throttling. Default: a `setTimeout` promise. A test
   * double must let `now()` move on by `ms` (a virtual clock), or rate waits never end.
   */
  sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1) for backoff jitter. Default `Math.random`. */
  random?: () => number;
  /** Makes a `msgUuid` when the message has none. Default `crypto.randomUUID`. */
  uuid?: () => string;
  /** Limit for one HTTP exchange. Default 10 000 ms. */
  timeoutMs?: number;
  retry?: {
    /** HTTP attempts per message for retryable failures (network, timeout, 5xx, errcode -1). Default 5. */
    attempts?: number;
    /** Default 1 000 ms. */
    baseDelayMs?: number;
    /** Default 60 000 ms. */
    maxDelayMs?: number;
  };
  rate?: {
    /** Sends (attempts, retries included) per robot in any window. Default 20, DingTalk's limit. */
    perMinute?: number;
    /** Default 60 000 ms. */
    windowMs?: number;
    /** How long DingTalk throttles a robot that went too fast; the robot pauses this long. Default 600 000 ms. */
    throttleMs?: number;
    /** Resends after throttling before giving up, so a robot shared with another sender cannot stall forever. Default 3. */
    maxThrottleResends?: number;
  };
  /** Shares the robots' send slots and throttle pauses with restarts and other instances; in memory only when absent. */
  rateLedger?: RateLedger;
  /** Counts every HTTP attempt by group and DingTalk's errcode. */
  metrics?: Pick<Metrics, 'robotSends'>;
  /** Posts to AppRobotTarget groups through `groupMessages/send`; without it such a send is refused. */
  appRobot?: {
    /** `dingtalk.openapiBase`. */
    openapiBase: string;
    /** The app's robot code: its AppKey unless DINGTALK_ROBOT_CODE says otherwise. */
    robotCode: string;
    tokens: AccessTokens;
  };
}

interface Robot {
  /** The robot's name in the rate ledger: a digest of its token. */
  key: string;
  /** Settles when the robot's last queued message has been delivered or has failed. */
  tail: Promise<unknown>;
}

const ENDPOINT = 'POST /robot/send';
const APP_ENDPOINT = 'POST /v1.0/robot/groupMessages/send';

/** The OpenAPI's answer to a group send: a `processQueryKey` when posted, `{code, message}` otherwise. */
function readAppAnswer(json: unknown, redact: (text: string) => string): DingTalkAnswer | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { processQueryKey, code, message } = json as Record<string, unknown>;
  if (typeof code === 'string' && code !== '') return { errcode: code, errmsg: redact(typeof message === 'string' ? message : '') };
  if (typeof processQueryKey === 'string' && processQueryKey !== '') return { errcode: 0, errmsg: 'ok' };
  return undefined;
}

/**
 * The custom group robot client (protocol reference §4): signed sends, a per-robot FIFO queue,
 * DingTalk's 20-per-minute limit kept on our side, retries with backoff for transient failures,
 * a pause when DingTalk throttles anyway. Tokens, timestamps and signs never reach a log line or
 * an error.
 */
export function createRobotClient(options: RobotClientOptions): RobotClient {
  const log = options.logger.child({ module: 'robot-client' });
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const uuid = options.uuid ?? randomUUID;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const attempts = options.retry?.attempts ?? 5;
  const baseDelayMs = options.retry?.baseDelayMs ?? 1_000;
  const maxDelayMs = options.retry?.maxDelayMs ?? 60_000;
  const perMinute = options.rate?.perMinute ?? 20;
  const windowMs = options.rate?.windowMs ?? 60_000;
  const throttleMs = options.rate?.throttleMs ?? 600_000;
  const maxThrottleResends = options.rate?.maxThrottleResends ?? 3;
  const sendUrl = new URL('robot/send', options.apiBase.endsWith('/') ? options.apiBase : `${options.apiBase}/`);
  const app = options.appRobot;
  const appSendUrl = app ? new URL('v1.0/robot/groupMessages/send', app.openapiBase.endsWith('/') ? app.openapiBase : `${app.openapiBase}/`).href : '';

  // Keyed by access token: the limit belongs to the robot, whatever group name the caller uses. App-robot
  // groups are keyed by conversation: DingTalk publishes no limit for them, so each keeps the webhook's.
  const robots = new Map<string, Robot>();
  const pending = new Set<Promise<unknown>>();
  // Two stages: `stopping` (drain) starts no new request; `closing` (close) also aborts the ones in flight.
  const stopping = new AbortController();
  const closing = new AbortController();
  const stopped = new Promise<void>((resolve) => stopping.signal.addEventListener('abort', () => resolve()));

  // Waits end early on drain or close, so neither leaves a queue (or the process) sleeping for ten minutes.
  const injectedSleep = options.sleep;
  const sleep = injectedSleep
    ? (ms: number) => Promise.race([injectedSleep(ms), stopped])
    : (ms: number) => delay(ms, undefined, { signal: stopping.signal }).catch(() => undefined);

  const ledger = options.rateLedger ?? createMemoryRateLedger();
  const ledgerKey = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 16);

  const robotFor = (token: string): Robot => {
    let robot = robots.get(token);
    if (!robot) {
      robot = { key: ledgerKey(token), tail: Promise.resolve() };
      robots.set(token, robot);
    }
    return robot;
  };

  /** Waits until the robot is neither paused nor at its limit, then takes a send slot for one attempt. */
  const takeSlot = async (robot: Robot, group: string): Promise<string> => {
    const id = randomUUID();
    for (;;) {
      if (stopping.signal.aborted) throw new RobotClientClosedError(group);
      const t = now();
      // Dated as late as the request could reach DingTalk, until its answer re-dates it.
      const waitMs = await ledger.reserve(robot.key, { id, now: t, until: t + timeoutMs, limit: perMinute, windowMs });
      if (waitMs <= 0) return id;
      log.debug({ group, waitMs }, 'waiting for the robot rate limit');
      await sleep(waitMs);
    }
  };

  // Re-dating is a refinement: the slot is already held until the latest arrival, so a failure to
  // record the answer's time must not turn a delivered message into a failed one.
  const finishSlot = (robot: Robot, slot: string) =>
    ledger.finish(robot.key, slot, now()).catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'rate ledger not updated'));

  const postToWebhook = (target: WebhookTarget, body: string, endpoint: string): Promise<DingTalkAnswer> => {
    // A fresh timestamp per attempt: DingTalk refuses one older than an hour.
    const timestamp = String(now());
    const query = new URLSearchParams({ access_token: target.accessToken });
    const secrets = [target.accessToken, timestamp];
    if (target.secret) {
      const sign = computeSign(timestamp, target.secret);
      // The raw Base64 goes in: URLSearchParams encodes it exactly once.
      query.set('timestamp', timestamp);
      query.set('sign', sign);
      secrets.push(sign);
    }
    return postDingTalkJson({ url: `${sendUrl.href}?${query.toString()}`, body, endpoint, timeoutMs, signal: closing.signal, secrets });
  };

  /**
   * One attempt through the app robot: the journal hears of each request that could post, and
   * `sent.request` says whether one left (a failure before it, such as fetching the token, posted
   * nothing). An invalid-token answer posted nothing either: the token is refreshed and the
   * request made once more.
   */
  const postToApp = async (body: string, endpoint: string, journal: SendJournal | undefined, sent: { request: boolean }): Promise<DingTalkAnswer> => {
    if (!app) throw new Error('app-robot target without the app robot configured');
    const post = async (token: string) => {
      await journal?.attempting();
      sent.request = true;
      const answer = await postDingTalkJson(
        { url: appSendUrl, body, endpoint, timeoutMs, signal: closing.signal, secrets: [token], headers: { 'x-acs-dingtalk-access-token': token } },
        readAppAnswer,
      );
      sent.request = false;
      return answer;
    };
    const token = await app.tokens.get();
    const answer = await post(token);
    if (!isInvalidTokenAnswer(answer.errcode)) return answer;
    log.warn({ errcode: answer.errcode }, 'access token refused by DingTalk; refreshing it and sending once more');
    return post(await app.tokens.refresh(token));
  };

  const deliver = async (robot: Robot, target: RobotTarget, body: string, msgUuid: string, journal: SendJournal | undefined): Promise<SendReceipt> => {
    const toApp = isAppRobotTarget(target);
    const endpoint = `${toApp ? APP_ENDPOINT : ENDPOINT} (group "${target.group}")`;
    const { group } = target;
    let made = 0;
    let failures = 0;
    let throttles = 0;
    for (;;) {
      const slot = await takeSlot(robot, group);
      made += 1;
      let error: DingTalkApiError | DingTalkNetworkError;
      const sent = { request: false };
      try {
        const answer = toApp ? await postToApp(body, endpoint, journal, sent) : await postToWebhook(target, body, endpoint);
        await finishSlot(robot, slot);
        options.metrics?.robotSends.inc({ group, errcode: String(answer.errcode) });
        if (answer.errcode === 0) {
          log.info({ group, msgUuid, attempts: made }, 'robot message sent');
          return { group, msgUuid, attempts: made, deliveredAt: now() };
        }
        error = new DingTalkApiError(endpoint, answer.errcode, answer.errmsg);
        // DingTalk throttles the robot whether or not this message is tried again, so the pause
        // holds for the next message too.
        const throttled = isRateLimitAnswer(answer.errcode, answer.errmsg);
        if (throttled) await ledger.pause(robot.key, now() + throttleMs);
        if (throttled && throttles < maxThrottleResends) {
          throttles += 1;
          log.warn({ group, msgUuid, errcode: answer.errcode, pauseMs: throttleMs }, 'robot throttled by DingTalk; pausing it before resending');
          if (toApp) await journal?.notPosted();
          continue;
        }
      } catch (thrown) {
        await finishSlot(robot, slot);
        if (!(thrown instanceof DingTalkNetworkError || thrown instanceof DingTalkApiError)) throw thrown;
        if (thrown instanceof DingTalkNetworkError) options.metrics?.robotSends.inc({ group, errcode: 'network' });
        error = thrown;
      }
      if (toApp && sent.request && !isCertainlyNotPosted(error)) {
        // No duplicate check exists for this send: a second request could post it twice.
        log.warn({ group, attempts: made, ...describe(error) }, 'app-robot message may or may not be posted: not resent');
        throw error;
      }
      if (toApp) await journal?.notPosted();
      failures += 1;
      const retryable = error instanceof DingTalkNetworkError ? error.retryable : error.errcode === -1;
      const reason = describe(error);
      if (!retryable || failures >= attempts || closing.signal.aborted) {
        log.warn({ group, msgUuid, attempts: made, ...reason }, 'robot message not sent');
        throw error;
      }
      if (stopping.signal.aborted) {
        log.warn({ group, msgUuid, attempts: made, ...reason }, 'robot message not sent: the client is draining, so it is not retried');
        // DingTalk answered (busy), so the message is not in the chat; after a network failure it may be.
        throw error instanceof DingTalkApiError ? new RobotClientClosedError(group) : error;
      }
      const delayMs = backoffDelay(failures, baseDelayMs, maxDelayMs, random);
      log.warn({ group, msgUuid, attempt: made, delayMs, ...reason }, 'robot send failed; retrying');
      await sleep(delayMs);
    }
  };

  return {
    send(target, message: RobotMessage, journal) {
      if (stopping.signal.aborted) return Promise.reject(new RobotClientClosedError(target.group));
      const msgUuid = message.msgUuid ?? uuid();
      let body: string;
      try {
        if (isAppRobotTarget(target) && !app) throw new Error(`group "${target.group}" is reached through the app robot, which needs DINGTALK_APP_KEY and DINGTALK_APP_SECRET`);
        body = isAppRobotTarget(target) && app ? serializeAppRobotBody(message, app.robotCode, target.openConversationId) : serializeRobotBody(message, msgUuid);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      const robot = robotFor(robotName(target));
      // FIFO per robot: this message starts once the previous one has settled, whatever its outcome.
      const result = robot.tail.then(() => deliver(robot, target, body, msgUuid, journal));
      const settled = result.then(
        () => undefined,
        () => undefined,
      );
      robot.tail = settled;
      pending.add(settled);
      void settled.then(() => pending.delete(settled));
      return result;
    },

    async idle() {
      // Loop: messages sent while waiting join the set.
      while (pending.size > 0) await Promise.all([...pending]);
    },

    async drain() {
      stopping.abort();
      while (pending.size > 0) await Promise.all([...pending]);
    },

    close() {
      stopping.abort();
      closing.abort();
    },
  };
}

/** The queue and rate-ledger name of a destination: a webhook's token, an app-robot group's conversation. */
function robotName(target: RobotTarget): string {
  return isAppRobotTarget(target) ? `app-robot\n${target.openConversationId}` : target.accessToken;
}

function describe(error: DingTalkApiError | DingTalkNetworkError): Record<string, unknown> {
  return error instanceof DingTalkNetworkError ? { kind: error.kind, status: error.status, code: error.code } : { errcode: error.errcode, errmsg: error.errmsg };
}
