// A plain fuse.js baseline with the same JSON-lines contract as `cli ask --jsonl`, so `npm run eval`
// can put our engine next to the README's "plain fuse.js" comparison on the same questions.
//
//   npx tsx scripts/fuse-baseline.ts <knowledge dir> [...] < questions.txt
//
// Deliberately naive: default-ish options, no segmentation, no abstaining. Every question with
// a hit is answered with the top hit, which is what makes its precision on "none" questions poor.
import { createInterface } from 'node:readline';
import Fuse from 'fuse.js';
import { loadConfig } from '../src/config/load-config.js';
import { loadKnowledge } from '../src/knowledge/load-knowledge.js';
import type { Entry } from '../src/knowledge/entry.js';

const FUSE_OPTIONS = { keys: ['title', 'body'], includeScore: true, ignoreLocation: true, threshold: 0.6 };

interface OutputMatch {
  kind: string;
  id: string;
  title: string;
  answer: string;
  url: string | null;
  source: Entry['source'];
  score: number;
}

async function main(dirs: readonly string[]): Promise<number> {
  if (dirs.length === 0) {
    console.error('usage: npx tsx scripts/fuse-baseline.ts <knowledge dir> [...] < questions');
    return 2;
  }
  const config = loadConfig();
  const { entries } = await loadKnowledge({ dirs, zone: config.timezone, maxFileBytes: config.knowledge.maxFileBytes });
  // The README's comparison indexes what answers questions: Q&A pairs and release notes.
  const fuse = new Fuse(entries.filter((e) => e.kind === 'faq' || e.kind === 'release'), FUSE_OPTIONS);

  // One output line per input line, empty ones included, so the scorer can pair them by position.
  for await (const question of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    const started = performance.now();
    const hits = fuse.search(question, { limit: 3 });
    const ms = performance.now() - started;
    const matches = hits.map((hit) => toMatch(hit.item, 1 - (hit.score ?? 1)));
    process.stdout.write(`${JSON.stringify({ question, answered: matches.length > 0, ms, matches })}\n`);
  }
  return 0;
}

function toMatch(entry: Entry, score: number): OutputMatch {
  return { kind: entry.kind, id: entry.id, title: entry.title, answer: entry.body, url: entry.url ?? null, source: entry.source, score };
}

process.exitCode = await main(process.argv.slice(2));
