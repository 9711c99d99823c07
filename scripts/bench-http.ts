// Measures the bot over HTTP against a bare Express relay, in the same run on the same machine:
// signed callbacks answered from the whole archive, each reply posted to a loopback session
// webhook. Targets: throughput ≥ 80% of the relay's, p99 < 20 ms, zero errors.
//
//   npm run bench:http -- [<corpus dir>] [--duration 10] [--connections 10] [--warmup 2] [--rounds 3]
//                         [--questions FILE] [--cpu-prof DIR] [--redis redis://127.0.0.1:6379]
//
// The relay and the bot are measured in alternate order over several rounds, each target in a
// fresh process, and the targets are judged on the median round: on a small shared machine one
// period can run slower than the next for reasons of its own, and a single pair would pass or
// fail on that. Every round is printed.
// Each server under test (the relay, then the bot) runs in its own child process with the same
// Node flags, the session-webhook sink in another, and autocannon in this one, so no two of them
// share an event loop. Both targets get the same request mix, connections, warm-up and duration.
// Each connection sends its next callback as soon as the last is answered, so both servers run
// saturated and the latencies include the queue in front of them (about connections ÷ req/s).
// `--cpu-prof DIR` profiles both server children (a .cpuprofile each, written when they stop).
// `--redis URL` also measures the bot with its state in Redis, as one instance and as two
// instances sharing the load (the connections split between them), beside the single instance.
//
// A report, not a test: it exits 0 whatever the numbers, unless something crashes.
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import type { ChildMessage, ParentMessage, Role } from './bench-http-server.js';
import { clock } from './bench-clock.js';
import { BENCH_ROBOT_CODE, BENCH_SECRET, groupMessage, readQuestions, signCallback, uniqueTimestamp } from './callback-fixture.js';

const SERVER_SCRIPT = fileURLToPath(new URL('./bench-http-server.js', import.meta.url));
/** The sink keys each reply by this query parameter of its session webhook URL. */
const SESSION_PARAM = 'session';
const CALLBACK_PATH = '/dingtalk/callback';

const TARGETS = { ratio: 0.8, p99Ms: 20 };
/** Part of every msgId, so a second run against the same Redis is not taken for redeliveries. */
const RUN_ID = Date.now().toString(36);
let measurements = 0;
/** Share of a core other processes may use during a measured period before the report warns. */
const NOISE_SHARE = 0.1;


// ---------------------------------------------------------------------------------------------
// Child processes. Every one is killed when this process exits, however it exits.

interface Child {
  role: Role;
  process: ChildProcess;
  port: number;
  note: string;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(130));
}

/** Forks one role; its stdout (the bot's JSON log lines) goes to a file, so writing it costs what production's does and nothing here. */
async function startChild(role: Role, options: { env: NodeJS.ProcessEnv; execArgv: string[]; logDir: string }): Promise<Child> {
  const out = openSync(join(options.logDir, `${role}.log`), 'w');
  const child = fork(SERVER_SCRIPT, [role], { env: options.env, execArgv: options.execArgv, stdio: ['ignore', out, 'inherit', 'ipc'] });
  closeSync(out); // the child holds its own copy
  running.add(child);
  child.once('exit', () => running.delete(child));
  const ready = await nextMessage(child, 'ready', `${role} did not start`);
  return { role, process: child, port: ready.port, note: ready.note };
}

type Reply<T extends ChildMessage['type']> = Extract<ChildMessage, { type: T }>;

/** The child's next message of one type; rejects if the child exits first. */
function nextMessage<T extends ChildMessage['type']>(child: ChildProcess, type: T, failure: string): Promise<Reply<T>> {
  return new Promise((resolvePromise, reject) => {
    const onMessage = (message: ChildMessage) => {
      if (message.type !== type) return;
      cleanUp();
      resolvePromise(message as Reply<T>);
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanUp();
      reject(new Error(`${failure}: exited with ${signal ?? `code ${String(code)}`}`));
    };
    const cleanUp = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

function ask<T extends ChildMessage['type']>(child: Child, message: ParentMessage, type: T): Promise<Reply<T>> {
  const answer = nextMessage(child.process, type, `${child.role} failed`);
  child.process.send(message);
  return answer;
}

/** Asks the child to exit (so a CPU profile gets written); kills it if it has not within 10 s. */
async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = new Promise<void>((resolvePromise) => child.process.once('exit', () => resolvePromise()));
  child.process.send({ type: 'stop' } satisfies ParentMessage);
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// Requests: every one a genuine callback sent now, with its own msgId (the bot skips redeliveries)
// and its own session webhook URL (so the sink can tell which replies arrived).

interface Callback {
  session: string;
  /** When it was sent (`clock`). */
  sentAt: number;
  headers: Record<string, string>;
  body: string;
}

/** Callbacks cycling through the questions from the first, so every target and phase gets the same mix. */
function callbackSource(questions: readonly string[], sinkPort: number, tag: string): () => Callback {
  let n = 0;
  return () => {
    const question = questions[n % questions.length] ?? '';
    const session = `${tag}-${n++}`;
    const nowMs = uniqueTimestamp();
    const timestamp = String(nowMs);
    const webhook = `http://127.0.0.1:${sinkPort}/robot/sendBySession?${SESSION_PARAM}=${session}`;
    return {
      session,
      sentAt: clock(),
      headers: { 'content-type': 'application/json; charset=utf-8', timestamp, sign: signCallback(timestamp, BENCH_SECRET) },
      body: JSON.stringify(groupMessage(question, `msgBench${session}==`, webhook, nowMs)),
    };
  };
}

// ---------------------------------------------------------------------------------------------
// Load.

interface Load {
  result: autocannon.Result;
  /** Every response's latency in ms, at full resolution (autocannon's histogram keeps whole ms). */
  latencies: number[];
  /** Sessions of the callbacks answered 2xx, in order, with when each was sent (`clock`): each should get exactly one reply. */
  sentAt: Map<string, number>;
  /** The measured period (`clock`): from the first request to the end of the run. */
  startedAt: number;
  endedAt: number;
}

/** What autocannon keeps per connection between a request and its response (pipelining 1). */
interface ConnectionContext {
  session?: string;
  sentAt?: number;
}

function runLoad(url: string, seconds: number, settings: Settings, next: () => Callback): Promise<Load> {
  const latencies: number[] = [];
  const sentAt = new Map<string, number>();
  const request: autocannon.Request = {
    setupRequest: (req, context) => {
      const callback = next();
      Object.assign(context as ConnectionContext, { session: callback.session, sentAt: callback.sentAt });
      return { ...req, headers: callback.headers, body: callback.body };
    },
    onResponse: (status, _body, context) => {
      const { session, sentAt: sent } = context as ConnectionContext;
      if (status < 200 || status >= 300 || !session || sent === undefined) return;
      sentAt.set(session, sent);
    },
  };
  const startedAt = clock();
  return new Promise((resolvePromise, reject) => {
    const options: autocannon.Options = {
      url,
      method: 'POST',
      connections: settings.connections,
      pipelining: 1,
      duration: seconds,
      requests: [request],
    };
    const instance = autocannon(options, (err: unknown, result) => {
      if (err) reject(err instanceof Error ? err : new Error('autocannon failed', { cause: err }));
      else resolvePromise({ result, latencies, sentAt, startedAt, endedAt: clock() });
    });
    instance.on('response', (_client, _status, _bytes, latencyMs) => latencies.push(latencyMs));
  });
}

/** Waits until the replies stop arriving: all expected ones and 300 ms of quiet, or 3 s of quiet. */
async function drainSink(sink: Child, expected: number): Promise<void> {
  let last = -1;
  let changedAt = performance.now();
  for (;;) {
    const { received } = await ask(sink, { type: 'count' }, 'count');
    if (received !== last) [last, changedAt] = [received, performance.now()];
    const quietMs = performance.now() - changedAt;
    if ((received >= expected && quietMs >= 300) || quietMs >= 3000) return;
    await sleep(50);
  }
}

/** CPU time used so far (user + system, µs) by the server(s) under test, the sink, this process and the whole machine. */
interface CpuSample {
  atMs: number;
  server: number;
  sink: number;
  load: number;
  machine: number;
}

/** Busy time of all cores since boot, µs: what is left after our three processes was someone else's. */
function machineBusyMicros(): number {
  return cpus().reduce((sum, { times }) => sum + (times.user + times.nice + times.sys + times.irq) * 1000, 0);
}

async function sampleCpu(servers: readonly Child[], sink: Child): Promise<CpuSample> {
  const [k, ...s] = await Promise.all([ask(sink, { type: 'cpu' }, 'cpu'), ...servers.map((server) => ask(server, { type: 'cpu' }, 'cpu'))]);
  const own = process.cpuUsage();
  return { atMs: performance.now(), server: s.reduce((sum, m) => sum + m.micros, 0), sink: k.micros, load: own.user + own.system, machine: machineBusyMicros() };
}

interface CpuShares {
  server: number;
  sink: number;
  load: number;
  /** Everything else running on the machine meanwhile; more than a few % makes the figures noisy. */
  others: number;
  serverMicros: number;
}

/** Share of one core each process used between two samples: shows which one the cores went to. */
function cpuShares(before: CpuSample, after: CpuSample): CpuShares {
  const wallMicros = (after.atMs - before.atMs) * 1000;
  return {
    server: (after.server - before.server) / wallMicros,
    sink: (after.sink - before.sink) / wallMicros,
    load: (after.load - before.load) / wallMicros,
    // Clamped: the kernel's per-core counters tick in 10 ms steps, ours do not.
    others: Math.max(0, (after.machine - before.machine - (after.server - before.server) - (after.sink - before.sink) - (after.load - before.load)) / wallMicros),
    serverMicros: after.server - before.server,
  };
}

// ---------------------------------------------------------------------------------------------
// One target: start it, warm it up, measure it, count its replies, stop it.

interface Settings {
  seconds: number;
  warmupSeconds: number;
  connections: number;
  rounds: number;
  questions: readonly string[];
  execArgv: string[];
  logDir: string;
}

interface Measured {
  name: string;
  note: string;
  reqPerSec: number;
  /** Replies that reached the sink during the measured period, per second: questions really answered. */
  replyPerSec: number;
  /** Callback sent to reply received. */
  replyP50: number;
  replyP99: number;
  /** How long the measured period really lasted: autocannon stops at the first 1 s sample after the duration. */
  seconds: number;
  answered: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  replies: number;
  missing: number;
  /** Replies to callbacks autocannon stopped waiting for at the end of the run: expected, not errors. */
  extra: number;
  malformed: number;
  warmupProblems: number;
  cpu: CpuShares;
}

/**
 * Starts one child per environment (one server, or several instances sharing Redis), spreads the
 * connections over them, and measures them together: throughput summed, latencies merged.
 */
async function measure(name: string, role: Role, envs: readonly NodeJS.ProcessEnv[], sink: Child, settings: Settings): Promise<Measured> {
  const children: Child[] = [];
  const measurement = measurements++;
  try {
    for (const env of envs) children.push(await startChild(role, { env, execArgv: settings.execArgv, logDir: settings.logDir }));
    const note = children[0]?.note ?? '';
    console.log(`  ${name}: ${note}`);
    const runAll = async (seconds: number, phase: string): Promise<Load> => {
      const loads = await Promise.all(
        children.map((child, i) => {
          const connections = Math.floor(settings.connections / children.length) + (i < settings.connections % children.length ? 1 : 0);
          const url = `http://127.0.0.1:${child.port}${CALLBACK_PATH}`;
          return runLoad(url, seconds, { ...settings, connections }, callbackSource(settings.questions, sink.port, `${role}-${RUN_ID}-${measurement}-${phase}-${i}`));
        }),
      );
      return mergeLoads(loads);
    };
    const warmup = await runAll(settings.warmupSeconds, 'warmup');
    await drainSink(sink, warmup.sentAt.size);
    await ask(sink, { type: 'take' }, 'taken');
    const before = await sampleCpu(children, sink);
    const load = await runAll(settings.seconds, 'run');
    const cpu = cpuShares(before, await sampleCpu(children, sink));
    await drainSink(sink, load.sentAt.size);
    const taken = await ask(sink, { type: 'take' }, 'taken');
    return summarize(name, note, load, taken, warmup.result.non2xx + warmup.result.errors, cpu);
  } finally {
    await Promise.all(children.map(stopChild));
  }
}

/** Several autocannon runs (one per instance) as one: counts and rates summed, latencies merged. */
function mergeLoads(loads: readonly Load[]): Load {
  const [first, ...rest] = loads;
  if (!first) throw new Error('no load to merge');
  if (rest.length === 0) return first;
  const result = { ...first.result, requests: { ...first.result.requests } };
  for (const { result: r } of rest) {
    result.requests.average += r.requests.average;
    result.non2xx += r.non2xx;
    result.errors += r.errors;
    result.timeouts += r.timeouts;
    result.duration = Math.max(result.duration, r.duration);
  }
  return {
    result,
    latencies: loads.flatMap((l) => l.latencies),
    sentAt: new Map(loads.flatMap((l) => [...l.sentAt])),
    startedAt: Math.min(...loads.map((l) => l.startedAt)),
    endedAt: Math.max(...loads.map((l) => l.endedAt)),
  };
}

function summarize(name: string, note: string, load: Load, taken: Reply<'taken'>, warmupProblems: number, cpu: CpuShares): Measured {
  const received = new Set(taken.sessions);
  const replies = [...load.sentAt.keys()].filter((s) => received.has(s)).length;
  const sorted = Float64Array.from(load.latencies).sort();
  // From the callback leaving the load generator to its reply reaching the sink: what the asker waits.
  const replyLatencies = Float64Array.from(
    taken.sessions.flatMap((session, i) => {
      const sent = load.sentAt.get(session);
      const arrived = taken.arrivals[i];
      return sent === undefined || arrived === undefined ? [] : [arrived - sent];
    }),
  ).sort();
  const inRun = taken.arrivals.filter((at) => at >= load.startedAt && at <= load.endedAt).length;
  const r = load.result;
  return {
    name,
    note,
    reqPerSec: r.requests.average,
    replyPerSec: inRun / ((load.endedAt - load.startedAt) / 1000),
    replyP50: percentile(replyLatencies, 0.5),
    replyP99: percentile(replyLatencies, 0.99),
    seconds: r.duration,
    answered: load.sentAt.size,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? NaN,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    replies,
    missing: load.sentAt.size - replies,
    extra: taken.sessions.filter((s) => !load.sentAt.has(s)).length,
    malformed: taken.malformed,
    warmupProblems,
    cpu,
  };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN);
}

// ---------------------------------------------------------------------------------------------
// Report.

const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;

function printTable(title: string, rows: readonly (readonly string[])[]): void {
  console.log(`\n${title}`);
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  for (const row of rows) {
    console.log(`  ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('   ')}`);
  }
}

const perRequest = (m: Measured) => m.cpu.serverMicros / Math.max(1, m.answered);

/** Everything that should be zero: non-2xx, connection errors (timeouts are among them), lost or malformed replies. */
const problems = (m: Measured) => m.non2xx + m.errors + m.missing + m.malformed;

const pct = (share: number) => `${(share * 100).toFixed(0)}%`;

/** The relay and the bot measured one after the other. */
interface Round {
  relay: Measured;
  bot: Measured;
}

function printReport(rounds: readonly Round[], shared: readonly Measured[], settings: Settings): void {
  const measured = [...rounds.flatMap((r) => [r.relay, r.bot]), ...shared];
  printLoad(measured, settings);
  printCpu(rounds, measured);
  printTargets(rounds);
}

function printLoad(targets: readonly Measured[], settings: Settings): void {
  const row = (m: Measured) => [
    m.name,
    m.reqPerSec.toFixed(0),
    m.replyPerSec.toFixed(0),
    `${m.answered} in ${m.seconds.toFixed(1)} s`,
    ms(m.p50),
    ms(m.p99),
    ms(m.max),
    ms(m.replyP50),
    ms(m.replyP99),
    String(m.non2xx),
    `${m.errors}/${m.timeouts}`,
    `${m.replies}/${m.answered}`,
    String(m.extra),
  ];
  printTable(`${settings.seconds} s per target after ${settings.warmupSeconds} s warm-up, ${settings.connections} connections each sending as soon as answered`, [
    ['target', 'req/s', 'replies/s', '2xx', 'p50', 'p99', 'max', 'reply p50', 'reply p99', 'non-2xx', 'errors/timeouts', 'replies/2xx', 'late replies'],
    ...targets.map(row),
  ]);
  console.log('  req/s, p50, p99, max: callbacks acknowledged; replies/s: replies that reached the session webhook during the run;');
  console.log('  reply p50/p99: from sending a callback to its reply reaching the session webhook (what the asker waits)');
  for (const m of targets) {
    if (m.malformed > 0) console.log(`  ${m.name}: ${m.malformed} replies the sink could not read as a robot message`);
    if (m.warmupProblems > 0) console.log(`  ${m.name}: ${m.warmupProblems} non-2xx or errors during the warm-up (not counted)`);
  }
  console.log('  late replies: to callbacks still in flight when the run stopped; expected, not counted');
}

function printCpu(rounds: readonly Round[], measured: readonly Measured[]): void {
  const row = (m: Measured) => [m.name, pct(m.cpu.server), `${perRequest(m).toFixed(0)} µs`, pct(m.cpu.sink), pct(m.cpu.load), pct(m.cpu.others)];
  printTable(`CPU during the measured period (share of one core; the machine has ${availableParallelism()})`, [
    ['target', 'server', 'server CPU per request', 'sink', 'load generator', 'other processes'],
    ...measured.map(row),
  ]);
  // When each server saturates its core, the throughput ratio tends to the ratio of CPU per
  // request; this one is far less disturbed by whatever else runs on the machine.
  const cpuRatios = rounds.map((r) => perRequest(r.relay) / perRequest(r.bot));
  console.log(`  CPU per request, relay / bot: ${cpuRatios.map((r) => r.toFixed(3)).join(', ')} (the ratio the throughputs tend to when both servers saturate a core)`);
  const busiest = Math.max(...measured.map((m) => m.cpu.others));
  if (rounds.some(isNoisy)) console.log(`  warning: other processes used up to ${pct(busiest)} of a core meanwhile; the comparison is unreliable, run again on a quiet machine`);
}

/** Whether other processes took enough CPU during a measured period to distort the comparison. */
const isNoisy = ({ relay, bot }: Round) => Math.max(relay.cpu.others, bot.cpu.others) > NOISE_SHARE;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

function printTargets(rounds: readonly Round[]): void {
  // Replies, not acknowledgements: a server that acknowledged faster than it replied would only be queueing.
  const ratios = rounds.map((r) => r.bot.replyPerSec / r.relay.replyPerSec);
  const p99s = rounds.map((r) => r.bot.p99);
  const ratio = median(ratios);
  const p99 = median(p99s);
  const noisy = rounds.some(isNoisy);
  const of = rounds.length > 1 ? `, median of ${rounds.length} rounds` : '';
  const each = (values: readonly string[]) => (values.length > 1 ? `${values.join(', ')} → ` : '');
  // Timing results of a disturbed run are marked so nobody quotes them; error counts stand.
  const line = (name: string, measured: string, limit: string, pass: boolean, timing = true) => [name, measured, limit, `${pass ? 'PASS' : 'FAIL'}${timing && noisy ? ' (noisy)' : ''}`];
  const sum = (pick: (m: Measured) => number, who: 'relay' | 'bot') => rounds.reduce((total, r) => total + pick(r[who]), 0);
  const zero = (who: 'relay' | 'bot') =>
    `${sum((m) => m.non2xx, who)} non-2xx + ${sum((m) => m.errors, who)} errors (${sum((m) => m.timeouts, who)} timeouts) + ${sum((m) => m.missing, who)} missing + ${sum((m) => m.malformed, who)} malformed`;
  const problemsOf = (who: 'relay' | 'bot') => sum(problems, who);
  printTable('targets', [
    ['target', 'measured', 'limit', 'result'],
    line(`throughput bot / relay (replies/s)${of}`, `${each(ratios.map((r) => r.toFixed(3)))}${ratio.toFixed(3)}`, `≥ ${TARGETS.ratio.toFixed(2)}`, ratio >= TARGETS.ratio),
    line(`bot p99${of}`, `${each(p99s.map(ms))}${ms(p99)}`, `< ${ms(TARGETS.p99Ms)}`, p99 < TARGETS.p99Ms),
    line('bot errors, all rounds', zero('bot'), '= 0', problemsOf('bot') === 0, false),
    // Not a target of the bot, but a relay that drops replies makes the ratio meaningless.
    line('relay errors (baseline valid)', zero('relay'), '= 0', problemsOf('relay') === 0, false),
  ]);
}

// ---------------------------------------------------------------------------------------------

function positiveNumber(name: string, value: string, integer: boolean): number {
  const n = Number(value);
  if (!(n > 0) || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, not ${value}`);
  return n;
}

function parseSettings(): { dirs: string[]; questionsFile: string; redis: string | undefined; settings: Settings } {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '3' },
      questions: { type: 'string', default: '../shared/eval/dev-questions.jsonl' },
      'cpu-prof': { type: 'string' },
      redis: { type: 'string' },
    },
  });
  const dirs = (positionals.length > 0 ? positionals : ['../shared/corpus']).map((dir) => resolve(dir));
  for (const dir of dirs) if (!existsSync(dir)) throw new Error(`corpus folder not found: ${dir}`);
  const profile = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(values['cpu-prof'])}`] : [];
  return {
    dirs,
    questionsFile: values.questions,
    redis: values.redis,
    settings: {
      seconds: positiveNumber('duration', values.duration, false),
      warmupSeconds: positiveNumber('warmup', values.warmup, false),
      connections: positiveNumber('connections', values.connections, true),
      rounds: positiveNumber('rounds', values.rounds, true),
      questions: readQuestions(values.questions),
      // The same flags for both servers under test, whatever this process was started with.
      execArgv: [...process.execArgv, ...profile],
      logDir: mkdtempSync(join(tmpdir(), 'bench-http-')),
    },
  };
}

async function main(): Promise<void> {
  const { dirs, questionsFile, redis, settings } = parseSettings();
  console.log(`corpus: ${dirs.join(', ')}; questions: ${settings.questions.length} from ${existsSync(questionsFile) ? questionsFile : '(built-in list)'}`);
  console.log(`node ${process.version}, ${process.platform}/${process.arch}, ${availableParallelism()} cores; child logs in ${settings.logDir}`);

  const sink = await startChild('sink', { env: process.env, execArgv: process.execArgv, logDir: settings.logDir });
  try {
    console.log(`  sink: ${sink.note} on 127.0.0.1:${sink.port}`);
    const botEnv: NodeJS.ProcessEnv = {
      ...process.env,
      DINGTALK_APP_SECRET: BENCH_SECRET,
      DINGTALK_ROBOT_CODE: BENCH_ROBOT_CODE,
      DINGTALK_SESSION_HOSTS: `127.0.0.1:${sink.port}`,
      KNOWLEDGE_DIR: dirs.join(':'),
      // Whatever state the bot keeps goes with the logs, not into the project's ./data.
      DATA_DIR: join(settings.logDir, 'data'),
      PORT: '0',
    };
    const rounds: Round[] = [];
    for (let n = 1; n <= settings.rounds; n++) {
      const tag = settings.rounds > 1 ? ` #${n}` : '';
      const relay = () => measure(`bare relay${tag}`, 'relay', [process.env], sink, settings);
      const bot = () => measure(`bot${tag}`, 'bot', [botEnv], sink, settings);
      // Alternate order, so that a machine slowing down or speeding up over the run favours neither.
      if (n % 2 === 1) {
        const r = await relay();
        rounds.push({ relay: r, bot: await bot() });
      } else {
        const b = await bot();
        rounds.push({ relay: await relay(), bot: b });
      }
    }
    const shared: Measured[] = [];
    if (redis) {
      // The same bot sharing its state through Redis: one instance, then two behind the same load.
      const redisEnv = { ...botEnv, REDIS_URL: redis };
      shared.push(await measure('bot, Redis', 'bot', [redisEnv], sink, settings));
      shared.push(await measure('2 bots, one Redis', 'bot', [redisEnv, redisEnv], sink, settings));
    } else {
      console.log('  (pass --redis redis://127.0.0.1:6379 to measure one and two instances sharing Redis as well)');
    }
    printReport(rounds, shared, settings);
  } finally {
    await stopChild(sink);
  }
}

await main();
