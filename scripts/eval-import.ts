// Measures the importer on an archive: entries per year and kind, load time, problems, and, with
// --questions, whether the evaluation set's gold references resolve to the entries they name.
//
//   npm run eval:import -- ../shared/corpus [--questions ../shared/eval/dev-questions.jsonl]
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { loadKnowledge, type KnowledgeLoad } from '../src/knowledge/load-knowledge.js';
import { ENTRY_KINDS, formatProblem, type Entry } from '../src/knowledge/entry.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { questions: { type: 'string' }, zone: { type: 'string', default: 'Asia/Shanghai' }, problems: { type: 'boolean' } },
});
if (positionals.length === 0) {
  console.error('usage: npm run eval:import -- <knowledge dir> [...] [--questions dev-questions.jsonl] [--problems]');
  process.exit(2);
}
const options = { dirs: positionals, zone: values.zone, maxFileBytes: 1024 * 1024 };

const times: number[] = [];
let knowledge: KnowledgeLoad | undefined;
for (let run = 0; run < 5; run++) {
  const started = performance.now();
  knowledge = await loadKnowledge(options);
  times.push(performance.now() - started);
}
if (!knowledge) throw new Error('unreachable');

printCounts(knowledge.entries);
const errors = knowledge.problems.filter((p) => p.severity === 'error').length;
console.log(`\nfiles: ${knowledge.files.length}  entries: ${knowledge.entries.length}  errors: ${errors}  warnings: ${knowledge.problems.length - errors}`);
console.log(`load time: first ${times[0]?.toFixed(0)} ms, best of ${times.length} ${Math.min(...times).toFixed(0)} ms`);
if (values.problems) for (const p of knowledge.problems) console.log(formatProblem(p));


function printCounts(entries: Entry[]): void {
  const byYear = new Map<string, Record<string, number>>();
  for (const entry of entries) {
    const year = entry.date?.slice(0, 4) ?? 'undated';
    const row = byYear.get(year) ?? Object.fromEntries(ENTRY_KINDS.map((k) => [k, 0]));
    row[entry.kind] = (row[entry.kind] ?? 0) + 1;
    byYear.set(year, row);
  }
  console.log(['year', ...ENTRY_KINDS].map((c) => c.padStart(8)).join(''));
  const total: Record<string, number> = {};
  for (const [year, row] of [...byYear].sort()) {
    console.log([year, ...ENTRY_KINDS.map((k) => String(row[k] ?? 0))].map((c) => c.padStart(8)).join(''));
    for (const k of ENTRY_KINDS) total[k] = (total[k] ?? 0) + (row[k] ?? 0);
  }
  console.log(['total', ...ENTRY_KINDS.map((k) => String(total[k] ?? 0))].map((c) => c.padStart(8)).join(''));
}

interface GoldItem {
  id: string;
  type: string;
  gold?: { post?: string; n?: number; project?: string; version?: string }[];
  gold_text?: string[];
}

// The scorer's notion of "covers": half of the gold text's 4-character shingles.
const normalize = (s: string) =>
  s
    .replace(/!\[[^\]]*\]\([^)]*\)/g, ' ')
    .replace(/\[([^\]]*)\]\(([^)]*)\)/g, (_, text: string, url: string) => (text.trim() === url.trim() ? url : `${text} ${url}`))
    .replace(/https?:\/\//g, ' ')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
function covers(candidate: string, gold: string): boolean {
  const g = normalize(gold).slice(0, 300);
  const shingles = new Set<string>();
  for (let i = 0; i + 4 <= g.length; i++) shingles.add(g.slice(i, i + 4));
  if (shingles.size === 0 && g.length > 0) shingles.add(g); // "可以。" is shorter than one shingle
  if (shingles.size === 0) return false;
  const c = normalize(candidate);
  let hit = 0;
  for (const s of shingles) if (c.includes(s)) hit++;
  return hit / shingles.size >= 0.5;
}

function checkGold(entries: Entry[], file: string): void {
  const items = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as GoldItem);
  const byId = new Map(entries.map((e) => [e.id.slice(e.id.lastIndexOf('/') + 1), e]));
  const text = (e: Entry) => `${e.title}\n${e.body}`;
  let refs = 0;
  let aligned = 0;
  const misses: string[] = [];
  for (const item of items) {
    for (const [i, gold] of (item.gold ?? []).entries()) {
      const goldText = item.gold_text?.[i] ?? '';
      let ok: boolean;
      if (gold.post && gold.n) {
        const entry = byId.get(`${basename(gold.post, '.md')}#qa-${gold.n}`);
        ok = entry !== undefined && covers(text(entry), goldText);
      } else if (gold.project && gold.version) {
        ok = entries.some((e) => e.kind === 'release' && e.project === gold.project && e.version === gold.version && covers(text(e), goldText));
      } else {
        continue; // "latest version" items name only a project
      }
      refs++;
      if (ok) aligned++;
      else misses.push(`${item.id}: ${JSON.stringify(gold)}`);
    }
  }
  console.log(`\ngold references resolved: ${aligned}/${refs}`);
  for (const miss of misses) console.log(`  not resolved: ${miss}`);
}
if (values.questions) checkGold(knowledge.entries, values.questions);
