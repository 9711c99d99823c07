import type { QuestionAnalyser, QuestionAnalysis } from './create-question-analyser.js';

// Apart from create-question-analyser.ts, which analyses in-process: the server's thread imports
// only this, and so never loads the text-conversion tables that normalising needs.
/**
 * Analyses made elsewhere (the server's answering worker, which holds the tokenizer and its
 * dictionary), memoised here: a `prepare` whose texts are all known costs no round trip.
 */
export function createRemoteQuestionAnalyser(analyseMany: (texts: string[]) => Promise<QuestionAnalysis[]>, maxEntries = 20_000): QuestionAnalyser {
  const memo = new Map<string, QuestionAnalysis>();
  return {
    async prepare(texts) {
      // Dropped before asking, never between a prepare and the analyses it was for.
      if (memo.size >= maxEntries) memo.clear();
      const wanted = new Set<string>();
      for (const text of texts) if (!memo.has(text)) wanted.add(text);
      if (wanted.size === 0) return;
      const unknown = [...wanted];
      const analyses = await analyseMany(unknown);
      if (analyses.length !== unknown.length) throw new Error(`asked to analyse ${unknown.length} questions, got ${analyses.length}`);
      unknown.forEach((text, i) => memo.set(text, analyses[i] as QuestionAnalysis));
    },
    analyse(text) {
      const known = memo.get(text);
      if (!known) throw new Error('question not prepared for analysis');
      return known;
    },
  };
}
