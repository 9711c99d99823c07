// Scores our engine, and a plain fuse.js baseline, on the evaluation sets with the shared scorer:
// one line per set and engine, one line per language of the sets that mark it (`lang`), and a
// breakdown by question type and style.
//
//   npm run eval -- <corpus dir> [--questions FILE]... [--scorer FILE] [--details DIR] [--no-baseline]
//
// Without --questions: the paraphrase set eval/dev-questions.jsonl and the real users' set
// eval/real-dev-questions.jsonl next to the corpus (found by walking up from it, so both
// ../shared/corpus and ../shared/corpus/sofa-weekly work), and this project's own collected set
// eval/real-collected-questions.jsonl (held out: not tuned on) when it is there. The scorer
// defaults to score.mjs beside the first set. Not part of `npm test`: tests never read ../shared.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: npm run eval -- <corpus dir> [--questions FILE]... [--scorer FILE] [--details DIR] [--no-baseline]';
const SHARED_SETS = ['dev-questions.jsonl', 'real-dev-questions.jsonl'];
const OWN_SET = join(PROJECT_ROOT, 'eval', 'real-collected-questions.jsonl');

interface Engine {
  name: string;
  /** Shell command reading questions on stdin and writing JSON lines, the scorer's contract. */
  command: string;
}

interface ScoreReport {
  /** top1, hit3, wrong, quiet_on_none, precision, n, p50, p99, max. */
  numbers: Record<string, number>;
  /** "type/style" → "ok/n". */
  breakdown: Map<string, string>;
}

interface Row {
  set: string;
  engine: string;
  report: ScoreReport;
}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      questions: { type: 'string', multiple: true },
      scorer: { type: 'string' },
      details: { type: 'string' },
      'no-baseline': { type: 'boolean' },
    },
  });
  const [corpusArg] = positionals;
  if (!corpusArg || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  const corpus = resolve(corpusArg);
  const sets = values.questions?.map((q) => resolve(q)) ?? defaultSets(corpus);
  const missing = sets.filter((s) => !existsSync(s));
  if (sets.length === 0 || missing.length > 0) {
    console.error(`no questions file${missing.length ? `: ${missing.join(', ')}` : ''}: pass --questions (looked for eval/ above ${corpus})\n${USAGE}`);
    return 2;
  }
  const scorer = resolve(values.scorer ?? join(dirname(sets[0] as string), 'score.mjs'));
  if (!existsSync(scorer)) {
    console.error(`no scorer at ${scorer}: pass --scorer\n${USAGE}`);
    return 2;
  }
  if (values.details) mkdirSync(values.details, { recursive: true });

  const engines: Engine[] = [
    { name: 'ours', command: `npm run --silent cli -- ask --knowledge ${shellQuote(corpus)} --jsonl` },
    ...(values['no-baseline'] ? [] : [{ name: 'fuse.js', command: `npx tsx scripts/fuse-baseline.ts ${shellQuote(corpus)}` }]),
  ];
  console.log(`scorer: ${scorer}\ncorpus: ${corpus}\nsets:   ${sets.join('\n        ')}\n`);

  const work = mkdtempSync(join(tmpdir(), 'eval-'));
  try {
    const rows: Row[] = [];
    // One engine and set after the other, never in parallel: the latency columns would otherwise
    // measure contention.
    for (const questions of sets) {
      const setName = basename(questions, '.jsonl');
      const items = readJsonLines(questions);
      for (const engine of engines) {
        console.error(`answering ${setName} with ${engine.name}`);
        const answers = answer(engine, items);
        if (!answers) return 1;
        const details = values.details ? join(resolve(values.details), `${setName}.${engine.name.replace(/\W+/g, '-')}.jsonl`) : undefined;
        const report = score(scorer, work, items, answers, details);
        if (!report) return 1;
        rows.push({ set: setName, engine: engine.name, report });
        // Per language, for sets whose items say which they are in (ours only: the baseline has
        // no language handling to tell apart).
        const languages = [...new Set(items.map((it) => it.lang).filter((l): l is string => typeof l === 'string'))].sort();
        if (engine.name !== 'ours' || languages.length < 2) continue;
        for (const lang of languages) {
          const keep = items.map((it) => it.lang === lang);
          const subset = score(scorer, work, items.filter((_, i) => keep[i]), answers.filter((_, i) => keep[i]), undefined);
          if (subset) rows.push({ set: `${setName} ${lang}`, engine: engine.name, report: subset });
        }
      }
    }
    printSummary(rows);
    printBreakdown(rows);
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The shared sets in eval/ at the corpus's parent or a little further up, and our own set. */
function defaultSets(corpus: string): string[] {
  let dir = corpus;
  for (let depth = 0; depth < 3; depth++) {
    dir = dirname(dir);
    const found = SHARED_SETS.map((name) => join(dir, 'eval', name)).filter((f) => existsSync(f));
    if (found.length > 0) return [...found, ...(existsSync(OWN_SET) ? [OWN_SET] : [])];
  }
  return existsSync(OWN_SET) ? [OWN_SET] : [];
}

interface Item {
  q: string;
  lang?: unknown;
}

function readJsonLines(file: string): Item[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Item);
}

/** Runs an engine over the questions as the scorer would (one line each); its output lines. */
function answer(engine: Engine, items: readonly Item[]): string[] | undefined {
  const input = `${items.map((it) => it.q.replace(/\s*\n\s*/g, ' ')).join('\n')}\n`;
  const run = spawnSync('bash', ['-c', engine.command], { cwd: PROJECT_ROOT, input, encoding: 'utf8', maxBuffer: 1 << 28 });
  const lines = run.stdout.split('\n').filter((l) => l.trim() !== '');
  if (run.status !== 0 || lines.length !== items.length) {
    console.error(`${engine.name}: failed (exit ${run.status ?? run.signal ?? 'unknown'}, ${lines.length}/${items.length} answers)`);
    console.error(run.stderr.slice(-2000));
    return undefined;
  }
  return lines;
}

/** Scores answers already given, with the shared scorer's --answers mode. */
function score(scorer: string, work: string, items: readonly Item[], answers: readonly string[], details: string | undefined): ScoreReport | undefined {
  const questionsFile = join(work, 'questions.jsonl');
  const answersFile = join(work, 'answers.jsonl');
  writeFileSync(questionsFile, `${items.map((it) => JSON.stringify(it)).join('\n')}\n`);
  writeFileSync(answersFile, `${answers.join('\n')}\n`);
  const args = [scorer, '--questions', questionsFile, '--answers', answersFile, ...(details ? ['--details', details] : [])];
  const run = spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
  const report = run.status === 0 ? parseScorerOutput(run.stdout) : undefined;
  if (!report) console.error(`scorer failed (exit ${run.status ?? run.signal ?? 'unknown'})\n${`${run.stdout}${run.stderr}`.trim()}`);
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
  ['n', 'n'],
  ['top1', 'top1'],
  ['hit3', 'hit3'],
  ['wrong', 'wrong'],
  ['quiet_on_none', 'quiet_on_none'],
  ['precision', 'precision'],
  ['p50', 'p50 ms'],
  ['p99', 'p99 ms'],
];

function printSummary(rows: readonly Row[]): void {
  const cell = (value: number | undefined, key: string) =>
    value === undefined ? '-' : key === 'n' ? String(value) : key === 'p50' || key === 'p99' ? value.toFixed(2) : value.toFixed(3);
  printTable([
    ['set', 'engine', ...COLUMNS.map(([, label]) => label)],
    ...rows.map((row) => [row.set, row.engine, ...COLUMNS.map(([key]) => cell(row.report.numbers[key], key))]),
  ]);
}

/** Per set and type/style, ours first: where the engine wins or loses against the baseline. */
function printBreakdown(rows: readonly Row[]): void {
  const whole = rows.filter((r) => !r.set.includes(' '));
  const columns = whole.map((r) => `${r.set} ${r.engine}`);
  const keys = [...new Set(whole.flatMap((r) => [...r.report.breakdown.keys()]))].sort();
  console.log('\nby type/style (right/total):');
  printTable([['type/style', ...columns], ...keys.map((key) => [key, ...whole.map((r) => r.report.breakdown.get(key) ?? '-')])]);
}

function printTable(rows: readonly (readonly string[])[]): void {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  for (const row of rows) {
    console.log(row.map((cell, column) => (column <= 1 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  '));
  }
}

/** Single-quotes a path for `bash -c`, which is how the engines are run. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

process.exitCode = main();
