// Measures `npm start` as an operator runs it: the time from the command until /readyz answers
// 200, and where that time goes (npm and the compile check, loading the modules, the knowledge
// and the index build with the segmenter's dictionary, from the bot's own log lines).
//
//   npx tsx scripts/measure-start.ts [--runs 5] [--knowledge DIR] [--edit FILE]
//
// --edit FILE appends a comment line to FILE (a source) before each run and restores it after
// the last: that measures a start after an edit, which must compile again.
// A report, not a test: it exits 0 whatever the numbers, unless the bot does not become ready.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const TARGET_MS = 3000;
const READY_TIMEOUT_MS = 60_000;
const POLL_MS = 20;

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, knowledge: { type: 'string' }, edit: { type: 'string' } },
});
const runs = Number(values.runs);

interface Run {
  readyMs: number;
  /** From the command to the bot's first log line: npm, the compile check, loading the modules. */
  firstLineMs: number | undefined;
  /** The bot's own figures from its "knowledge loaded" line. */
  loadMs: number | undefined;
  indexMs: number | undefined;
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
  if (child.pid) process.kill(-child.pid, 'SIGTERM');
  await exited;
  if (!ok) throw new Error(`the bot was not ready within ${READY_TIMEOUT_MS} ms`);
  return { readyMs, firstLineMs, loadMs: loaded?.ms as number | undefined, indexMs: loaded?.indexMs as number | undefined };
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
for (const r of results) console.log(`  ${s(r.readyMs)} s  (first log line ${s(r.firstLineMs)} s, knowledge loaded ${s(r.loadMs)} s of which index ${s(r.indexMs)} s)`);
const sorted = results.map((r) => r.readyMs).sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
console.log(`  median ${s(median)} s, best ${s(sorted[0])} s, worst ${s(sorted.at(-1))} s; target ≤ ${s(TARGET_MS)} s warm`);
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
