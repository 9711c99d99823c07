import type { Config } from '../config/load-config.js';
import type { Entry, EventEntry, ReleaseEntry } from '../knowledge/entry.js';
import { upcomingEvents } from '../knowledge/upcoming-events.js';
import type { Answerer, AnswerResult, Match, MatchFeatures, Ranking } from './answer-types.js';
import { createTokenizer, type Tokenizer } from './create-tokenizer.js';
import { createTermIndex, type TermIndex } from './create-term-index.js';
import { createTermCorrector } from './create-term-corrector.js';
import { detectIntent } from './detect-intent.js';
import { normalizeText } from './normalize-text.js';
import { matchVersion } from './match-version.js';

export type SearchConfig = Pick<Config, 'search' | 'vocabulary'>;

const WARM_UP_QUESTIONS = ['请问 sofa-jraft 支持 mutli raft 吗？彩样率怎么配', 'Why must a TCC branch comit be synchronous', 'SOFARPC 5.7.6 更新了什么'];
// Looked-up words per question, and the largest share of entries a looked-up word may occur in;
// chosen on the evaluation set, where they cost nothing in accuracy and halve the p99.
const MAX_SEARCH_TERMS = 8;
// Candidates the confidence model reorders.
const MAX_CANDIDATES = 10;
const MAX_SEARCH_TERM_SHARE = 0.2;
// In a large knowledge base a word in thousands of entries says little and costs the most.
const MAX_SEARCH_TERM_ENTRIES = 1000;
const READING_REQUEST_WORDS = new Set(['文章', '阅读', '推荐', '资料', '博客', 'blog', 'article', '讲', '介绍']);
const PROJECT_MATCH_BOOST = 1.2;
const PROJECT_CONFLICT_BOOST = 0.8;
// Longer messages are not questions; reading past this only costs time.
const MAX_QUESTION_CHARS = 2000;

/**
 * Builds the answering engine over a fixed set of entries. Everything that depends only on the
 * knowledge (segmentation, term statistics, the BM25 index) happens here, once; `ask` does the
 * per-question work only.
 */
export function createAnswerer(entries: readonly Entry[], config: SearchConfig): Answerer {
  const tokenizer = createTokenizer(config.vocabulary);
  const searchable = entries.filter((e) => e.kind === 'faq' || e.kind === 'release');
  const readings = entries.filter((e) => e.kind === 'reading');
  const events = entries.filter((e): e is EventEntry => e.kind === 'event');
  const releases = entries.filter((e): e is ReleaseEntry => e.kind === 'release');

  const general = buildIndex(searchable, tokenizer);
  const reading = buildIndex(readings, tokenizer);
  const projectOf = new Map(releases.map((r) => [r, tokenizer.tokenize(r.project)[0] ?? '']));
  const releaseProjects = new Set(projectOf.values());
  const corrector = createTermCorrector(general.terms.vocabulary());
  const { answerThreshold, suggestThreshold, suggestions } = config.search;

  const rankQuestion = (question: string, now: Date): Ranking => {
    const normalized = normalizeText(question.slice(0, MAX_QUESTION_CHARS));
    const tokens = tokenizer.tokenizeNormalized(normalized);
    if (tokens.length === 0) return { intent: 'general', matches: [] };
    const intent = detectIntent(normalized);

    if (intent === 'event') {
      return { intent, matches: upcomingEvents(events, now).slice(0, 10).map((entry) => ({ entry, score: 1 })) };
    }

    if (intent === 'release' || intent === 'latest-release') {
      const project = tokens.find((t) => releaseProjects.has(t));
      const candidates = project ? releases.filter((r) => projectOf.get(r) === project) : [];
      if (intent === 'latest-release' && candidates.length > 0) {
        const latest = [...candidates].sort((a, b) => (b.date ?? '').localeCompare(a.date ?? ''));
        return { intent, matches: latest.slice(0, 10).map((entry, i) => ({ entry, score: i === 0 ? 0.95 : 0.4 })) };
      }
      const versioned = candidates
        .map((entry) => ({ entry, score: matchVersion(normalized, entry.version) }))
        .filter((c) => c.score > 0)
        .sort((a, b) => b.score - a.score);
      if (versioned.length > 0) return { intent, matches: versioned.slice(0, 10) };
    }

    if (intent === 'reading') {
      // "有没有讲 X 的文章": the topic is what a title must cover; the request words are not in titles.
      const topic = tokens.filter((t) => !READING_REQUEST_WORDS.has(t));
      return { intent, matches: rank(reading, topic).map((m) => ({ ...m, score: m.features?.questionCoverage ?? 0 })) };
    }
    const corrected = tokens.map((t) => (general.terms.termId(t) !== undefined ? t : (corrector.correct(t) ?? t)));
    return { intent, matches: rank(general, corrected) };
  };

  const ask = (question: string, now: Date): AnswerResult => {
    const { intent, matches } = rankQuestion(question, now);
    const top = matches[0];
    if (!top || top.score < suggestThreshold) return { outcome: 'abstain', intent, matches: [] };
    if (top.score >= answerThreshold) return { outcome: 'answer', intent, matches: matches.slice(0, suggestions + 1) };
    return { outcome: 'suggest', intent, matches: matches.slice(0, suggestions) };
  };

  // The first questions through a fresh engine pay for JIT compilation and lazily loaded tables
  // (pinyin, fuse.js); paying it here keeps it off the first members' replies.
  for (const question of WARM_UP_QUESTIONS) rankQuestion(question, new Date(0));

  return { ask, rank: rankQuestion, size: entries.length, tokenizer };
}

interface Index {
  terms: TermIndex;
  entries: readonly Entry[];
  /** Per entry, its project as a term ("sofajraft"), or "" when it has none. */
  projectTerms: string[];
  /** Every project term in the index. */
  projects: Set<string>;
}

function buildIndex(entries: readonly Entry[], tokenizer: Tokenizer): Index {
  const docs = entries.map((entry) => ({
    title: tokenizer.tokenize(entry.title),
    aliases: entry.kind === 'faq' ? entry.aliases.flatMap((a) => tokenizer.tokenize(a)) : [],
    body: tokenizer.tokenize(entry.body),
  }));
  const projectTerms = entries.map((entry) => (entry.project ? (tokenizer.tokenize(entry.project)[0] ?? '') : ''));
  return { terms: createTermIndex(docs), entries, projectTerms, projects: new Set(projectTerms.filter(Boolean)) };
}

/** BM25 finds the candidates; the features of each turn into its confidence, which orders them. */
function rank(index: Index, tokens: readonly string[]): Match[] {
  const { terms: termIndex } = index;
  const terms = [...new Set(tokens)];
  const information = new Map(terms.map((t) => [t, termIndex.information(t)]));
  const total = terms.reduce((sum, t) => sum + (information.get(t) ?? 0), 0);
  if (total === 0 || termIndex.count === 0) return [];
  // Information is counted in "rare words" so it means the same in a small and a large knowledge base.
  const maxIdf = Math.log(1 + termIndex.count);
  const askedProjects = terms.filter((t) => index.projects.has(t));
  // An entry about the project the question names is likelier than one about another project.
  const projectBoost = (id: number) => {
    const project = index.projectTerms[id] ?? '';
    if (askedProjects.length === 0 || !project) return 1;
    return askedProjects.includes(project) ? PROJECT_MATCH_BOOST : PROJECT_CONFLICT_BOOST;
  };
  const results = termIndex.top(selectSearchTerms(terms, termIndex), MAX_CANDIDATES, projectBoost);
  const best = results[0]?.score ?? 0;
  const second = results[1]?.score ?? 0;
  const knownTerms = terms.flatMap((t) => {
    const id = termIndex.termId(t);
    return id === undefined ? [] : [{ id, information: information.get(t) ?? 0 }];
  });
  const matches = results.map(({ entry: id }, i): Match => {
    const covered = knownTerms.reduce((sum, t) => (termIndex.has(id, t.id) ? sum + t.information : sum), 0);
    const titleTotal = termIndex.titleInformation(id);
    const titleHit = knownTerms.reduce((sum, t) => (termIndex.inTitle(id, t.id) ? sum + t.information : sum), 0);
    const features: MatchFeatures = {
      questionCoverage: covered / total,
      titleCoverage: titleTotal > 0 ? titleHit / titleTotal : 0,
      lead: i === 0 && best > 0 ? (best - second) / best : 0,
      matchedInformation: covered / maxIdf,
    };
    return { entry: index.entries[id] as Entry, score: confidence(features), features };
  });
  // The confidence model, which also weighs how much of the stored question was asked, orders them.
  return matches.sort((a, b) => b.score - a.score);
}

/**
 * The words worth looking up: the rarest ones first, leaving out words found in a large share of
 * the entries (their long posting lists cost the most and tell the least). Coverage is still
 * computed over every word of the question.
 */
function selectSearchTerms(terms: readonly string[], index: TermIndex): number[] {
  const limit = Math.max(1, Math.min(index.count * MAX_SEARCH_TERM_SHARE, MAX_SEARCH_TERM_ENTRIES));
  const known = terms.flatMap((t) => {
    const id = index.termId(t);
    return id === undefined ? [] : [{ id, df: index.documentFrequency(id) }];
  });
  const byRarity = known.sort((a, b) => a.df - b.df);
  const selective = byRarity.filter((t) => t.df <= limit);
  return (selective.length > 0 ? selective : byRarity).slice(0, MAX_SEARCH_TERMS).map((t) => t.id);
}

/**
 * A logistic model of "this hit answers the question", fitted on the development question set
 * (scripts/eval.ts shows the effect); the thresholds that turn it into answer / suggest /
 * abstain are in config. Little information (chit-chat that shares one word with an answer)
 * and a question that covers little of the stored question both pull it down.
 */
function confidence(f: MatchFeatures): number {
  const z =
    -2.9 + 1.2 * f.questionCoverage + 1.4 * f.titleCoverage + 0.83 * f.lead + 2.06 * Math.log1p(f.matchedInformation);
  return 1 / (1 + Math.exp(-z));
}
