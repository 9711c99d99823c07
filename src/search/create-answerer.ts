import MiniSearch from 'minisearch';
import type { Config } from '../config/load-config.js';
import type { Entry, EventEntry, ReleaseEntry } from '../knowledge/entry.js';
import { upcomingEvents } from '../knowledge/upcoming-events.js';
import type { Answerer, AnswerResult, Match, MatchFeatures, Ranking } from './answer-types.js';
import { createTokenizer, type Tokenizer } from './create-tokenizer.js';
import { createTermCorrector } from './create-term-corrector.js';
import { detectIntent } from './detect-intent.js';
import { matchVersion } from './match-version.js';

type SearchConfig = Pick<Config, 'search' | 'vocabulary'>;

interface IndexedDoc {
  id: number;
  title: string;
  aliases: string;
  body: string;
}

// Questions, titles and aliases say what an entry is about; the answer text only supports it.
const BOOST = { title: 3, aliases: 3, body: 1 };
const WARM_UP_QUESTIONS = ['请问 sofa-jraft 支持 mutli raft 吗？彩样率怎么配', 'Why must a TCC branch comit be synchronous', 'SOFARPC 5.7.6 更新了什么'];
// Looked-up words per question, and the largest share of entries a looked-up word may occur in;
// chosen on the evaluation set, where they cost nothing in accuracy and halve the p99.
const MAX_SEARCH_TERMS = 8;
const MAX_SEARCH_TERM_SHARE = 0.2;
// In a large knowledge base a word in thousands of entries says little and costs the most.
const MAX_SEARCH_TERM_ENTRIES = 1000;
const READING_REQUEST_WORDS = new Set(['文章', '阅读', '推荐', '资料', '博客', 'blog', 'article', '讲', '介绍']);
const PROJECT_MATCH_BOOST = 1.2;
const PROJECT_CONFLICT_BOOST = 0.8;
const SEARCH_FIELDS = ['title', 'aliases', 'body'];
const split = (text: string) => text.split(' ');
// Longer messages are not questions; reading past this only costs time.
const MAX_QUESTION_CHARS = 2000;
const identity = (term: string) => term;

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
  const corrector = createTermCorrector([...general.documentFrequency.keys()]);
  const { answerThreshold, suggestThreshold, suggestions } = config.search;

  const rankQuestion = (question: string, now: Date): Ranking => {
    const tokens = tokenizer.tokenize(question.slice(0, MAX_QUESTION_CHARS));
    if (tokens.length === 0) return { intent: 'general', matches: [] };
    const intent = detectIntent(question);

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
        .map((entry) => ({ entry, score: matchVersion(question, entry.version) }))
        .filter((c) => c.score > 0)
        .sort((a, b) => b.score - a.score);
      if (versioned.length > 0) return { intent, matches: versioned.slice(0, 10) };
    }

    if (intent === 'reading') {
      // "有没有讲 X 的文章": the topic is what a title must cover; the request words are not in titles.
      const topic = tokens.filter((t) => !READING_REQUEST_WORDS.has(t));
      return { intent, matches: rank(reading, topic).map((m) => ({ ...m, score: m.features?.questionCoverage ?? 0 })) };
    }
    const corrected = tokens.map((t) => (general.documentFrequency.has(t) ? t : (corrector.correct(t) ?? t)));
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

  return { ask, rank: rankQuestion, size: entries.length };
}

interface Index {
  search: MiniSearch<IndexedDoc>;
  entries: readonly Entry[];
  documentFrequency: Map<string, number>;
  /** Per entry, the distinct terms of its question or title and aliases. */
  titleTerms: string[][];
  /** Term ids, for the compact per-entry term sets below. */
  termIds: Map<string, number>;
  /** Per entry, the ids of all its terms, sorted: coverage counts every word of the question, also those not looked up. */
  entryTerms: Uint32Array[];
  /** Per entry, its project as a term ("sofajraft"), or "" when it has none. */
  projectTerms: string[];
  /** Every project term in the index. */
  projects: Set<string>;
  count: number;
}

function buildIndex(entries: readonly Entry[], tokenizer: Tokenizer): Index {
  const search = new MiniSearch<IndexedDoc>({
    fields: SEARCH_FIELDS,
    storeFields: [],
    tokenize: split,
    processTerm: identity,
  });
  const documentFrequency = new Map<string, number>();
  const titleTerms: string[][] = [];
  const projectTerms: string[] = [];
  const termIds = new Map<string, number>();
  const entryTerms: Uint32Array[] = [];
  const docs = entries.map((entry, id): IndexedDoc => {
    const title = tokenizer.tokenize(entry.title);
    const aliases = entry.kind === 'faq' ? entry.aliases.flatMap((a) => tokenizer.tokenize(a)) : [];
    const body = tokenizer.tokenize(entry.body);
    const distinct = new Set([...title, ...aliases, ...body]);
    for (const term of distinct) {
      documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
      if (!termIds.has(term)) termIds.set(term, termIds.size);
    }
    entryTerms.push(Uint32Array.from(distinct, (t) => termIds.get(t) as number).sort());
    titleTerms.push([...new Set([...title, ...aliases])]);
    projectTerms.push(entry.project ? (tokenizer.tokenize(entry.project)[0] ?? '') : '');
    return { id, title: title.join(' '), aliases: aliases.join(' '), body: body.join(' ') };
  });
  search.addAll(docs);
  return {
    search,
    entries,
    documentFrequency,
    titleTerms,
    termIds,
    entryTerms,
    projectTerms,
    projects: new Set(projectTerms.filter(Boolean)),
    count: entries.length,
  };
}

/** BM25 ranks the entries; the features of each hit turn into its confidence. */
function rank(index: Index, tokens: readonly string[]): Match[] {
  const terms = [...new Set(tokens)];
  const idf = (t: string) => Math.log(1 + index.count / (1 + (index.documentFrequency.get(t) ?? 0)));
  const total = terms.reduce((sum, t) => sum + idf(t), 0);
  if (total === 0) return [];
  // Information is counted in "rare words" so it means the same in a small and a large knowledge base.
  const maxIdf = Math.log(1 + index.count);
  const asked = new Set(terms);
  const askedProjects = terms.filter((t) => index.projects.has(t));
  // An entry about the project the question names is likelier than one about another project.
  const projectBoost = (id: number) => {
    const project = index.projectTerms[id] ?? '';
    if (askedProjects.length === 0 || !project) return 1;
    return askedProjects.includes(project) ? PROJECT_MATCH_BOOST : PROJECT_CONFLICT_BOOST;
  };
  const searchTerms = selectSearchTerms(terms, index);
  const results = index.search.search(searchTerms.join(' '), {
    boost: BOOST,
    boostDocument: (id) => projectBoost(id as number),
    combineWith: 'OR',
    tokenize: split,
    processTerm: identity,
  });
  const best = results[0]?.score ?? 0;
  const second = results[1]?.score ?? 0;

  const matches = results.slice(0, 10).map((result, i): Match => {
    const id = result.id as number;
    const has = index.entryTerms[id] ?? EMPTY_TERMS;
    const covered = terms.reduce((sum, t) => {
      const termId = index.termIds.get(t);
      return termId !== undefined && sortedIncludes(has, termId) ? sum + idf(t) : sum;
    }, 0);
    const titleTerms = index.titleTerms[id] ?? [];
    const titleTotal = titleTerms.reduce((sum, t) => sum + idf(t), 0);
    const titleHit = titleTerms.filter((t) => asked.has(t)).reduce((sum, t) => sum + idf(t), 0);
    const features: MatchFeatures = {
      questionCoverage: covered / total,
      titleCoverage: titleTotal > 0 ? titleHit / titleTotal : 0,
      lead: i === 0 && best > 0 ? (best - second) / best : 0,
      matchedInformation: covered / maxIdf,
      projectConflict: askedProjects.length > 0 && !askedProjects.includes(index.projectTerms[id] ?? '') ? 1 : 0,
    };
    return { entry: index.entries[id] as Entry, score: confidence(features), features };
  });
  // BM25 finds the candidates; the confidence model, which also weighs how much of the stored
  // question was asked, orders them.
  return matches.sort((a, b) => b.score - a.score);
}

const EMPTY_TERMS = new Uint32Array(0);

function sortedIncludes(sorted: Uint32Array, value: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = sorted[mid] as number;
    if (at === value) return true;
    if (at < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * The words worth looking up: the rarest ones first, leaving out words found in a large share of
 * the entries (their long posting lists cost the most and tell the least). Coverage is still
 * computed over every word of the question.
 */
function selectSearchTerms(terms: readonly string[], index: Index): string[] {
  const df = (t: string) => index.documentFrequency.get(t) ?? 0;
  const limit = Math.max(1, Math.min(index.count * MAX_SEARCH_TERM_SHARE, MAX_SEARCH_TERM_ENTRIES));
  const byRarity = [...terms].sort((a, b) => df(a) - df(b));
  const selective = byRarity.filter((t) => df(t) <= limit);
  return (selective.length > 0 ? selective : byRarity).slice(0, MAX_SEARCH_TERMS);
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
