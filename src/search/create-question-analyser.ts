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
 * How the unanswered log reads questions. It compares each new question with every phrasing it
 * keeps, synchronously, so the texts are first `prepare`d (all at once) and then `analyse`d.
 */
export interface QuestionAnalyser {
  /** Makes the analyses of these texts available to `analyse`. */
  prepare(texts: Iterable<string>): Promise<void>;
  /** The analysis of a text: any text in-process; one given to the last `prepare` otherwise. */
  analyse(text: string): QuestionAnalysis;
}

/** Analyses one question with the engine's tokenizer. */
export function analyseQuestion(tokenizer: Tokenizer, text: string): QuestionAnalysis {
  const normal = normalizeText(text);
  return { normal: normal.replace(/[^\p{L}\p{N}]+/gu, ''), terms: questionTerms(tokenizer.tokenizeNormalized(normal)) };
}

/**
 * Analyses in this thread, memoised. The memo is dropped when it grows past `maxEntries`: the log
 * keeps far fewer phrasings than that.
 */
export function createQuestionAnalyser(tokenizer: Tokenizer, maxEntries = 20_000): QuestionAnalyser {
  const memo = new Map<string, QuestionAnalysis>();
  return {
    prepare: () => Promise.resolve(),
    analyse(text) {
      const known = memo.get(text);
      if (known) return known;
      if (memo.size >= maxEntries) memo.clear();
      const analysis = analyseQuestion(tokenizer, text);
      memo.set(text, analysis);
      return analysis;
    },
  };
}
