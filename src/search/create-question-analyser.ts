import type { Tokenizer } from './create-tokenizer.js';
import { normalizeText } from './normalize-text.js';
import { questionTerms } from './question-terms.js';

/** A question as the unanswered log compares it. */
export interface QuestionAnalysis {
  /** normalizeText of the question without spaces and punctuation: texts equal here are one phrasing. */
  normal: string;
  /** questionTerms of its words: what similarity is measured on. */
  terms: readonly string[];
}

/**
 * How the unanswered log reads a question: its normalised text and its terms, memoised, as the
 * log compares each new question with every phrasing it keeps. The memo is dropped when it grows
 * past `maxEntries`: the log keeps far fewer phrasings than that.
 */
export function createQuestionAnalyser(tokenizer: Tokenizer, maxEntries = 20_000): (text: string) => QuestionAnalysis {
  const memo = new Map<string, QuestionAnalysis>();
  return (text) => {
    const known = memo.get(text);
    if (known) return known;
    if (memo.size >= maxEntries) memo.clear();
    const normal = normalizeText(text);
    const analysis = { normal: normal.replace(/[^\p{L}\p{N}]+/gu, ''), terms: questionTerms(tokenizer.tokenizeNormalized(normal)) };
    memo.set(text, analysis);
    return analysis;
  };
}
