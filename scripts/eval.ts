// Scores our engine and a plain fuse.js baseline on an evaluation set with the shared scorer,
// and prints the two side by side.
//
//   npm run eval -- <corpus dir> [--questions FILE] [--scorer FILE] [--details DIR]
//
// The questions default to eval/dev-questions.jsonl next to the corpus (found by walking up from
// it, so both ../shared/corpus and ../shared/corpus/sofa-weekly work), the scorer to score.mjs
// beside the questions. Not part of `npm test`: tests never read ../shared.
import { existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: npm run eval -- <corpus dir> [--questions FILE] [--scorer FILE] [--details DIR]';

interface Engine {
  name: string;
  /** Shell command reading questions on stdin and writing JSON lines, run by the scorer. */
  command: string;
}

interface ScoreReport {
  /** top1, hit3, wrong, quiet_on_none, precision, n, p50, p99, max. */
  numbers: Record<string, number>;
  /** "type/style" → "ok/n". */
  breakdown: Map<string, string>;
}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { questions: { type: 'string' }, scorer: { type: 'string' }, details: { type: 'string' } },
  });
  const [corpusArg] = positionals;
  if (!corpusArg || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  const corpus = resolve(corpusArg);
  const questions = values.questions ? resolve(values.questions) : findDevQuestions(corpus);
  if (!questions || !existsSync(questions)) {
    console.error(`no questions file: pass --questions (looked for eval/dev-questions.jsonl above ${corpus})\n${USAGE}`);
    return 2;
  }
  const scorer = resolve(values.scorer ?? join(dirname(questions), 'score.mjs'));
  if (!existsSync(scorer)) {
    console.error(`no scorer at ${scorer}: pass --scorer\n${USAGE}`);
    return 2;
  }
  if (values.details) mkdirSync(values.details, { recursive: true });

  const engines: Engine[] = [
    { name: 'ours', command: `npm run --silent cli -- ask --knowledge ${shellQuote(corpus)} --jsonl` },
    { name: 'fuse.js', command: `npx tsx scripts/fuse-baseline.ts ${shellQuote(corpus)}` },
  ];
  console.log(`questions: ${questions}\nscorer:    ${scorer}\ncorpus:    ${corpus}\n`);

  // One after the other, never in parallel: the latency columns would otherwise measure contention.
  const reports = new Map<string, ScoreReport>();
  for (const engine of engines) {
    const details = values.details ? join(resolve(values.details), `${engine.name.replace(/\W+/g, '-')}.jsonl`) : undefined;
    const report = runScorer(scorer, questions, engine, details);
    if (!report) return 1;
    reports.set(engine.name, report);
  }
  printSummary(reports);
  printBreakdown(reports);
  return 0;
}

/** eval/dev-questions.jsonl in the corpus's parent or an ancestor a little further up. */
function findDevQuestions(corpus: string): string | undefined {
  let dir = corpus;
  for (let depth = 0; depth < 3; depth++) {
    dir = dirname(dir);
    const candidate = join(dir, 'eval', 'dev-questions.jsonl');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Runs the scorer for one engine; prints why and returns undefined when it fails. */
function runScorer(scorer: string, questions: string, engine: Engine, details: string | undefined): ScoreReport | undefined {
  const args = [scorer, '--questions', questions, '--cmd', engine.command, ...(details ? ['--details', details] : [])];
  console.error(`scoring ${engine.name}: ${engine.command}`);
  const run = spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
  const report = run.status === 0 ? parseScorerOutput(run.stdout) : undefined;
  if (!report) {
    console.error(`${engine.name}: scorer failed (exit ${run.status ?? run.signal ?? 'unknown'})`);
    console.error(`${run.stdout}${run.stderr}`.trim());
    return undefined;
  }
  if (details) console.error(`  details: ${details}`);
  return report;
}

/** Reads the scorer's "  type/style  ok/n", "latency ms: p50=…" and "top1=… hit3=…" lines. */
function parseScorerOutput(stdout: string): ScoreReport | undefined {
  const numbers: Record<string, number> = {};
  const breakdown = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const row = /^\s+(\S+)\s+(\d+\/\d+)\s*$/.exec(line);
    if (row?.[1] && row[2]) breakdown.set(row[1], row[2]);
    if (line.startsWith('latency ms:') || line.startsWith('top1=')) {
      for (const [, key, value] of line.matchAll(/(\w+)=([\d.]+)/g)) if (key && value) numbers[key] = Number(value);
    }
  }
  return 'top1' in numbers ? { numbers, breakdown } : undefined;
}

const COLUMNS: readonly [key: string, label: string][] = [
  ['top1', 'top1'],
  ['hit3', 'hit3'],
  ['wrong', 'wrong'],
  ['quiet_on_none', 'quiet_on_none'],
  ['precision', 'precision'],
  ['p50', 'p50 ms'],
  ['p99', 'p99 ms'],
];

function printSummary(reports: ReadonlyMap<string, ScoreReport>): void {
  const cell = (value: number | undefined, key: string) =>
    value === undefined ? '-' : key === 'p50' || key === 'p99' ? value.toFixed(2) : value.toFixed(3);
  const rows = [
    ['engine', ...COLUMNS.map(([, label]) => label)],
    ...[...reports].map(([name, report]) => [name, ...COLUMNS.map(([key]) => cell(report.numbers[key], key))]),
  ];
  printTable(rows);
}

/** Per type/style, ours first: where the engine wins or loses against the baseline. */
function printBreakdown(reports: ReadonlyMap<string, ScoreReport>): void {
  const names = [...reports.keys()];
  const keys = [...new Set([...reports.values()].flatMap((r) => [...r.breakdown.keys()]))].sort();
  console.log('\nby type/style (right/total):');
  printTable([['type/style', ...names], ...keys.map((key) => [key, ...names.map((name) => reports.get(name)?.breakdown.get(key) ?? '-')])]);
}

function printTable(rows: readonly (readonly string[])[]): void {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  for (const row of rows) {
    console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  '));
  }
}

/** Single-quotes a path for `bash -c`, which is how the scorer runs the command. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

process.exitCode = main();
