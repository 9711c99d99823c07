import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A fake DingTalk Stream gateway on loopback, for tests: the open endpoint (`POST
 * /v1.0/gateway/connections/open`, checking the credentials and the subscription, answering
 * `{endpoint, ticket}`), and the WebSocket it points at (a ticket opens one connection within its
 * lifetime). It pushes CALLBACK frames and SYSTEM pings, announces `disconnect` and closes the
 * connection later as DingTalk does, and can drop a connection, freeze one (stop reading and
 * answering, pongs included), refuse opens with an HTTP status or a cut socket, and re-push frames
 * that were never acked. It records every open, connection and frame the client sent.
 */

export const ROBOT_TOPIC = '/v1.0/im/bot/messages/get';
const OPEN_PATH = '/v1.0/gateway/connections/open';
const CONNECT_PATH = '/connect';

export interface FakeGatewayOptions {
  clientId?: string;
  clientSecret?: string;
  /** How long a ticket may wait for its connection. Default 90 s, as DingTalk documents. */
  ticketTtlMs?: number;
  /** How long after `disconnect` the gateway closes the connection. Default 10 s, as DingTalk says. */
  disconnectCloseMs?: number;
  /** Push a frame again on the next connection when the one it went out on closed before its ack. Default false. */
  redeliverUnacked?: boolean;
}

/** What the next open request gets instead of a ticket. */
export type OpenBehaviour = { status: number } | { drop: true };

export interface OpenRecord {
  at: number;
  status: number;
  /** The request body as sent. */
  body: unknown;
}

export interface GatewayConnection {
  id: number;
  openedAt: number;
  /** Set when the socket closed; `closeCode` is the WebSocket close code (1006: cut without a close frame). */
  closedAt?: number;
  closeCode?: number;
  frozen: boolean;
  /** WebSocket pings the client sent on it. */
  pings: number;
  /** Every frame the client sent on it, parsed. */
  received: Record<string, unknown>[];
  socket: WebSocket;
}

export interface AckRecord {
  at: number;
  connection: GatewayConnection;
  frame: Record<string, unknown>;
}

export interface FakeStreamGateway {
  /** `http://127.0.0.1:<port>`: pass it as the OpenAPI base. */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly opens: readonly OpenRecord[];
  /** Every connection accepted, in order. */
  readonly connections: readonly GatewayConnection[];
  /** Connections open and not frozen. */
  live(): GatewayConnection[];
  /** The most connections that were live at once. */
  maxLive(): number;
  /** Queues answers for the next open requests, one each. */
  refuse(behaviours: readonly OpenBehaviour[]): void;
  /** Resolves with the `count`-th connection ever accepted (1-based), once it is. */
  waitForConnection(count: number, timeoutMs?: number): Promise<GatewayConnection>;
  /** Resolves with the close code once `connection` has closed. */
  waitForClose(connection: GatewayConnection, timeoutMs?: number): Promise<number>;
  /**
   * Pushes a robot message as a CALLBACK frame to `to` (default: the newest live connection), with
   * a fresh frame messageId unless one is given; returns that messageId.
   */
  push(payload: Record<string, unknown>, options?: { to?: GatewayConnection; messageId?: string }): string;
  /** Sends a SYSTEM ping; returns its messageId (the reply is recorded as its ack). */
  ping(connection: GatewayConnection): string;
  /** Resolves with the client's answer to the frame `messageId` (an ack, or a ping's reply). */
  waitForAck(messageId: string, timeoutMs?: number): Promise<AckRecord>;
  acks(): ReadonlyMap<string, AckRecord>;
  /** Resolves once `check` holds, re-checked whenever the gateway sees something happen. */
  waitUntil(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Announces `disconnect`, and closes the connection `disconnectCloseMs` later. */
  disconnect(connection: GatewayConnection): void;
  /** Cuts the connection without a close frame. */
  drop(connection: GatewayConnection): void;
  /** Stops reading from the connection: no frame is answered, no ping ponged, nothing is pushed. */
  freeze(connection: GatewayConnection): void;
  close(): Promise<void>;
}

export async function startFakeStreamGateway(options: FakeGatewayOptions = {}): Promise<FakeStreamGateway> {
  const clientId = options.clientId ?? 'dingteststreamapp';
  const clientSecret = options.clientSecret ?? 'test-stream-secret-do-not-use';
  const ticketTtlMs = options.ticketTtlMs ?? 90_000;
  const disconnectCloseMs = options.disconnectCloseMs ?? 10_000;
  const opens: OpenRecord[] = [];
  const connections: GatewayConnection[] = [];
  const tickets = new Map<string, number>();
  const scripted: OpenBehaviour[] = [];
  const acks = new Map<string, AckRecord>();
  /** Frames pushed and not acked yet, by messageId, with the connection each went out on. */
  const unacked = new Map<string, { frame: string; connection: GatewayConnection | undefined }>();
  const waiters = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let maxLive = 0;
  let nextId = 1;

  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const until = <T>(check: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> =>
    new Promise((resolve, reject) => {
      const tryNow = () => {
        const value = check();
        if (value === undefined) return;
        waiters.delete(tryNow);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        waiters.delete(tryNow);
        reject(new Error(`fake gateway: timed out waiting for ${what}`));
      }, timeoutMs);
      waiters.add(tryNow);
      tryNow();
    });
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };
  const isLive = (c: GatewayConnection) => c.closedAt === undefined && !c.frozen;
  const live = () => connections.filter(isLive);

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handleOpen(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function handleOpen(req: IncomingMessage, res: ServerResponse, raw: string) {
    const answer = (status: number, body: unknown, parsed: unknown) => {
      opens.push({ at: performance.now(), status, body: parsed });
      res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' }).end(JSON.stringify(body));
      notify();
    };
    if (req.method !== 'POST' || req.url !== OPEN_PATH) {
      res.writeHead(404).end();
      return;
    }
    let body: { clientId?: unknown; clientSecret?: unknown; subscriptions?: unknown; ua?: unknown } | undefined;
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      answer(400, { code: 'InvalidParameter' }, raw);
      return;
    }
    const behaviour = scripted.shift();
    if (behaviour && 'drop' in behaviour) {
      opens.push({ at: performance.now(), status: 0, body });
      req.socket.destroy();
      notify();
      return;
    }
    if (behaviour) {
      answer(behaviour.status, { code: behaviour.status === 401 ? 'InvalidAuthentication' : 'ServiceUnavailable', message: 'scripted' }, body);
      return;
    }
    if (req.headers.accept !== 'application/json') {
      answer(406, { code: 'NotAcceptable' }, body);
      return;
    }
    if (body?.clientId !== clientId || body.clientSecret !== clientSecret) {
      answer(401, { code: 'InvalidAuthentication', message: '身份验证失败' }, body);
      return;
    }
    const subscriptions = Array.isArray(body.subscriptions) ? (body.subscriptions as { type?: unknown; topic?: unknown }[]) : [];
    if (!subscriptions.some((s) => s.type === 'CALLBACK' && s.topic === ROBOT_TOPIC) || typeof body.ua !== 'string') {
      answer(400, { code: 'InvalidParameter', message: 'subscriptions or ua' }, body);
      return;
    }
    const ticket = randomUUID();
    tickets.set(ticket, performance.now() + ticketTtlMs);
    const { port } = server.address() as AddressInfo;
    answer(200, { endpoint: `ws://127.0.0.1:${port}${CONNECT_PATH}`, ticket }, body);
  }

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const ticket = url.searchParams.get('ticket') ?? '';
    const expires = tickets.get(ticket);
    // A ticket opens one connection, before it expires.
    tickets.delete(ticket);
    if (url.pathname !== CONNECT_PATH || expires === undefined || expires < performance.now()) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  });

  function accept(ws: WebSocket) {
    const connection: GatewayConnection = { id: nextId++, openedAt: performance.now(), frozen: false, pings: 0, received: [], socket: ws };
    connections.push(connection);
    maxLive = Math.max(maxLive, live().length);
    ws.on('message', (data) => {
      let frame: Record<string, unknown>;
      try {
        // binaryType 'nodebuffer' (the default) and unfragmented frames: one Buffer.
        frame = JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>;
      } catch {
        return;
      }
      connection.received.push(frame);
      const messageId = (frame.headers as { messageId?: unknown } | undefined)?.messageId;
      if (typeof messageId === 'string' && typeof frame.code === 'number' && !acks.has(messageId)) {
        acks.set(messageId, { at: performance.now(), connection, frame });
        unacked.delete(messageId);
      }
      notify();
    });
    ws.on('ping', () => {
      connection.pings++;
      notify();
    });
    ws.on('close', (code) => {
      connection.closedAt = performance.now();
      connection.closeCode = code;
      if (options.redeliverUnacked) {
        for (const pending of unacked.values()) if (pending.connection === connection) pending.connection = undefined;
        flush();
      }
      notify();
    });
    ws.on('error', () => undefined);
    notify();
    if (options.redeliverUnacked) flush();
  }

  /** Sends waiting frames (re-pushes included) on the newest live connection. */
  function flush() {
    const to = live().at(-1);
    if (!to) return;
    for (const pending of unacked.values()) {
      if (pending.connection) continue;
      pending.connection = to;
      to.socket.send(pending.frame);
    }
  }

  const send = (connection: GatewayConnection, frame: Record<string, unknown>) => {
    if (connection.closedAt !== undefined || connection.frozen) return;
    connection.socket.send(JSON.stringify(frame));
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    clientSecret,
    opens,
    connections,
    live,
    maxLive: () => maxLive,
    refuse: (behaviours) => void scripted.push(...behaviours),
    waitForConnection: (count, timeoutMs) => until(() => connections[count - 1], `connection ${count}`, timeoutMs),
    waitForClose: (connection, timeoutMs) => until(() => connection.closeCode, `connection ${connection.id} to close`, timeoutMs),
    push(payload, pushOptions = {}) {
      const messageId = pushOptions.messageId ?? `fake_${randomUUID()}`;
      const frame = JSON.stringify({
        specVersion: '1.0',
        type: 'CALLBACK',
        headers: { appId: 'fake-app', connectionId: 'fake', contentType: 'application/json', messageId, time: String(Date.now()), topic: ROBOT_TOPIC },
        data: JSON.stringify(payload),
      });
      const target = pushOptions.to ?? live().at(-1);
      const onLine = target && isLive(target) ? target : undefined;
      if (options.redeliverUnacked) {
        // Held until acked: sent again on the next connection if this one closes first.
        unacked.set(messageId, { frame, connection: onLine });
      } else if (!onLine) {
        throw new Error('fake gateway: no live connection to push to');
      }
      onLine?.socket.send(frame);
      return messageId;
    },
    ping(connection) {
      const messageId = `ping_${randomUUID()}`;
      send(connection, { specVersion: '1.0', type: 'SYSTEM', headers: { contentType: 'application/json', messageId, time: String(Date.now()), topic: 'ping' }, data: JSON.stringify({ opaque: messageId }) });
      return messageId;
    },
    waitForAck: (messageId, timeoutMs) => until(() => acks.get(messageId), `the ack of ${messageId}`, timeoutMs),
    acks: () => acks,
    waitUntil: (check, what, timeoutMs) => until(() => (check() ? true : undefined), what, timeoutMs).then(() => undefined),
    disconnect(connection) {
      send(connection, { specVersion: '1.0', type: 'SYSTEM', headers: { contentType: 'application/json', messageId: `disconnect_${randomUUID()}`, time: String(Date.now()), topic: 'disconnect' }, data: JSON.stringify({ reason: 'connection is expired' }) });
      later(disconnectCloseMs, () => connection.socket.close(1000, 'disconnect'));
    },
    drop(connection) {
      connection.socket.terminate();
    },
    freeze(connection) {
      connection.frozen = true;
      connection.socket.pause();
      notify();
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const connection of connections) connection.socket.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const waiter of [...waiters]) waiters.delete(waiter);
    },
  };
}
