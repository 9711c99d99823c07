// Measures Stream mode against the HTTP callback in the same run on the same machine: the bot
// (`node dist/src/main.js`, in its own process) answers questions arriving as CALLBACK frames from
// a loopback gateway (the tests' fake, test/helpers/fake-stream-gateway.ts), then the same
// questions as signed HTTP callbacks, each reply posted to a loopback session webhook. It reports
// messages answered per second and the latency from a frame (or a callback) being sent to its
// reply arriving, p50 and p99, and the ack latency of the frames.
//
//   npm run bench:stream -- [<knowledge dir>] [--duration 10] [--concurrency 10] [--rounds 2] [--warmup 2]
//   npm run bench:stream -- --reconnects
//
// `--reconnects` measures the Stream client alone, with its production settings, against the same
// gateway instead: how soon it is connected again after a drop, three refused opens, a
// `disconnect` and a frozen connection (that one takes the 30 s of the watchdog), and its ack
// latency.
//
// Closed loop: `concurrency` messages are in flight at any time, the next one sent as a reply
// arrives, so both paths run saturated and the latency includes the queue (about concurrency ÷
// rate). The modes alternate over the rounds, each in a fresh bot process; the median round is
// reported. The gateway and the sink share this process; the bot has its own.
//
// A report, not a test: it exits 0 whatever the numbers, unless something crashes.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent } from 'undici';
import { startFakeStreamGateway, type FakeGatewayOptions, type FakeStreamGateway } from '../test/helpers/fake-stream-gateway.js';
import { createStreamClient } from '../src/dingtalk/create-stream-client.js';
import { createLogger } from '../src/logger.js';
import { BENCH_ROBOT_CODE, BENCH_SECRET, BUILT_IN_QUESTIONS, groupMessage, signCallback, uniqueTimestamp } from './callback-fixture.js';

type Mode = 'stream' | 'http';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    reconnects: { type: 'boolean', default: false },
  },
});
const knowledgeDir = resolve(positionals[0] ?? 'knowledge');
const durationMs = Number(values.duration) * 1000;
const warmupMs = Number(values.warmup) * 1000;
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const RUN_ID = Date.now().toString(36);
/** Keeps its connections to the bot alive, as DingTalk's callbacks would arrive over a few. */
const callbacks = new Agent({ connections: concurrency });

/** The session webhook sink: resolves each reply's waiter by its `session` query parameter. */
async function startSink(): Promise<{ url: string; waiting: Map<string, () => void>; server: Server }> {
  const waiting = new Map<string, () => void>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const session = new URL(req.url ?? '/', 'http://sink.invalid').searchParams.get('session') ?? '';
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
      waiting.get(session)?.();
      waiting.delete(session);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, waiting, server };
}

interface Bot {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** A port free now on loopback, for the bot to listen on (it logs its port at info, which this run silences). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** The bot as an operator runs it, in one mode, once `/readyz` says it is ready (in Stream mode: connected). */
async function startBot(mode: Mode, gateway: FakeStreamGateway, sinkUrl: string): Promise<Bot> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...process.env,
      DINGTALK_MODE: mode,
      DINGTALK_APP_KEY: BENCH_ROBOT_CODE,
      DINGTALK_APP_SECRET: BENCH_SECRET,
      DINGTALK_OPENAPI_BASE: gateway.url,
      DINGTALK_SESSION_HOSTS: new URL(sinkUrl).host,
      KNOWLEDGE_DIR: knowledgeDir,
      DATA_DIR: resolve('dist', `bench-stream-data-${RUN_ID}`),
      PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the bot exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('the bot was not ready within 120 s');
    const status = await fetch(`${url}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) break;
    await new Promise((done) => setTimeout(done, 100));
  }
  return {
    child,
    url,
    stop: () =>
      new Promise((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

interface Result {
  mode: Mode;
  answered: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Stream only: from pushing a frame to its ack arriving. */
  ackP50Ms?: number;
  ackP99Ms?: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

/** Keeps `concurrency` questions in flight for `ms`; resolves with each answered question's latency (and each ack's, in Stream mode). */
async function load(mode: Mode, ms: number, bot: Bot, gateway: FakeStreamGateway, sink: Awaited<ReturnType<typeof startSink>>, tag: string) {
  const latencies: number[] = [];
  const acks: number[] = [];
  const until = performance.now() + ms;
  let n = 0;
  const one = async (): Promise<void> => {
    while (performance.now() < until) {
      const session = `${tag}-${n++}`;
      const question = BUILT_IN_QUESTIONS[n % BUILT_IN_QUESTIONS.length] ?? '';
      const body = groupMessage(question, `msgBench${RUN_ID}${session}==`, `${sink.url}/robot/sendBySession?session=${session}`, Date.now());
      const replied = new Promise<void>((done) => sink.waiting.set(session, done));
      const sent = performance.now();
      if (mode === 'stream') {
        const messageId = gateway.push(body);
        void gateway.waitForAck(messageId, 60_000).then((ack) => acks.push(ack.at - sent));
      } else {
        const timestamp = String(uniqueTimestamp());
        const response = await callbacks.request({
          origin: bot.url,
          path: '/dingtalk/callback',
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8', timestamp, sign: signCallback(timestamp, BENCH_SECRET) },
          body: JSON.stringify(body),
        });
        await response.body.arrayBuffer();
        if (response.statusCode !== 200) throw new Error(`callback answered ${response.statusCode}`);
      }
      await replied;
      latencies.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, one));
  return { latencies, acks };
}

async function measure(mode: Mode, round: number, gateway: FakeStreamGateway, sink: Awaited<ReturnType<typeof startSink>>): Promise<Result> {
  const bot = await startBot(mode, gateway, sink.url);
  try {
    await load(mode, warmupMs, bot, gateway, sink, `w${round}${mode}`);
    const started = performance.now();
    const { latencies, acks } = await load(mode, durationMs, bot, gateway, sink, `m${round}${mode}`);
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    acks.sort((a, b) => a - b);
    return {
      mode,
      answered: latencies.length,
      perSecond: latencies.length / seconds,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      ...(mode === 'stream' ? { ackP50Ms: percentile(acks, 0.5), ackP99Ms: percentile(acks, 0.99) } : {}),
    };
  } finally {
    await bot.stop();
  }
}

const format = (r: Result) =>
  `${r.mode.padEnd(6)}  ${String(r.answered).padStart(7)}  ${r.perSecond.toFixed(0).padStart(6)}/s  p50 ${r.p50Ms.toFixed(2).padStart(6)} ms  p99 ${r.p99Ms.toFixed(2).padStart(6)} ms` +
  (r.ackP50Ms === undefined ? '' : `  ack p50 ${r.ackP50Ms.toFixed(2)} ms, p99 ${(r.ackP99Ms ?? NaN).toFixed(2)} ms`);

/** A Stream client with the production settings against a fresh gateway, for `run`. */
async function withClient(run: (gateway: FakeStreamGateway) => Promise<string>, options: FakeGatewayOptions = {}): Promise<void> {
  const gateway = await startFakeStreamGateway(options);
  const client = createStreamClient({ openapiBase: gateway.url, clientId: gateway.clientId, clientSecret: gateway.clientSecret, logger: createLogger('silent'), onRobotMessage: (_payload, ack) => ack() });
  client.start();
  try {
    process.stdout.write(`${await run(gateway)}\n`);
  } finally {
    await client.close();
    await gateway.close();
  }
}

/** The `count`-th connection, once the client has answered a ping on it. */
async function answering(gateway: FakeStreamGateway, count: number, timeoutMs?: number) {
  const connection = await gateway.waitForConnection(count, timeoutMs);
  await gateway.waitForAck(gateway.ping(connection));
  return connection;
}

async function measureReconnects(): Promise<void> {
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  await withClient(async (gateway) => {
    await answering(gateway, 1);
    const latencies: number[] = [];
    for (let i = 0; i < 200; i++) {
      const sent = performance.now();
      latencies.push((await gateway.waitForAck(gateway.push({ msgId: `m${i}` }))).at - sent);
    }
    latencies.sort((a, b) => a - b);
    return `ack latency over 200 frames: p50 ${ms(percentile(latencies, 0.5))}, p99 ${ms(percentile(latencies, 0.99))}`;
  });
  await withClient(async (gateway) => {
    const times: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const connection = await answering(gateway, i);
      const dropped = performance.now();
      gateway.drop(connection);
      await gateway.waitForConnection(i + 1, 60_000);
      times.push(performance.now() - dropped);
    }
    return `5 drops in a row (each connection short-lived, so the backoff grows): connected again after ${times.map(ms).join(', ')}`;
  });
  for (let run = 0; run < 3; run++) {
    await withClient(async (gateway) => {
      gateway.refuse([{ status: 503 }, { status: 502 }, { drop: true }]);
      const connection = await gateway.waitForConnection(1, 60_000);
      return `three refused opens: connected ${ms(connection.openedAt - (gateway.opens[0]?.at ?? 0))} after the first open, ${gateway.opens.length} opens`;
    });
  }
  await withClient(
    async (gateway) => {
      const old = await answering(gateway, 1);
      const announced = performance.now();
      gateway.disconnect(old);
      const next = await gateway.waitForConnection(2);
      return `disconnect: the next connection open ${ms(next.openedAt - announced)} later, the old one ${old.closedAt === undefined ? 'still open' : 'closed'}`;
    },
    { disconnectCloseMs: 2000 },
  );
  await withClient(async (gateway) => {
    const frozen = await answering(gateway, 1);
    const since = performance.now();
    gateway.freeze(frozen);
    const next = await gateway.waitForConnection(2, 120_000);
    return `frozen connection (no frame, no pong): replaced after ${ms(next.openedAt - since)}`;
  });
}

if (values.reconnects) {
  await measureReconnects();
  process.exit(0);
}

const gateway = await startFakeStreamGateway({ clientId: BENCH_ROBOT_CODE, clientSecret: BENCH_SECRET });
const sink = await startSink();
process.stdout.write(`bench:stream — ${knowledgeDir}, ${concurrency} in flight, ${durationMs / 1000} s per mode and round (after ${warmupMs / 1000} s of warm-up), ${rounds} round(s)\n`);
const results: Result[] = [];
for (let round = 0; round < rounds; round++) {
  // Alternate the order, so neither mode always runs on a warmer (or busier) machine.
  const order: Mode[] = round % 2 === 0 ? ['stream', 'http'] : ['http', 'stream'];
  for (const mode of order) {
    const result = await measure(mode, round, gateway, sink);
    results.push(result);
    process.stdout.write(`round ${round + 1}  ${format(result)}\n`);
  }
}
const median = (mode: Mode) => {
  const of = results.filter((r) => r.mode === mode).sort((a, b) => a.perSecond - b.perSecond);
  return of[Math.floor((of.length - 1) / 2)];
};
const stream = median('stream');
const http = median('http');
if (stream && http) {
  process.stdout.write(`median  ${format(stream)}\nmedian  ${format(http)}\n`);
  process.stdout.write(`stream / http: ${((stream.perSecond / http.perSecond) * 100).toFixed(0)}% of the answers per second, p99 ${(stream.p99Ms - http.p99Ms).toFixed(2)} ms apart\n`);
}
await gateway.close();
await new Promise<void>((done) => sink.server.close(() => done()));
