// The knowledge's own typos: "fegin" in an answer that means feign, "mson" in a question about MOSN.
// An English word that appears in few entries and is another, more frequent word of the same
// knowledge with two adjacent letters swapped is that word mistyped; the index and the questions
// read it as the word it misspells, so "sofarpc 能用 feign 吗" finds "SOFARPC 支持 fegin 不？".

/** Plain English words only: identifiers and versions are not typed from memory. */
const WORD = /^[a-z]{4,24}$/;
// A word in more entries than this is a word of its own, however close it is to another.
const MAX_TYPO_ENTRIES = 3;

/**
 * Mistyped word → the word it misspells, over the words of the given documents: the swap of two
 * adjacent letters, into a word found in more entries. Two spellings equally common (kryo, kyro)
 * are left alone.
 */
export function findTypos(docs: Iterable<readonly (readonly string[])[]>): Map<string, string> {
  const entriesWith = new Map<string, number>();
  for (const fields of docs) {
    const seen = new Set<string>();
    for (const field of fields) for (const term of field) if (WORD.test(term)) seen.add(term);
    for (const term of seen) entriesWith.set(term, (entriesWith.get(term) ?? 0) + 1);
  }
  const typos = new Map<string, string>();
  for (const [term, count] of entriesWith) {
    if (count > MAX_TYPO_ENTRIES) continue;
    let best: string | undefined;
    let bestCount = count;
    for (let i = 0; i + 1 < term.length; i++) {
      if (term[i] === term[i + 1]) continue;
      const swapped = `${term.slice(0, i)}${term[i + 1] as string}${term[i] as string}${term.slice(i + 2)}`;
      const swappedCount = entriesWith.get(swapped) ?? 0;
      if (swappedCount > bestCount) [best, bestCount] = [swapped, swappedCount];
    }
    if (best) typos.set(term, best);
  }
  return typos;
}

/** The words with each known typo read as the word it misspells; the same array when none is. */
export function foldTypos(terms: readonly string[], typos: ReadonlyMap<string, string>): readonly string[] {
  if (typos.size === 0 || !terms.some((t) => typos.has(t))) return terms;
  return terms.map((t) => typos.get(t) ?? t);
}
