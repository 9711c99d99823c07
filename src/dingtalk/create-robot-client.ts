import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import { backoffDelay } from './backoff-delay.js';
import { computeSign } from './compute-sign.js';
import { createSendWindow, type SendWindow } from './create-send-window.js';
import type { RateLedger } from './rate-ledger.js';
import { DingTalkApiError } from './dingtalk-api-error.js';
import { DingTalkNetworkError } from './dingtalk-network-error.js';
import { isRateLimitAnswer } from './is-rate-limit-answer.js';
import { postDingTalkJson } from './post-dingtalk-json.js';
import { RobotClientClosedError } from './robot-client-closed-error.js';
import type { RobotClient, RobotMessage, RobotTarget, SendReceipt } from './robot-client.js';
import { serializeRobotBody } from './serialize-robot-body.js';

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
  /** Keeps the rate window and throttle pauses across restarts (and instances); in memory only when absent. */
  rateLedger?: RateLedger;
}

interface Robot {
  /** The robot's name in the rate ledger: a digest of its token. */
  key: string;
  window: SendWindow;
  /** Nothing is sent to this robot before this time (epoch ms): DingTalk throttles it. */
  pausedUntil: number;
  /** Settles when the robot's last queued message has been delivered or has failed. */
  tail: Promise<unknown>;
}

const ENDPOINT = 'POST /robot/send';

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

  // Keyed by access token: the limit belongs to the robot, whatever group name the caller uses.
  const robots = new Map<string, Robot>();
  const pending = new Set<Promise<unknown>>();
  const closing = new AbortController();
  const closed = new Promise<void>((resolve) => closing.signal.addEventListener('abort', () => resolve()));

  // Waits end early on close, so close() never leaves a queue (or the process) sleeping for ten minutes.
  const injectedSleep = options.sleep;
  const sleep = injectedSleep
    ? (ms: number) => Promise.race([injectedSleep(ms), closed])
    : (ms: number) => delay(ms, undefined, { signal: closing.signal }).catch(() => undefined);

  const ledger = options.rateLedger;
  const ledgerKey = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 16);

  const robotFor = (token: string): Robot => {
    let robot = robots.get(token);
    if (!robot) {
      const window = createSendWindow(perMinute, windowMs);
      const key = ledgerKey(token);
      // Sends and pauses of earlier processes count as if made here. The ledger holds the moment a
      // request left, but the window counts a send from when its answer came back (see
      // createSendWindow): that was at most the timeout later. Counting from the moment it left let a
      // restarted process send at the very edge of DingTalk's minute, a few ms too early, and be throttled.
      const earlier = ledger?.load(key) ?? { sends: [], pausedUntil: 0 };
      for (const at of earlier.sends) window.record(at + timeoutMs);
      robot = { window, pausedUntil: earlier.pausedUntil, tail: Promise.resolve(), key };
      robots.set(token, robot);
    }
    return robot;
  };

  /** Waits until the robot is neither paused nor at its limit. */
  const waitTurn = async (robot: Robot, group: string) => {
    for (;;) {
      if (closing.signal.aborted) throw new RobotClientClosedError(group);
      const t = now();
      const waitMs = Math.max(robot.pausedUntil - t, robot.window.waitMs(t));
      if (waitMs <= 0) return;
      log.debug({ group, waitMs }, 'waiting for the robot rate limit');
      await sleep(waitMs);
    }
  };

  const deliver = async (robot: Robot, target: RobotTarget, body: string, msgUuid: string): Promise<SendReceipt> => {
    const endpoint = `${ENDPOINT} (group "${target.group}")`;
    const { group } = target;
    let made = 0;
    let failures = 0;
    let throttles = 0;
    for (;;) {
      await waitTurn(robot, group);
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
      made += 1;
      ledger?.recordSend(robot.key, now());
      let error: DingTalkApiError | DingTalkNetworkError;
      try {
        const answer = await postDingTalkJson({
          url: `${sendUrl.href}?${query.toString()}`,
          body,
          endpoint,
          timeoutMs,
          signal: closing.signal,
          secrets,
        });
        robot.window.record(now());
        if (answer.errcode === 0) {
          log.info({ group, msgUuid, attempts: made }, 'robot message sent');
          return { group, msgUuid, attempts: made, deliveredAt: now() };
        }
        error = new DingTalkApiError(endpoint, answer.errcode, answer.errmsg);
        // DingTalk throttles the robot whether or not this message is tried again, so the pause
        // holds for the next message too.
        const throttled = isRateLimitAnswer(answer.errcode, answer.errmsg);
        if (throttled) {
          robot.pausedUntil = now() + throttleMs;
          ledger?.recordPause(robot.key, robot.pausedUntil);
        }
        if (throttled && throttles < maxThrottleResends) {
          throttles += 1;
          log.warn({ group, msgUuid, errcode: answer.errcode, pauseMs: throttleMs }, 'robot throttled by DingTalk; pausing it before resending');
          continue;
        }
      } catch (thrown) {
        robot.window.record(now());
        if (!(thrown instanceof DingTalkNetworkError)) throw thrown;
        error = thrown;
      }
      failures += 1;
      const retryable = error instanceof DingTalkNetworkError ? error.retryable : error.errcode === -1;
      const reason = error instanceof DingTalkNetworkError ? { kind: error.kind, status: error.status, code: error.code } : { errcode: error.errcode, errmsg: error.errmsg };
      if (!retryable || failures >= attempts || closing.signal.aborted) {
        log.warn({ group, msgUuid, attempts: made, ...reason }, 'robot message not sent');
        throw error;
      }
      const delayMs = backoffDelay(failures, baseDelayMs, maxDelayMs, random);
      log.warn({ group, msgUuid, attempt: made, delayMs, ...reason }, 'robot send failed; retrying');
      await sleep(delayMs);
    }
  };

  return {
    send(target, message: RobotMessage) {
      if (closing.signal.aborted) return Promise.reject(new RobotClientClosedError(target.group));
      const msgUuid = message.msgUuid ?? uuid();
      let body: string;
      try {
        body = serializeRobotBody(message, msgUuid);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      const robot = robotFor(target.accessToken);
      // FIFO per robot: this message starts once the previous one has settled, whatever its outcome.
      const result = robot.tail.then(() => deliver(robot, target, body, msgUuid));
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

    close() {
      closing.abort();
    },
  };
}
