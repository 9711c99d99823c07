import type { Entry } from '../knowledge/entry.js';
import type { Tokenizer } from './create-tokenizer.js';

/** What the question is after; decides which entries may answer it. */
/** `unknown-release`: a version of a known project that the knowledge does not hold; answered with its newest release. */
export type Intent = 'release' | 'latest-release' | 'unknown-release' | 'event' | 'reading' | 'general';

/** answer: confident; suggest: a "did you mean" list; abstain: nothing fits. */
export type Outcome = 'answer' | 'suggest' | 'abstain';

export interface Match {
  entry: Entry;
  /** Confidence in [0, 1] that this entry answers the question. */
  score: number;
  /** What the score was computed from, when it came from text matching. */
  features?: MatchFeatures;
}

/** What the confidence of a hit is computed from. */
export interface MatchFeatures {
  /** Share of the question's information (idf) the entry contains. */
  questionCoverage: number;
  /** Share of the entry's own question or title (idf) that the question contains. */
  titleCoverage: number;
  /** How far ahead of the runner-up the hit is, (s1 - s2) / s1; 0 for later hits. */
  lead: number;
  /** Share of the question's information found in the entry's own question or title. */
  questionInTitle: number;
  /** The entry's search score over the best candidate's. */
  relativeScore: number;
  /** The question names a project and the entry is about it. */
  projectMatch: boolean;
  /** The entry is a release note. */
  release: boolean;
  /** The entry is the release of a version the question names. */
  versionMatch: boolean;
  /** Information in the matched terms, counted in rare words: a word found in one entry is about 1, a common one 0.3. */
  matchedInformation: number;
  /** Share of the information of the question's specific words (not generic, not a project name) the entry contains; 1 when it has none. */
  specificCoverage: number;
  /** Information of the most informative specific word the entry lacks, in rare words; 0 when it lacks none. */
  missingInformation: number;
  /** The question repeats the entry's own question word for word (case, width, punctuation and greetings aside). */
  repeatsQuestion: boolean;
  /**
   * Why this entry may be suggested but never be the answer: it is about another project than the
   * question names; it names another value of a facet the question picks (a mode, a database); it
   * is a release note and the question does not ask about a version, a change or support; it
   * holds too little of the question's specific words, or shares only generic ones.
   */
  blocked?: 'another project' | 'another facet value' | 'release for another kind of question' | 'misses what is specific' | 'only generic words';
}

export interface AnswerResult {
  outcome: Outcome;
  intent: Intent;
  /** Best first. For `answer`, matches[0] is the answer and the rest are related; for `suggest`, at most three; for `abstain`, empty. */
  matches: Match[];
}

/** Every candidate with its confidence, before the thresholds decide. */
export interface Ranking {
  intent: Intent;
  /** Best first, at most ten. */
  matches: Match[];
}

/** What the chat layer asks: the engine in this thread, or the server's engine in its worker thread. */
export interface AnswerSource {
  ask(question: string, now: Date): AnswerResult | Promise<AnswerResult>;
  rank(question: string, now: Date): Ranking | Promise<Ranking>;
}

export interface Answerer extends AnswerSource {
  /** Answers one question; `now` decides which events are upcoming. */
  ask(question: string, now: Date): AnswerResult;
  /** The candidates `ask` decides between, with their scores (for tuning and the playground). */
  rank(question: string, now: Date): Ranking;
  /** Number of entries indexed. */
  readonly size: number;
  /** What the knowledge and the questions are read with (the unanswered log groups questions with it too). */
  readonly tokenizer: Tokenizer;
}
