/** One entry as the index sees it: its fields, each a list of words. */
export interface IndexedFields {
  /** Question or title: what the entry is about. */
  title: readonly string[];
  /** Other phrasings of the question. */
  aliases: readonly (readonly string[])[];
  /** Answer, change list or description. */
  body: readonly string[];
  /** What a question says before it asks (see splitAsked): none when absent. */
  context?: readonly string[];
  /** An archived follow-up's previous question: none when absent. */
  follows?: readonly string[];
}

export interface Scored {
  entry: number;
  score: number;
}

/**
 * An inverted index with every BM25 weight computed when it is built. The knowledge does not
 * change between reloads, so a question costs one addition per (word, entry) posting and a
 * top-k pick; a general-purpose engine (MiniSearch was used first) builds and sorts an object per
 * hit, which cost four times the rest of a callback (see README, Numbers).
 */
export interface TermIndex {
  readonly count: number;
  termId(term: string): number | undefined;
  /** Entries holding the term. */
  documentFrequency(termId: number): number;
  /** Information of a term: log(1 + N / (1 + df)); unknown words count as the rarest. */
  information(term: string): number;
  /** The same for a term id. */
  informationOf(termId: number): number;
  /**
   * The best `k` entries by BM25 over the terms, each score multiplied by `boost(entry)`. A term's
   * `weight` (default 1) scales what it adds, and what it counts for among the words matched.
   */
  top(terms: readonly { id: number; weight?: number }[], k: number, boost: (entry: number) => number): Scored[];
  /** Whether an entry holds a term anywhere. */
  has(entry: number, termId: number): boolean;
  /** How many ways an entry's question is put: the question (with its context), then each alias. */
  phrasingCount(entry: number): number;
  /** Whether phrasing `k` of an entry (0: the question) holds a term. */
  inPhrasing(entry: number, k: number, termId: number): boolean;
  /** Information of the distinct terms of phrasing `k` of an entry, summed. */
  phrasingInformation(entry: number, k: number): number;
  /** Whether an entry's title or aliases hold a term. */
  inTitle(entry: number, termId: number): boolean;
  /** Every term in the index. */
  vocabulary(): string[];
}

// BM25+ with the usual parameters, per field; question, title and alias words weigh three times
// answer words. A hit's score is multiplied by the number of question words it matched, so an
// entry matching several words outranks one matching a single frequent one.
const K = 1.2;
const B = 0.7;
const DELTA = 0.5;
// A question's context weighs as its answer does: "…设置为 false（有死锁风险）。请问……" is about
// deadlocks, not about every setting it quotes first. It is still the question's for the coverage
// features (inTitle, phrasings). An archived follow-up ("那当集群规模比较大的时候呢？") is about what
// was asked before it, which it leaves unsaid: those words count for coverage and barely for
// BM25, so the follow-up is found by its own words, and the earlier question by its own.
const FIELD_BOOSTS = [
  ['title', 3],
  ['aliases', 3],
  ['context', 1],
  ['follows', 0.1],
  ['body', 1],
] as const;

export function createTermIndex(docs: readonly IndexedFields[]): TermIndex {
  const count = docs.length;
  // Built in a function of its own: what only the build needs (the documents' words, per-term
  // lists of numbers) is let go once it returns, instead of living on in the scope the methods
  // below close over (at 50,000 entries that was over 100 MB).
  const { ids, postingStart, postingEntries, postingWeights, entryTerms, phrasings, firstPhrasing } = buildPostings(docs);
  const termCount = ids.size;
  const documentFrequency = (id: number) => (id >= 0 && id < termCount ? (postingStart[id + 1] as number) - (postingStart[id] as number) : 0);
  const maxInformation = Math.log(1 + count);
  const informationById = Float64Array.from({ length: termCount }, (_, id) => Math.log(1 + count / (1 + documentFrequency(id))));
  const phrasingInformation = Float64Array.from({ length: phrasings.start.length - 1 }, (_, phrasing) => {
    let sum = 0;
    for (let at = phrasings.start[phrasing] as number; at < (phrasings.start[phrasing + 1] as number); at++) sum += informationById[phrasings.ids[at] as number] ?? 0;
    return sum;
  });
  const phrasingCount = (entry: number) => (entry >= 0 && entry < count ? (firstPhrasing[entry + 1] as number) - (firstPhrasing[entry] as number) : 0);

  // Reused between questions: the scores of the entries touched by the current one.
  const scores = new Float64Array(count);
  const matched = new Float64Array(count);
  const touched: number[] = [];

  return {
    count,
    termId: (term) => ids.get(term),
    documentFrequency,
    information: (term) => {
      const id = ids.get(term);
      return id === undefined ? maxInformation : (informationById[id] ?? maxInformation);
    },
    informationOf: (id) => informationById[id] ?? maxInformation,
    top(terms, k, boost) {
      for (const { id, weight = 1 } of terms) {
        if (id < 0 || id >= termCount || weight <= 0) continue;
        const end = postingStart[id + 1] as number;
        for (let i = postingStart[id] as number; i < end; i++) {
          const entry = postingEntries[i] as number;
          if (matched[entry] === 0) touched.push(entry);
          scores[entry] = (scores[entry] as number) + weight * (postingWeights[i] as number);
          matched[entry] = (matched[entry] as number) + weight;
        }
      }
      // Keep the best k in a small sorted array: no object per hit, no full sort.
      const best: Scored[] = [];
      for (const entry of touched) {
        const score = (scores[entry] as number) * (matched[entry] as number) * boost(entry);
        scores[entry] = 0;
        matched[entry] = 0;
        if (best.length === k && score <= (best[k - 1] as Scored).score) continue;
        let at = best.length;
        while (at > 0 && (best[at - 1] as Scored).score < score) at--;
        best.splice(at, 0, { entry, score });
        if (best.length > k) best.pop();
      }
      touched.length = 0;
      return best;
    },
    has: (entry, termId) => sortedIncludes(entryTerms, entry, termId),
    phrasingCount,
    inPhrasing: (entry, k, termId) => k >= 0 && k < phrasingCount(entry) && sortedIncludes(phrasings, (firstPhrasing[entry] as number) + k, termId),
    phrasingInformation: (entry, k) => (k >= 0 && k < phrasingCount(entry) ? (phrasingInformation[(firstPhrasing[entry] as number) + k] ?? 0) : 0),
    inTitle: (entry, termId) => {
      for (let k = firstPhrasing[entry] ?? 0; k < (firstPhrasing[entry + 1] ?? 0); k++) if (sortedIncludes(phrasings, k, termId)) return true;
      return false;
    },
    vocabulary: () => [...ids.keys()],
  };
}

/**
 * Per-item lists of numbers, all in one array: item i's are `ids[start[i]]` up to `ids[start[i + 1]]`.
 * Two typed arrays instead of one per item: a typed array costs about 200 bytes of its own (and a
 * native allocation), which at 50,000 entries was more than the numbers they held.
 */
interface Packed {
  start: Uint32Array;
  ids: Uint32Array;
}

/** Appends lists to one growing array; the lists are numbers on the JS heap until `pack()`. */
function packer() {
  const start = [0];
  const ids: number[] = [];
  return {
    add(list: Iterable<number>) {
      for (const id of list) ids.push(id);
      start.push(ids.length);
    },
    pack: (): Packed => ({ start: Uint32Array.from(start), ids: Uint32Array.from(ids) }),
  };
}

const NONE: readonly string[] = [];

/** A field's words; the aliases' as one list. */
function wordsOf(doc: IndexedFields, field: keyof IndexedFields): readonly string[] {
  return field === 'aliases' ? doc.aliases.flat() : (doc[field] ?? NONE);
}

function buildPostings(docs: readonly IndexedFields[]) {
  const count = docs.length;
  const ids = new Map<string, number>();
  const idOf = (term: string) => {
    let id = ids.get(term);
    if (id === undefined) {
      id = ids.size;
      ids.set(term, id);
    }
    return id;
  };
  const fieldStats = (field: keyof IndexedFields) => {
    const words = docs.map((d) => wordsOf(d, field));
    const lengths = words.map((w) => w.length);
    const df = new Map<number, number>();
    for (const list of words) for (const id of new Set(list.map(idOf))) df.set(id, (df.get(id) ?? 0) + 1);
    return { lengths, average: Math.max(1, lengths.reduce((a, b) => a + b, 0) / Math.max(1, count)), df };
  };
  const fields = { title: fieldStats('title'), aliases: fieldStats('aliases'), context: fieldStats('context'), follows: fieldStats('follows'), body: fieldStats('body') };

  // Per entry, its terms (sorted) and, in the same order, their precomputed weights.
  const entryTerms = packer();
  const entryWeights: number[] = [];
  // Per entry, each way its question is put (its terms, sorted): the question with its context, then each alias.
  const phrasings = packer();
  const firstPhrasing = [0];
  docs.forEach((doc, entry) => {
    const weights = new Map<number, number>();
    for (const [field, boost] of FIELD_BOOSTS) {
      const { lengths, average, df } = fields[field];
      const tf = new Map<number, number>();
      for (const term of wordsOf(doc, field)) tf.set(idOf(term), (tf.get(idOf(term)) ?? 0) + 1);
      const norm = K * (1 - B + (B * (lengths[entry] ?? 0)) / average);
      for (const [id, f] of tf) {
        const n = df.get(id) ?? 0;
        const idf = Math.log(1 + (count - n + 0.5) / (n + 0.5));
        weights.set(id, (weights.get(id) ?? 0) + boost * idf * (DELTA + (f * (K + 1)) / (f + norm)));
      }
    }
    const terms = [...weights.keys()].sort((a, b) => a - b);
    entryTerms.add(terms);
    for (const id of terms) entryWeights.push(weights.get(id) as number);
    for (const phrasing of [[...doc.title, ...(doc.context ?? NONE)], ...doc.aliases]) phrasings.add([...new Set(phrasing.map(idOf))].sort((a, b) => a - b));
    firstPhrasing.push((firstPhrasing.at(-1) as number) + 1 + doc.aliases.length);
  });
  const byEntry = entryTerms.pack();

  // Postings: per term, the entries holding it (ascending) and their weights.
  const postingStart = new Uint32Array(ids.size + 1);
  for (const id of byEntry.ids) postingStart[id + 1] = (postingStart[id + 1] as number) + 1;
  for (let id = 0; id < ids.size; id++) postingStart[id + 1] = (postingStart[id + 1] as number) + (postingStart[id] as number);
  const postingEntries = new Uint32Array(byEntry.ids.length);
  const postingWeights = new Float32Array(byEntry.ids.length);
  const filled = postingStart.slice(0, ids.size);
  for (let entry = 0; entry < count; entry++) {
    for (let i = byEntry.start[entry] as number; i < (byEntry.start[entry + 1] as number); i++) {
      const id = byEntry.ids[i] as number;
      const at = filled[id] as number;
      filled[id] = at + 1;
      postingEntries[at] = entry;
      postingWeights[at] = entryWeights[i] as number;
    }
  }
  return { ids, postingStart, postingEntries, postingWeights, entryTerms: byEntry, phrasings: phrasings.pack(), firstPhrasing: Uint32Array.from(firstPhrasing) };
}

function sortedIncludes({ start, ids }: Packed, item: number, value: number): boolean {
  if (!(item >= 0 && item < start.length - 1)) return false;
  let lo = start[item] as number;
  let hi = (start[item + 1] as number) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = ids[mid] as number;
    if (at === value) return true;
    if (at < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
