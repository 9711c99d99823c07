// Measures `npm start` as an operator runs it: the time from the command until /readyz answers
// 200, and where that time goes (npm and the compile check, loading the modules, the knowledge
// and the index build with the segmenter's dictionary, from the bot's own log lines).
//
//   npx tsx scripts/measure-start.ts [--runs 5] [--knowledge DIR] [--edit FILE] [--rss]
//
// --rss keeps each started bot running for 30 s more and reads its resident memory (VmRSS, both
// threads: the bot's node process behind npm) 5 s and 30 s after /readyz answered (Linux only).
// --edit FILE appends a comment line to FILE (a source) before each run and restores it after
// the last: that measures a start after an edit, which must compile again.
// A report, not a test: it exits 0 whatever the numbers, unless the bot does not become ready.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const TARGET_MS = 3000;
const READY_TIMEOUT_MS = 60_000;
const POLL_MS = 20;

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, knowledge: { type: 'string' }, edit: { type: 'string' }, rss: { type: 'boolean', default: false } },
});
const runs = Number(values.runs);

interface Run {
  readyMs: number;
  /** From the command to the bot's first log line: npm, the compile check, loading the modules. */
  firstLineMs: number | undefined;
  /** The bot's own figures from its "knowledge loaded" line. */
  loadMs: number | undefined;
  indexMs: number | undefined;
  /** MB at /readyz + 5 s and + 30 s, with --rss. */
  rss: [number | undefined, number | undefined] | undefined;
}

const RSS_AFTER_READY_MS = [5000, 30_000];
const TARGET_RSS_MB = 150;

/** The pids under `pid` (npm → node), from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid …": the command name may hold spaces, so read after its ")".
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const all: number[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const next = children.get(queue.shift() as number) ?? [];
    all.push(...next);
    queue.push(...next);
  }
  return all;
}

/** The resident MB of the bot's node process (the one running src/main.js). */
function botRssMb(npmPid: number): number | undefined {
  for (const pid of descendants(npmPid)) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('main.js')) continue;
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return kb === undefined ? undefined : Number(kb) / 1024;
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

async function ready(url: string, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    const status = await fetch(url).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return true;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return false;
}

async function measureOnce(): Promise<Run> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: mkdtempSync(join(tmpdir(), 'measure-start-')), LOG_FORMAT: 'json' };
  if (values.knowledge) env.KNOWLEDGE_DIR = values.knowledge;
  const started = performance.now();
  // Its own process group, so the stop reaches node behind npm.
  const child = spawn('npm', ['start'], { env, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  let firstLineMs: number | undefined;
  let loaded: Record<string, unknown> | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      const record = JSON.parse(line) as Record<string, unknown>;
      firstLineMs ??= performance.now() - started;
      if (record.msg === 'knowledge loaded') loaded = record;
    } catch {
      // npm's own lines, the compiler's
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ok = await ready(`http://127.0.0.1:${port}/readyz`, Date.now() + READY_TIMEOUT_MS);
  const readyMs = performance.now() - started;
  let rss: Run['rss'];
  if (ok && values.rss && child.pid) {
    const readyAt = performance.now();
    const at = async (ms: number) => {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, readyAt + ms - performance.now())));
      return botRssMb(child.pid as number);
    };
    rss = [await at(RSS_AFTER_READY_MS[0] as number), await at(RSS_AFTER_READY_MS[1] as number)];
  }
  if (child.pid) process.kill(-child.pid, 'SIGTERM');
  await exited;
  if (!ok) throw new Error(`the bot was not ready within ${READY_TIMEOUT_MS} ms`);
  return { readyMs, firstLineMs, loadMs: loaded?.ms as number | undefined, indexMs: loaded?.indexMs as number | undefined, rss };
}

/** Seconds for one plain command, for the breakdown (best of three: the others are noise). */
function time(command: string, args: string[]): string {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    spawnSync(command, args, { stdio: 'ignore' });
    best = Math.min(best, performance.now() - started);
  }
  return (best / 1000).toFixed(2);
}

const original = values.edit ? readFileSync(values.edit, 'utf8') : undefined;
const results: Run[] = [];
try {
  // The first start may compile; the runs after it are warm.
  if (!values.edit) await measureOnce();
  for (let i = 0; i < runs; i++) {
    if (values.edit && original !== undefined) writeFileSync(values.edit, `${original}// measure-start ${Date.now()}\n`);
    results.push(await measureOnce());
  }
} finally {
  if (values.edit && original !== undefined) writeFileSync(values.edit, original);
}

const s = (ms: number | undefined) => (ms === undefined ? '?' : (ms / 1000).toFixed(2));
console.log(`npm start until /readyz is 200${values.edit ? `, ${values.edit} edited before each` : ', warm'}${values.knowledge ? `, knowledge ${values.knowledge}` : ''}:`);
const mb = (v: number | undefined) => (v === undefined ? '?' : v.toFixed(1));
for (const r of results) {
  const rss = r.rss ? `; RSS at /readyz + 5 s ${mb(r.rss[0])} MB, + 30 s ${mb(r.rss[1])} MB` : '';
  console.log(`  ${s(r.readyMs)} s  (first log line ${s(r.firstLineMs)} s, knowledge loaded ${s(r.loadMs)} s of which index ${s(r.indexMs)} s)${rss}`);
}
const sorted = results.map((r) => r.readyMs).sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
console.log(`  median ${s(median)} s, best ${s(sorted[0])} s, worst ${s(sorted.at(-1))} s; target ≤ ${s(TARGET_MS)} s warm`);
if (values.rss) {
  for (const [k, after] of RSS_AFTER_READY_MS.entries()) {
    const figures = results.flatMap((r) => (r.rss?.[k] === undefined ? [] : [r.rss[k]])).sort((a, b) => a - b);
    const within = figures.filter((v) => v <= TARGET_RSS_MB).length;
    console.log(`  RSS at /readyz + ${after / 1000} s: ${mb(figures[0])}–${mb(figures.at(-1))} MB, ${within} of ${figures.length} runs ≤ ${TARGET_RSS_MB} MB`);
  }
}
console.log('where the seconds go (each alone, best of three):');
console.log(`  npm's own start                     ${time('npm', ['--version'])} s`);
console.log(`  node's own start                    ${time(process.execPath, ['-e', '0'])} s`);
// Without an entry the launcher checks the sources (compiling if they changed) and stops.
console.log(`  node + the sources check            ${time(process.execPath, ['scripts/run-compiled.js'])} s`);
console.log(`  node + loading the bot's modules    ${time(process.execPath, ['--input-type=module', '-e', "await import('./dist/src/app.js')"])} s`);
console.log(`  node + loading the config           ${time(process.execPath, ['--input-type=module', '-e', "const { loadConfig } = await import('./dist/src/config/load-config.js'); loadConfig();"])} s`);
console.log(
  `  node + the segmenter's dictionary   ${time(process.execPath, ['--input-type=module', '-e', "const { Jieba } = await import('@node-rs/jieba'); const { dict } = await import('@node-rs/jieba/dict.js'); Jieba.withDict(dict);"])} s`,
);
console.log('  loading the knowledge and building the index: "knowledge loaded" above (index: in the worker, with its dictionary)');
