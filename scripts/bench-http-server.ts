// The child processes of `npm run bench:http` (scripts/bench-http.ts), one role each, so that the
// load generator, the server under test and the webhook sink never share an event loop:
//
//   node dist/scripts/bench-http-server.js sink    a loopback session webhook that counts replies
//   node dist/scripts/bench-http-server.js relay   the bare Express relay the bot is compared with
//   node dist/scripts/bench-http-server.js bot     the bot, built by createApp as src/main.ts builds it
//
// Each role listens on 127.0.0.1 and an ephemeral port, then tells the parent over the IPC channel
// (it must be started with child_process.fork). It exits when told to stop or when the parent goes.
import { createServer, type IncomingMessage as NodeRequest, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import express from 'express';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/logger.js';
import { createApp } from '../src/app.js';
import { clock } from './bench-clock.js';
import { settleHeap } from '../src/startup/settle-heap.js';

/** Messages a child sends to the parent. */
export type ChildMessage =
  | { type: 'ready'; port: number; note: string }
  | { type: 'count'; received: number }
  | { type: 'cpu'; micros: number }
  /** `arrivals[i]` is when `sessions[i]`'s reply arrived, in ms since the epoch at sub-ms resolution (see `clock`). */
  | { type: 'taken'; sessions: string[]; arrivals: number[]; malformed: number };

/** Messages the parent sends to a child; `count` and `take` are for the sink only. */
export type ParentMessage = { type: 'count' } | { type: 'take' } | { type: 'cpu' } | { type: 'stop' };

const ROLES = ['sink', 'relay', 'bot'] as const;
export type Role = (typeof ROLES)[number];

const HOST = '127.0.0.1';
/** Where bench-http.ts puts each request's key in its session webhook URL: `…/sendBySession?session=<id>`. */
const SESSION_PARAM = 'session';

function send(message: ChildMessage): void {
  process.send?.(message);
}

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * Stopping goes through process.exit rather than a signal so that `--cpu-prof` writes its profile.
 * The parent's IPC channel closing means the parent is gone: nothing will ever stop us otherwise.
 */
function exitWithParent(onMessage: (message: ParentMessage) => void = () => undefined): void {
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stop') process.exit(0);
    // CPU time (user + system) lets the parent tell which process the cores were spent in.
    if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      send({ type: 'cpu', micros: user + system });
    }
    onMessage(message);
  });
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------
// The sink: plain node:http, so the replies cost as little CPU as possible on the shared cores.

async function runSink(): Promise<void> {
  let sessions: string[] = [];
  let arrivals: number[] = [];
  let malformed = 0;
  const server = createServer((req, res) => receiveReply(req, res, (session, ok) => {
    if (ok && session) {
      sessions.push(session);
      arrivals.push(clock());
    } else malformed++;
  }));
  exitWithParent((message) => {
    if (message.type === 'count') send({ type: 'count', received: sessions.length });
    if (message.type === 'take') {
      send({ type: 'taken', sessions, arrivals, malformed });
      sessions = [];
      arrivals = [];
      malformed = 0;
    }
  });
  send({ type: 'ready', port: await listen(server), note: 'node:http; answers {"errcode":0,"errmsg":"ok"} and counts replies by session' });
}

/** Reads one reply, answers as DingTalk does, and reports its session and whether it looked like a robot message. */
function receiveReply(req: NodeRequest, res: ServerResponse, record: (session: string | null, ok: boolean) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const session = new URL(req.url ?? '/', 'http://sink').searchParams.get(SESSION_PARAM);
    record(session, req.method === 'POST' && isRobotMessage(Buffer.concat(chunks).toString('utf8')));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
  });
}

function isRobotMessage(body: string): boolean {
  try {
    const message = JSON.parse(body) as { msgtype?: unknown };
    return message.msgtype === 'text' || message.msgtype === 'markdown';
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// The bare relay: what any Express webhook does at the least: accept, acknowledge, post onwards.

interface RelayPayload {
  sessionWebhook: string;
  text: { content: string };
}

async function runRelay(): Promise<void> {
  // proxy: false as the bot's client has, so neither goes through a proxy from the environment.
  const client = axios.create({ proxy: false });
  let failures = 0;
  const app = express();
  app.post('/dingtalk/callback', express.json(), (req, res) => {
    res.json({});
    const payload = req.body as RelayPayload;
    client.post(payload.sessionWebhook, { msgtype: 'text', text: { content: payload.text.content } }).catch((err: unknown) => {
      // Once is enough to say why; the parent counts the replies that never arrived.
      if (failures++ === 0) process.stderr.write(`relay: reply failed: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  });
  const port = await listen(createServer(app));
  exitWithParent();
  send({ type: 'ready', port, note: 'Express + express.json(); acknowledges, then posts the text with axios; no checks' });
}

// ---------------------------------------------------------------------------------------------
// The bot: built by createApp from the project's config files and the environment the parent
// passes (secret, robot code, session hosts, knowledge folder, data folder, PORT=0), as
// src/main.ts builds it. Two differences, both so that only callbacks are measured: the knowledge
// is loaded before it listens (no request of the run meets a 503), and the scheduler is not started.

async function runBot(): Promise<void> {
  const config = loadConfig(process.env);
  const app = createApp({ config, logger: createLogger(config.log.level) });
  const started = performance.now();
  const { knowledge } = await app.load();
  const loadMs = performance.now() - started;
  const server = await app.listen(config.server.port, HOST);
  // As main.ts does once started, and measured as a bot is when traffic comes after its start:
  // with the young generation given back, which V8 grows again under the load.
  await new Promise<boolean>((resolve) => settleHeap(resolve));
  exitWithParent();
  const errors = knowledge.problems.filter((p) => p.severity === 'error').length;
  send({
    type: 'ready',
    port: (server.address() as AddressInfo).port,
    note: `${knowledge.files.length} files, ${knowledge.entries.length} entries, ${errors} knowledge errors, loaded in ${Math.round(loadMs)} ms, RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB (both threads), log level ${config.log.level}; replies posted with undici`,
  });
}

const RUN: Record<Role, () => Promise<void>> = { sink: runSink, relay: runRelay, bot: runBot };

const role = process.argv[2];
if (!ROLES.includes(role as Role)) {
  process.stderr.write(`usage: bench-http-server.js ${ROLES.join('|')}\n`);
  process.exit(2);
}
if (!process.send) {
  process.stderr.write('bench-http-server.js is started by bench-http.js (child_process.fork), not by hand\n');
  process.exit(2);
}
await RUN[role as Role]();
