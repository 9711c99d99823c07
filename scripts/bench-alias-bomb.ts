// Measures what a YAML alias bomb ("billion laughs") in a knowledge file costs: the time and peak
// memory of loading it, and the slowest /healthz of a running bot while the file is dropped into
// its watched folder. Target: /healthz never slower than 500 ms.
//
//   npx tsx scripts/bench-alias-bomb.ts [--levels 9] [--cap 60]
//
// The bot runs as `npm start` runs it, in a child process; this process only asks /healthz, so a
// stalled bot shows as a slow answer. `--cap` bounds each phase in seconds. A report, not a test.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadKnowledge } from '../src/knowledge/load-knowledge.js';

const { values } = parseArgs({ options: { levels: { type: 'string', default: '9' }, cap: { type: 'string', default: '60' } } });
const levels = Number(values.levels);
const capMs = Number(values.cap) * 1000;

let yaml = `a0: &a0 [${Array(9).fill('"lol"').join(', ')}]\n`;
for (let i = 1; i <= levels; i++) yaml += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]\n`;
const bomb = `---\n${yaml}kind: *a${levels}\nquestion: q\n---\nbody\n`;
console.log(`alias bomb: ${levels} levels, ${bomb.length} bytes, stands for 9^${levels + 1} strings`);

// 1. Loading it in this process.
const dir = mkdtempSync(join(tmpdir(), 'bench-alias-bomb-'));
mkdirSync(join(dir, 'faq'));
writeFileSync(join(dir, 'faq/bomb.md'), bomb);
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const loaded = await loadKnowledge({ dirs: [dir], zone: 'Asia/Shanghai', maxFileBytes: 1 << 20 });
const ms = performance.now() - started;
console.log(`load: ${ms.toFixed(0)} ms, RSS ${mb(rssBefore)} before, peak ${mb(process.resourceUsage().maxRSS * 1024)}`);
for (const p of loaded.problems) console.log(`  ${p.file.slice(dir.length + 1)}:${p.line}: ${p.message.slice(0, 120)}`);

// 2. A running bot whose watched folder receives it.
const knowledge = mkdtempSync(join(tmpdir(), 'bench-alias-bomb-k-'));
mkdirSync(join(knowledge, 'faq'));
writeFileSync(join(knowledge, 'faq/good.md'), '---\nquestion: Seata 全局锁是行级的吗？\n---\n是行级的。\n');
const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  env: { ...process.env, KNOWLEDGE_DIR: knowledge, DATA_DIR: join(knowledge, '.data'), PORT: '0', LOG_LEVEL: 'info' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const logged: Array<Record<string, unknown>> = [];
createInterface({ input: child.stdout }).on('line', (line) => {
  try {
    logged.push(JSON.parse(line) as Record<string, unknown>);
  } catch {
    // not a log line
  }
});
const waitFor = async (text: string) => {
  const since = Date.now();
  while (!logged.some((l) => String(l.msg).includes(text))) {
    if (Date.now() - since > capMs) throw new Error(`the bot did not log "${text}"`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return logged.find((l) => String(l.msg).includes(text)) as Record<string, unknown>;
};
try {
  const url = `http://127.0.0.1:${String((await waitFor('listening')).port)}`;
  await waitFor('knowledge loaded');
  // The watcher says when it is ready; give it a few seconds if this version does not.
  await Promise.race([waitFor('watching the knowledge folders'), new Promise((resolve) => setTimeout(resolve, 3_000))]);
  await fetch(`${url}/healthz`);
  writeFileSync(join(knowledge, 'faq/bomb.md'), bomb);
  const dropped = Date.now();
  const latencies: number[] = [];
  let reported = false;
  while (!reported && Date.now() - dropped < capMs) {
    const asked = performance.now();
    await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(capMs) }).catch(() => undefined);
    latencies.push(performance.now() - asked);
    reported = logged.some((l) => String(l.msg).includes('bomb.md'));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const slowest = Math.max(...latencies);
  console.log(
    `/healthz while the bot read the bomb: ${latencies.length} requests, slowest ${slowest.toFixed(0)} ms (target ≤ 500 ms), ` +
      (reported ? `reported after ${Date.now() - dropped} ms` : `not reported within ${capMs / 1000} s`),
  );
  const report = logged.find((l) => String(l.msg).includes('bomb.md'))?.msg;
  if (typeof report === 'string') console.log(`  ${report.slice(0, 160)}`);
} finally {
  child.kill('SIGKILL');
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}
