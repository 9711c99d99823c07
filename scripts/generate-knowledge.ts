// Deterministic synthetic knowledge for load tests: entries of all four kinds made by recombining
// and perturbing real entries' titles and bodies, so the tokens, lengths and mix of Chinese and
// identifiers look like the archive while the number of entries can be anything (bench uses 50,000).
//
// Same seed and source entries give the same output, so bench runs are comparable.
import type { Entry, EntryKind, EventEntry, EventKind, FaqEntry, ReadingEntry, ReleaseEntry } from '../src/knowledge/entry.js';

export interface GenerateOptions {
  /** How many entries to make. */
  count: number;
  /** PRNG seed; the same seed gives the same entries. */
  seed?: number;
  /** Share of each kind; defaults to FAQ-heavy, since FAQ entries are what the bot answers from and the most costly to index. */
  mix?: Readonly<Record<EntryKind, number>>;
}

const DEFAULT_MIX: Readonly<Record<EntryKind, number>> = { faq: 0.5, release: 0.2, reading: 0.2, event: 0.1 };
const EVENT_KINDS: readonly EventKind[] = ['live', 'meetup', 'other'];
const FALLBACK_PROJECTS = ['SOFARPC', 'SOFABoot', 'SOFAJRaft', 'Seata', 'MOSN', 'SOFARegistry', 'SOFATracer', 'SOFAArk'];

/** mulberry32: tiny, fast and good enough to pick words; Math.random cannot be seeded. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The material synthetic entries are cut from, grouped by kind. */
interface Pool {
  titles: Record<EntryKind, string[]>;
  /** Sentence-sized pieces of bodies. */
  sentences: Record<EntryKind, string[]>;
  /** Body lengths of real entries, to draw plausible lengths from (0 for most reading entries). */
  bodyLengths: Record<EntryKind, number[]>;
  /** ASCII identifiers seen anywhere (project names, class names, config keys). */
  identifiers: string[];
  projects: string[];
}

export function generateKnowledge(source: readonly Entry[], options: GenerateOptions): Entry[] {
  if (source.length === 0) throw new Error('generateKnowledge needs at least one source entry to recombine');
  const random = createRandom(options.seed ?? 1);
  const pool = buildPool(source);
  const kinds = kindSequence(options.count, options.mix ?? DEFAULT_MIX, random);
  return kinds.map((kind, i) => makeEntry(kind, i, pool, random));
}

function buildPool(source: readonly Entry[]): Pool {
  const byKind = <T>(make: () => T) => ({ faq: make(), release: make(), event: make(), reading: make() });
  const pool: Pool = { titles: byKind<string[]>(() => []), sentences: byKind<string[]>(() => []), bodyLengths: byKind<number[]>(() => []), identifiers: [], projects: [] };
  const identifiers = new Set<string>();
  const projects = new Set<string>();
  for (const entry of source) {
    pool.titles[entry.kind].push(entry.title);
    pool.bodyLengths[entry.kind].push(entry.body.length);
    pool.sentences[entry.kind].push(...splitSentences(entry.body));
    for (const word of `${entry.title} ${entry.body}`.match(/[A-Za-z][A-Za-z0-9_.-]{2,30}/g) ?? []) identifiers.add(word);
    if (entry.project) projects.add(entry.project);
  }
  // A kind missing from the source (a small test corpus) borrows from every kind rather than failing.
  const allTitles = source.map((e) => e.title);
  const allSentences = source.flatMap((e) => splitSentences(e.body));
  for (const kind of ['faq', 'release', 'event', 'reading'] as const) {
    if (pool.titles[kind].length === 0) pool.titles[kind] = allTitles;
    if (pool.sentences[kind].length === 0) pool.sentences[kind] = allSentences.length > 0 ? allSentences : allTitles;
    if (pool.bodyLengths[kind].length === 0) pool.bodyLengths[kind] = [80];
  }
  pool.identifiers = [...identifiers].sort();
  pool.projects = projects.size > 0 ? [...projects].sort() : FALLBACK_PROJECTS;
  return pool;
}

function splitSentences(body: string): string[] {
  return body
    .split(/(?<=[。！？!?；;\n])/u)
    .map((s) => s.trim())
    .filter((s) => s.length >= 4);
}

/** Kinds in a shuffled order with the requested shares, so every slice of the output is mixed. */
function kindSequence(count: number, mix: Readonly<Record<EntryKind, number>>, random: () => number): EntryKind[] {
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  const kinds: EntryKind[] = [];
  for (const [kind, share] of Object.entries(mix) as [EntryKind, number][]) {
    const n = Math.round((share / total) * count);
    for (let i = 0; i < n && kinds.length < count; i++) kinds.push(kind);
  }
  while (kinds.length < count) kinds.push('faq');
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j] as EntryKind, kinds[i] as EntryKind];
  }
  return kinds;
}

function makeEntry(kind: EntryKind, i: number, pool: Pool, random: () => number): Entry {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const id = `synthetic/${kind}-${i + 1}`;
  const date = randomDate(random);
  const source = { file: `synthetic/${kind}.md`, line: i + 1 };
  // The common fields are written out in each literal, not spread from a shared one: V8 gave every
  // object built by `{ ...base, … }` a map of its own (17 MB of maps for 50,000 entries, which
  // the importers' entries do not have: a few per kind).
  switch (kind) {
    case 'faq': {
      const entry: FaqEntry = { id, tags: [], links: [], date, source, kind, title: perturb(splice(pick(pool.titles.faq), pick(pool.titles.faq), random), pool, random), body: makeBody('faq', pool, random), aliases: [] };
      if (random() < 0.6) entry.project = pick(pool.projects);
      return entry;
    }
    case 'release': {
      const project = pick(pool.projects);
      // Derived from i, so no two releases share a version, like a real project's release stream.
      const version = `${Math.floor(i / 10000)}.${Math.floor(i / 100) % 100}.${i % 100}`;
      const url = `https://github.com/sofastack/${project.toLowerCase().replace(/[^a-z0-9]+/g, '-')}/releases/tag/v${version}`;
      return { id, tags: [], date, source, kind, project, version, title: `${project} ${version}`, body: makeBody('release', pool, random), url, links: [{ title: '发布报告', url }] } satisfies ReleaseEntry;
    }
    case 'event': {
      const start = `${date}T${String(14 + Math.floor(random() * 6)).padStart(2, '0')}:00:00+08:00`;
      const entry: EventEntry = { id, tags: [], links: [], date, source, kind, title: perturb(splice(pick(pool.titles.event), pick(pool.titles.event), random), pool, random), body: makeBody('event', pool, random), start, eventKind: pick(EVENT_KINDS) };
      if (random() < 0.5) entry.location = pick(['线上直播', '上海', '北京', '杭州', '成都']);
      return entry;
    }
    case 'reading': {
      const url = `https://www.sofastack.tech/blog/synthetic-${i + 1}/`;
      const title = perturb(splice(pick(pool.titles.reading), pick(pool.titles.reading), random), pool, random);
      return { id, tags: [], date, source, kind, title, body: makeBody('reading', pool, random), url, links: [{ title, url }] } satisfies ReadingEntry;
    }
  }
}

/** The first part of one title and the last part of another, each cut at a space or punctuation. */
function splice(a: string, b: string, random: () => number): string {
  // Where the first boundary after a random point in the middle is; none means the title is one phrase.
  const boundary = (s: string) => {
    const from = Math.floor(s.length * (0.3 + random() * 0.3));
    const found = s.slice(from).search(/[\s，,、：:|？?]/u);
    return found < 0 ? undefined : from + found;
  };
  const headEnd = boundary(a);
  const tailStart = boundary(b);
  if (headEnd === undefined || tailStart === undefined) return a;
  const joined = `${a.slice(0, headEnd)}${b.slice(tailStart)}`.trim();
  return joined.length >= 4 ? joined : a;
}

/** Roughly as long as a real body of the kind: sentences drawn until a sampled real length is reached. */
function makeBody(kind: EntryKind, pool: Pool, random: () => number): string {
  const lengths = pool.bodyLengths[kind];
  const target = lengths[Math.floor(random() * lengths.length)] ?? 80;
  if (target === 0) return '';
  const sentences = pool.sentences[kind];
  const parts: string[] = [];
  let length = 0;
  while (length < target && parts.length < 40) {
    const sentence = sentences[Math.floor(random() * sentences.length)] ?? '';
    parts.push(sentence);
    length += sentence.length;
  }
  // Whole sentences overshoot short targets; trimming keeps the length distribution close to the real one.
  const body = [...parts.join(kind === 'release' ? '\n' : '')].slice(0, Math.ceil(target * 1.2)).join('');
  return perturb(body, pool, random);
}

/**
 * Small edits so recombined text is not a copy of the archive: another identifier swapped in,
 * now and then a new identifier (real knowledge keeps adding names), or two characters swapped.
 */
function perturb(text: string, pool: Pool, random: () => number): string {
  let out = text;
  const roll = random();
  if (roll < 0.3 && pool.identifiers.length > 0) {
    const replacement = pool.identifiers[Math.floor(random() * pool.identifiers.length)] ?? '';
    out = out.replace(/[A-Za-z][A-Za-z0-9_.-]{2,30}/, replacement);
  } else if (roll < 0.45 && pool.identifiers.length > 1) {
    const a = pool.identifiers[Math.floor(random() * pool.identifiers.length)] ?? '';
    const b = pool.identifiers[Math.floor(random() * pool.identifiers.length)] ?? '';
    out = `${out} ${a.slice(0, Math.ceil(a.length / 2))}${b.slice(Math.floor(b.length / 2))}`;
  } else if (roll < 0.6 && out.length > 4) {
    const chars = [...out];
    const at = 1 + Math.floor(random() * (chars.length - 2));
    [chars[at], chars[at + 1]] = [chars[at + 1] ?? '', chars[at] ?? ''];
    out = chars.join('');
  }
  return out;
}

function randomDate(random: () => number): string {
  const start = Date.UTC(2019, 0, 1);
  const end = Date.UTC(2025, 11, 31);
  return new Date(start + Math.floor(random() * (end - start))).toISOString().slice(0, 10);
}
