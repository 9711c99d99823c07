// Stream mode only: the HTTP-callback bot never loads ws (1.5 MB of the main thread's heap).
import type { default as WebSocket, RawData } from 'ws';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import { backoffDelay } from './backoff-delay.js';
import { axiosErrorCode, postJsonText } from './post-dingtalk-json.js';
import { createStreamMetrics, type ReconnectCause, type StreamMetrics } from '../metrics/create-stream-metrics.js';

/** The topic robot messages arrive on, as CALLBACK frames. */
export const ROBOT_TOPIC = '/v1.0/im/bot/messages/get';
/** Where a connection ticket is asked for, under the OpenAPI base. */
export const OPEN_PATH = '/v1.0/gateway/connections/open';
/** What a robot message's ack carries: DingTalk does not use it (developerpedia, stream protocol). */
const ROBOT_ACK_DATA = JSON.stringify({ response: null });

export interface StreamTiming {
  /** A WebSocket ping every this long; its pong, like any frame, shows the connection is alive. */
  pingIntervalMs: number;
  /** A connection that brings nothing (no frame, no pong) for this long is replaced. */
  silenceTimeoutMs: number;
  /** Backoff after failures: full jitter under min(max, base·2^(failures-1)). */
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** A connection that lived this long resets the failure count. */
  healthyAfterMs: number;
  /** After a refused open for bad credentials, the next try waits between half of this and all of it. */
  unauthorizedRetryMs: number;
  /** For the open request and the WebSocket handshake each. */
  openTimeoutMs: number;
  /** After `disconnect`, the old connection is closed by us if DingTalk has not closed it this long after (it says 10 s). */
  handoverMs: number;
  /** How long a clean close may take before the socket is cut. */
  closeTimeoutMs: number;
}

export const DEFAULT_STREAM_TIMING: StreamTiming = {
  pingIntervalMs: 10_000,
  silenceTimeoutMs: 30_000,
  reconnectBaseMs: 1000,
  reconnectMaxMs: 60_000,
  healthyAfterMs: 60_000,
  unauthorizedRetryMs: 60_000,
  openTimeoutMs: 10_000,
  handoverMs: 15_000,
  closeTimeoutMs: 2000,
};

export interface StreamClientOptions {
  /** DingTalk's OpenAPI base (`dingtalk.openapiBase`). */
  openapiBase: string;
  /** The app's Client ID (AppKey) and Client Secret (AppSecret). */
  clientId: string;
  clientSecret: string;
  logger: Logger;
  /**
   * A robot message's payload (the CALLBACK frame's `data`, parsed) and the ack of its frame, to be
   * called once the message is taken (claimed in the state store, a few milliseconds): a frame
   * left unacked is pushed again by DingTalk, as a callback refused with 503 is delivered again.
   */
  onRobotMessage(payload: unknown, ack: () => void): void;
  /** Registers the stream metrics here. */
  registry?: Registry;
  timing?: Partial<StreamTiming>;
  random?: () => number;
  /** Names the client to DingTalk (the protocol's `ua`, `name/version`). */
  ua?: string;
}

export interface StreamClient {
  /** Connects, and keeps a connection until close(). */
  start(): void;
  /** Whether a connection is open. */
  connected(): boolean;
  /**
   * Stops taking messages, for a shutdown: CALLBACK frames from now on are neither acked nor handed
   * on, so DingTalk pushes them again (to another connection, or after the restart), while the
   * connection stays up, answering pings, until close(): the answers in flight are sent first.
   */
  drain(): void;
  /** Closes the connection cleanly (code 1000) and stops reconnecting. */
  close(): Promise<void>;
}

interface Frame {
  type: string;
  headers: Record<string, unknown>;
  data?: unknown;
}

interface Live {
  ws: WebSocket;
  id: number;
  openedAt: number;
  /** Resolves when the connection is over: closed, silent, or asked to go by `disconnect` (it may still deliver then). */
  ended: Promise<ReconnectCause>;
  end(cause: ReconnectCause): void;
  closed: Promise<void>;
  /** Set once DingTalk announced `disconnect`: closes it if DingTalk has not. */
  handover?: NodeJS.Timeout;
}

class OpenError extends Error {
  constructor(
    readonly kind: 'refused' | 'unauthorized',
    message: string,
  ) {
    super(message);
    this.name = 'OpenError';
  }
}

const TOPIC_LABELS = new Set([ROBOT_TOPIC, 'ping', 'disconnect', 'CONNECTED', 'REGISTERED', 'KEEPALIVE']);

/**
 * DingTalk Stream mode on `ws`: asks the gateway for a ticket (`POST {openapiBase}/v1.0/gateway/
 * connections/open`), opens the WebSocket at `endpoint?ticket=…`, hands robot messages on with the
 * ack of their frame (sent once the message is taken) and acks every other CALLBACK or EVENT frame at
 * once. One supervisor loop owns the connection, so there is never more
 * than one open, except for the hand-over after a SYSTEM `disconnect`: the next connection is
 * opened first and the old one keeps delivering until DingTalk closes it. Failures back off with
 * jitter; a connection silent past the watchdog is replaced. Not the official SDK: it cannot be
 * pointed at another gateway (its URL is a constant), and it neither hands over on `disconnect`
 * nor watches a silent connection.
 */
export function createStreamClient(options: StreamClientOptions): StreamClient {
  const timing: StreamTiming = { ...DEFAULT_STREAM_TIMING, ...options.timing };
  const random = options.random ?? Math.random;
  const log = options.logger.child({ module: 'stream' });
  const openUrl = `${options.openapiBase.replace(/\/+$/, '')}${OPEN_PATH}`;
  const lives = new Set<Live>();
  const isOpen = (live: Live) => live.ws.readyState === live.ws.OPEN;
  const metrics: StreamMetrics | undefined = options.registry
    ? createStreamMetrics(options.registry, () => ({ connected: [...lives].some(isOpen), connections: [...lives].filter(isOpen).length }))
    : undefined;
  let closing = false;
  let draining = false;
  let running: Promise<void> | undefined;
  let nextId = 1;
  /** Ends a backoff wait early, for close(). */
  let wake: (() => void) | undefined;
  /** The open under way, for close() to abort. */
  let opening: AbortController | undefined;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const supervise = async () => {
    let failures = 0;
    let unauthorized = false;
    let cause: ReconnectCause | undefined;
    while (!closing) {
      if (cause) {
        metrics?.reconnects.inc({ cause });
        const delayMs =
          cause === 'disconnect'
            ? 0
            : cause === 'unauthorized'
              ? Math.floor(timing.unauthorizedRetryMs / 2 + (random() * timing.unauthorizedRetryMs) / 2)
              : backoffDelay(failures, timing.reconnectBaseMs, timing.reconnectMaxMs, random);
        log.debug({ cause, failures, delayMs }, 'stream reconnecting');
        if (delayMs > 0) await wait(delayMs);
        if (closing) break;
      }
      let live: Live;
      try {
        live = await open();
      } catch (err) {
        if (closing) break;
        const failure = err instanceof OpenError ? err : new OpenError('refused', err instanceof Error ? err.message : String(err));
        if (failure.kind === 'unauthorized') {
          // Once per run of refusals: retrying cannot help until someone fixes the app or the settings.
          if (!unauthorized) {
            log.error(
              { retryInSeconds: Math.round(timing.unauthorizedRetryMs / 1000) },
              `stream connection refused: ${failure.message}: check DINGTALK_APP_KEY (the app's Client ID) and DINGTALK_APP_SECRET (its Client Secret) in the DingTalk developer console; retrying slowly`,
            );
          }
          unauthorized = true;
        } else {
          failures++;
          log.warn({ err: failure.message, failures }, 'stream connection not opened');
        }
        cause = failure.kind;
        continue;
      }
      if (closing) {
        await closeLive(live);
        break;
      }
      unauthorized = false;
      log.info({ connection: live.id, connections: [...lives].filter(isOpen).length }, 'stream connected');
      cause = await live.ended;
      if (closing) break;
      if (performance.now() - live.openedAt >= timing.healthyAfterMs) failures = 0;
      if (cause !== 'disconnect') failures++;
      log.warn({ connection: live.id, cause }, cause === 'disconnect' ? 'stream disconnect announced: opening the next connection' : 'stream connection lost');
    }
  };

  /** Asks for a ticket and opens the WebSocket with it; rejects with an OpenError. */
  const open = async (): Promise<Live> => {
    const controller = new AbortController();
    opening = controller;
    const timer = setTimeout(() => controller.abort(), timing.openTimeoutMs);
    let status: number;
    let text: string;
    try {
      ({ status, text } = await postJsonText(
        openUrl,
        JSON.stringify({
          clientId: options.clientId,
          clientSecret: options.clientSecret,
          subscriptions: [{ type: 'CALLBACK', topic: ROBOT_TOPIC }],
          ua: options.ua ?? 'dingtalk-qa-bot',
        }),
        controller.signal,
        // Without Accept, the gateway answers XML (a comment in the official Node SDK).
        { accept: 'application/json' },
      ));
    } catch (err) {
      throw new OpenError('refused', `open request failed: ${axiosErrorCode(err) ?? (controller.signal.aborted ? 'timeout' : 'network error')}`);
    } finally {
      clearTimeout(timer);
    }
    // DingTalk's own error code (never the body: it is not ours to log).
    const reply = parseJson(text) as { endpoint?: unknown; ticket?: unknown; code?: unknown } | undefined;
    const code = typeof reply?.code === 'string' ? ` ${reply.code.slice(0, 80)}` : '';
    if (status === 401 || status === 403) throw new OpenError('unauthorized', `the gateway answered HTTP ${status}${code}`);
    if (status !== 200) throw new OpenError('refused', `the gateway answered HTTP ${status}${code}`);
    if (typeof reply?.endpoint !== 'string' || typeof reply.ticket !== 'string') throw new OpenError('refused', 'the gateway answered without an endpoint and a ticket');
    let url: URL;
    try {
      url = new URL(reply.endpoint);
    } catch {
      throw new OpenError('refused', 'the gateway answered an endpoint that is not a URL');
    }
    if (url.protocol !== 'wss:' && url.protocol !== 'ws:') throw new OpenError('refused', `the gateway answered a ${url.protocol} endpoint`);
    url.searchParams.set('ticket', reply.ticket);
    const { default: Socket } = await import('ws');
    return connect(Socket, url, controller);
  };

  const connect = (Socket: typeof WebSocket, url: URL, controller: AbortController): Promise<Live> =>
    new Promise((resolve, reject) => {
      const ws = new Socket(url, { handshakeTimeout: timing.openTimeoutMs, perMessageDeflate: false });
      const fail = (reason: string) => {
        controller.signal.removeEventListener('abort', abort);
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(new OpenError('refused', reason));
      };
      const abort = () => fail('closing');
      controller.signal.addEventListener('abort', abort, { once: true });
      ws.once('unexpected-response', (_req, res) => fail(`the WebSocket handshake answered HTTP ${res.statusCode ?? '?'}`));
      ws.once('error', (err) => fail(`the WebSocket did not open: ${(err as { code?: string }).code ?? err.message}`));
      ws.once('open', () => {
        controller.signal.removeEventListener('abort', abort);
        ws.removeAllListeners();
        resolve(attach(ws));
      });
    });

  /** Watches an open connection: pings, the watchdog, frames, the close. */
  const attach = (ws: WebSocket): Live => {
    let settle: (cause: ReconnectCause) => void = () => undefined;
    let closedResolve: () => void = () => undefined;
    const live: Live = {
      ws,
      id: nextId++,
      openedAt: performance.now(),
      ended: new Promise<ReconnectCause>((resolve) => (settle = resolve)),
      end: (cause) => settle(cause),
      closed: new Promise<void>((resolve) => (closedResolve = resolve)),
    };
    lives.add(live);
    const watchdog = setTimeout(() => {
      log.warn({ connection: live.id, silentMs: timing.silenceTimeoutMs }, 'stream connection silent (no frame, no pong): replacing it');
      live.end('silent');
      ws.terminate();
    }, timing.silenceTimeoutMs);
    const pinger = setInterval(() => {
      if (ws.readyState === ws.OPEN) ws.ping();
    }, timing.pingIntervalMs);
    ws.on('pong', () => watchdog.refresh());
    ws.on('message', (data, isBinary) => {
      watchdog.refresh();
      onFrame(live, data, isBinary);
    });
    ws.on('error', (err) => log.warn({ connection: live.id, err: (err as { code?: string }).code ?? err.message }, 'stream connection error'));
    ws.on('close', (code) => {
      clearTimeout(watchdog);
      clearInterval(pinger);
      clearTimeout(live.handover);
      lives.delete(live);
      log.debug({ connection: live.id, code }, 'stream connection closed');
      live.end('dropped');
      closedResolve();
    });
    return live;
  };

  const onFrame = (live: Live, raw: RawData, isBinary: boolean) => {
    const frame = isBinary ? undefined : parseFrame(textOf(raw));
    if (!frame) {
      metrics?.frames.inc({ type: 'invalid', topic: 'other' });
      log.warn({ connection: live.id }, 'unreadable stream frame ignored');
      return;
    }
    const received = performance.now();
    const topic = typeof frame.headers.topic === 'string' ? frame.headers.topic : '';
    metrics?.frames.inc({ type: frame.type, topic: TOPIC_LABELS.has(topic) ? topic : 'other' });
    const messageId = typeof frame.headers.messageId === 'string' ? frame.headers.messageId : undefined;
    switch (frame.type) {
      case 'SYSTEM':
        if (topic === 'ping') send(live, { code: 200, headers: frame.headers, message: 'OK', data: frame.data });
        else if (topic === 'disconnect') handOver(live);
        return;
      case 'CALLBACK':
      case 'EVENT': {
        // Arrived after drain() or after our close frame went out: left unacked for DingTalk to push
        // again (to another connection) rather than taken by a bot that is stopping.
        if (live.ws.readyState !== live.ws.OPEN || draining) {
          log.info({ connection: live.id, messageId }, 'stream frame arrived while closing: not taken');
          return;
        }
        let acked = false;
        const ack = () => {
          if (acked) return;
          acked = true;
          if (messageId === undefined) log.warn({ connection: live.id, type: frame.type }, 'stream frame without a messageId: not acked');
          else {
            const data = frame.type === 'EVENT' ? JSON.stringify({ status: 'SUCCESS', message: 'not subscribed' }) : ROBOT_ACK_DATA;
            send(live, { code: 200, headers: { contentType: 'application/json', messageId }, message: 'OK', data }, () =>
              metrics?.ackDuration.observe((performance.now() - received) / 1000),
            );
          }
        };
        const payload = frame.type === 'CALLBACK' && topic === ROBOT_TOPIC && typeof frame.data === 'string' ? parseJson(frame.data) : undefined;
        if (payload === undefined) {
          // Nothing here to take: acked at once, so it is not pushed again.
          if (frame.type === 'CALLBACK' && topic === ROBOT_TOPIC) log.warn({ connection: live.id, messageId }, 'robot message with unreadable data ignored');
          ack();
          return;
        }
        options.onRobotMessage(payload, ack);
        return;
      }
      default:
        log.warn({ connection: live.id, type: frame.type.slice(0, 20) }, 'stream frame of an unknown type ignored');
    }
  };

  const send = (live: Live, message: unknown, sent?: () => void) => {
    if (live.ws.readyState !== live.ws.OPEN) return;
    live.ws.send(JSON.stringify(message), (err) => {
      if (err) log.warn({ connection: live.id, err: err.message }, 'stream frame not sent');
      else sent?.();
    });
  };

  /** DingTalk closes a connection about 10 s after `disconnect`; the next one is opened meanwhile. */
  const handOver = (live: Live) => {
    if (live.handover) return;
    // One hand-over at a time: an older connection still open goes now.
    for (const other of lives) if (other !== live && other.handover) void closeLive(other);
    live.handover = setTimeout(() => void closeLive(live), timing.handoverMs);
    live.end('disconnect');
  };

  const closeLive = (live: Live): Promise<void> => {
    if (live.ws.readyState === live.ws.OPEN) live.ws.close(1000, 'closing');
    const cut = setTimeout(() => live.ws.terminate(), timing.closeTimeoutMs);
    return live.closed.finally(() => clearTimeout(cut));
  };

  return {
    start() {
      if (running || closing) return;
      running = supervise().catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'stream supervisor failed'));
    },
    connected: () => [...lives].some(isOpen),
    drain() {
      draining = true;
    },
    async close() {
      closing = true;
      wake?.();
      opening?.abort();
      await Promise.all([...lives].map(closeLive));
      await running;
      log.info('stream closed');
    },
  };
}

/** A text frame's bytes: ws hands them over as one Buffer, or several when it arrived fragmented. */
function textOf(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  return (raw instanceof ArrayBuffer ? Buffer.from(raw) : raw).toString('utf8');
}

function parseFrame(text: string): Frame | undefined {
  const frame = parseJson(text) as Partial<Frame> | undefined;
  if (!frame || typeof frame !== 'object' || typeof frame.type !== 'string') return undefined;
  if (!frame.headers || typeof frame.headers !== 'object' || Array.isArray(frame.headers)) return undefined;
  return frame as Frame;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
