import { canonicalProject } from '../knowledge/projects.js';

/** Questions at least this similar are grouped as phrasings of one question. */
export const SIMILAR_QUESTIONS = 0.55;

const ASCII = /^[a-z0-9]+$/;

// Identifiers and English words (http3, oracle, kotlin) say most about what is asked and weigh
// double; a project name weighs like a Chinese word, as many different questions share it.
// Memoised: the unanswered log compares a question with every phrasing it keeps that shares a word.
const weights = new Map<string, number>();
const weightOf = (term: string): number => {
  let weight = weights.get(term);
  if (weight === undefined) {
    weight = ASCII.test(term) && canonicalProject(term) === undefined ? 2 : 1;
    if (weights.size >= 50_000) weights.clear();
    weights.set(term, weight);
  }
  return weight;
};

/**
 * Weighted Jaccard similarity of two questions' terms (from questionTerms), in [0, 1]: the weight
 * of the terms both share over the weight of all their terms.
 */
export function questionSimilarity(a: readonly string[], b: readonly string[]): number {
  const left = new Set(a);
  const right = new Set(b);
  let shared = 0;
  let total = 0;
  for (const term of new Set([...left, ...right])) {
    const weight = weightOf(term);
    total += weight;
    if (left.has(term) && right.has(term)) shared += weight;
  }
  return total === 0 ? 0 : shared / total;
}
