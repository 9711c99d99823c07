import { createHash } from 'node:crypto';
import type { Config } from '../config/load-config.js';
import type { Entry, EventEntry, ReleaseEntry } from '../knowledge/entry.js';
import { canonicalProject, projectNames, relatedProjects } from '../knowledge/projects.js';
import { upcomingEvents } from '../knowledge/upcoming-events.js';
import type { Answerer, AnswerResult, Match, MatchFeatures, Ranking } from './answer-types.js';
import { createNarrowedTokenizer, createTokenizer, type NarrowedDictionary, type Tokenizer } from './create-tokenizer.js';
import { createTermIndex, type TermIndex } from './create-term-index.js';
import { createTermCorrector } from './create-term-corrector.js';
import { beyondRelease, detectForm, detectIntent, type QuestionForm } from './detect-intent.js';
import { normalizeText } from './normalize-text.js';
import { matchVersion } from './match-version.js';
import { readPastedLog } from './read-pasted-log.js';
import { splitAsked } from './split-asked.js';
import { findTypos, foldTypos } from './fold-typos.js';
import { COURTESY_WORDS, REQUEST_WORDS } from './stopwords.js';

export type SearchConfig = Pick<Config, 'search' | 'vocabulary'>;

const WARM_UP_QUESTIONS = ['请问 sofa-jraft 支持 mutli raft 吗？彩样率怎么配', 'Why must a TCC branch comit be synchronous', 'SOFARPC 5.7.6 更新了什么'];
// Looked-up words per question, and the largest share of entries a looked-up word may occur in;
// chosen on the evaluation set, where they cost nothing in accuracy and halve the p99.
const MAX_SEARCH_TERMS = 8;
// Candidates the confidence model reorders.
const MAX_CANDIDATES = 10;
const MAX_SEARCH_TERM_SHARE = 0.2;
// What a generic word adds to a candidate's search score, next to a specific word's 1.
const GENERIC_SEARCH_WEIGHT = 0.5;
// In a large knowledge base a word in thousands of entries says little and costs the most.
const MAX_SEARCH_TERM_ENTRIES = 1000;
// The most informative words of a question decide its coverage: a long paste is not a question
// that every entry covers less of.
const MAX_QUESTION_UNITS = 12;
// Articles listed for "有没有讲 X 的文章".
const MAX_ARTICLES = 5;
const READING_REQUEST_WORDS = new Set(['文章', '阅读', '推荐', '资料', '博客', 'blog', 'article', 'articles', '讲', '介绍', '几篇', '一些', '相关', '哪些', '有没有']);
// Share of what a version question asks beyond the release that its notes must hold to answer it.
const RELEASE_REST_COVERAGE = 0.5;
// An entry holding less than this share of the information of the question's specific words
// (identifiers, modes, components, rare words) does not answer it.
const MIN_SPECIFIC_COVERAGE = 0.2;
// A question of generic words and a project name only ("Seata 是什么") is answered only by an
// entry whose own question it nearly repeats.
const MIN_TITLE_COVERAGE_WHEN_GENERIC = 0.7;
const BLOCKED_SCORE_FACTOR = 0.9;
// A question that repeats an entry's own question word for word is answered by it, however few
// words it has: "Seata 是什么" has one word left once filler is dropped, too little for the model.
const REPEATED_QUESTION_CONFIDENCE = 0.95;
// The requests, greetings and thanks around a question, which a repeat of it may add or leave out.
const fillerPattern = (words: readonly string[]) => [...words].sort((a, b) => b.length - a.length).join('|');
const LEADING_FILLER = new RegExp(`^(?:${fillerPattern([...REQUEST_WORDS, ...COURTESY_WORDS, '一下'])})+`, 'u');
const TRAILING_FILLER = new RegExp(`(?:${fillerPattern(COURTESY_WORDS)})+$`, 'u');
const PROJECT_MATCH_BOOST = 1.2;
const PROJECT_CONFLICT_BOOST = 0.8;
// Longer messages are not questions; reading past this only costs time.
const MAX_QUESTION_CHARS = 2000;

// Entries segmented between two pauses of a build in steps: about 10 ms of work.
const ENTRIES_PER_STEP = 100;

/**
 * Builds the answering engine over a fixed set of entries. Everything that depends only on the
 * knowledge (segmentation, term statistics, the BM25 index) happens here, once; `ask` does the
 * per-question work only.
 */
export function createAnswerer(entries: readonly Entry[], config: SearchConfig, options: BuildOptions = {}): Answerer {
  const steps = buildSteps(entries, config, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same engine, built in steps of about 10 ms with `pause()` awaited between them: the thread
 * that builds it keeps answering from the previous engine meanwhile, so a knowledge reload never
 * holds a question for the whole build.
 */
export async function buildAnswerer(entries: readonly Entry[], config: SearchConfig, pause: () => Promise<void>): Promise<Answerer> {
  const steps = buildSteps(entries, config);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}

/** An entry as the index reads it: its fields' words, and the key that tells its copies apart. */
export interface Segmented {
  title: string[];
  /** Each alias's words. */
  aliases: string[][];
  body: string[];
  /** What its question says before it asks (splitAsked). */
  context: string[];
  /** An archived follow-up's previous question (FaqEntry.follows); empty for every other entry. */
  follows: string[];
  contentKey: string;
  /** questionKey of its question (or title), then of each alias. */
  questionKeys: number[];
  /** The segmenter's dictionary words inside its text, which the narrowed dictionary keeps (see FullTokenizer.narrow). */
  dictionaryWords: string[];
}

/**
 * Remembers entries segmented before, by a digest of their text (segmenting is most of a build).
 * The words depend on the vocabulary and the code too, which the cache's owner keys it by.
 */
export interface SegmentCache {
  get(key: string): Segmented | undefined;
  set(key: string, segmented: Segmented): void;
  /** The narrowed dictionary made for a set of entries, by a digest of what was cut (see cutKnowledge). */
  getDictionary(key: string): NarrowedDictionary | undefined;
  setDictionary(key: string, dictionary: NarrowedDictionary): void;
}

export interface BuildOptions {
  segmentCache?: SegmentCache;
  /** Answer a few questions once built, so the first real one does not pay for JIT compilation; default true. */
  warmUp?: boolean;
}

/** The build, as a generator that yields where it may pause. */
function* buildSteps(entries: readonly Entry[], config: SearchConfig, { segmentCache, warmUp = true }: BuildOptions = {}): Generator<void, Answerer> {
  const { vocabulary, general, reading, projectOf, tokenizer } = yield* cutKnowledge(entries, config, segmentCache);
  const events = entries.filter((e): e is EventEntry => e.kind === 'event');
  const releases = [...projectOf.keys()];
  const releaseProjects = new Set(projectOf.values());
  yield;
  // The English spellings the vocabulary folds (transaction → 事务) are words a typo may mean too:
  // "trasaction" is corrected to "transaction", which is read as 事务.
  const corrector = createTermCorrector([...general.terms.vocabulary(), ...tokenizer.foldedWords.filter((w) => /^[a-z]+$/.test(w))]);
  // A word the configured vocabulary knows is never a typo, even when no entry holds it: "SQL Server"
  // is a database the knowledge does not mention, not a misspelt "seata-server".
  const vocabularyWords = new Set([
    ...tokenizer.foldedWords,
    ...tokenizer.foldedWords.map((w) => tokenizer.canonical(w)),
    ...vocabulary.facetOf.keys(),
    ...vocabulary.projects.keys(),
    ...vocabulary.generic,
  ]);
  const isKnown = (t: string) => general.terms.termId(t) !== undefined || vocabularyWords.has(t);
  const { answerThreshold, suggestThreshold, suggestions } = config.search;

  const rankQuestion = (question: string, now: Date): Ranking => {
    const normalized = normalizeText(readPastedLog(question.slice(0, MAX_QUESTION_CHARS)));
    const tokens = tokenizer.tokenizeNormalized(normalized);
    if (tokens.length === 0) return { intent: 'general', matches: [] };
    const intent = detectIntent(normalized);
    const form = detectForm(normalized);

    if (intent === 'event') {
      return { intent, matches: upcomingEvents(events, now).slice(0, 10).map((entry) => ({ entry, score: 1 })) };
    }

    const corrected = foldTypos(tokens, general.typos).map((t) => (isKnown(t) ? t : tokenizer.canonical(corrector.correct(t) ?? t)));
    if (intent === 'release' || intent === 'latest-release') {
      const project = corrected.map((t) => vocabulary.projects.get(t) ?? t).find((t) => releaseProjects.has(t));
      const candidates = project ? releases.filter((r) => projectOf.get(r) === project) : [];
      // "Seata 1.4.0 更新了什么" is about the release; "Seata 1.4.0 支持 XA 吗" is answered by it only
      // when its notes name XA; "Seata 1.4.0 之后怎么配 XA" is searched like any other question.
      const rest = questionUnits(foldTypos(tokenizer.tokenizeNormalized(beyondRelease(normalized)), general.typos), general, vocabulary).filter((u) => u.specific);
      const restTotal = rest.reduce((sum, u) => sum + u.information, 0);
      const covers = (release: ReleaseEntry) => {
        const id = general.idOf.get(release) ?? -1;
        const holds = (u: QuestionUnit) => u.id !== undefined && general.terms.has(id, u.id);
        // A database, registry… asked about must be in the notes: that they name XA does not say which databases it works with.
        if (!rest.filter((u) => vocabulary.facetOf.has(u.term)).every(holds)) return false;
        const covered = rest.reduce((sum, u) => (holds(u) ? sum + u.information : sum), 0);
        return restTotal === 0 || covered / restTotal >= RELEASE_REST_COVERAGE;
      };
      if (intent === 'latest-release' && candidates.length > 0 && restTotal === 0) {
        const latest = [...candidates].sort((a, b) => (b.date ?? '').localeCompare(a.date ?? ''));
        return { intent, matches: latest.slice(0, 10).map((entry, i) => ({ entry, score: i === 0 ? 0.95 : 0.4 })) };
      }
      const versioned = candidates
        .map((entry) => ({ entry, score: matchVersion(normalized, entry.version) }))
        .filter((c) => c.score > 0 && covers(c.entry))
        .sort((a, b) => b.score - a.score);
      if (versioned.length > 0) return { intent, matches: versioned.slice(0, 10) };
      // "sofajraft 1.3.14 改了啥" when the newest release known is 1.3.10: say so, with that one.
      if (intent === 'release' && restTotal === 0 && candidates.length > 0 && !candidates.some((c) => matchVersion(normalized, c.version) > 0)) {
        const newest = [...candidates].sort((a, b) => (b.date ?? '').localeCompare(a.date ?? ''))[0] as ReleaseEntry;
        return { intent: 'unknown-release', matches: [{ entry: newest, score: 0.95 }] };
      }
    }

    if (intent === 'reading') {
      // "有没有讲 X 的文章": the topic is what a title must cover; the request words are not in titles.
      const topic = foldTypos(tokens, reading.typos).filter((t) => !READING_REQUEST_WORDS.has(t));
      // One article once, though the archive recommended it under several titles.
      const seen = new Set<string>();
      const articles = rank(reading, topic, form, vocabulary, normalized).filter((m) => !m.entry.url || (!seen.has(m.entry.url) && seen.add(m.entry.url)));
      return { intent, matches: articles.map((m) => ({ ...m, score: m.features?.questionCoverage ?? 0 })) };
    }
    return { intent, matches: rank(general, corrected, form, vocabulary, normalized) };
  };

  const ask = (question: string, now: Date): AnswerResult => {
    // An entry that shares none of the question's specific words is no "did you mean" either:
    // "SOFARPC 支持 Kotlin 协程吗" is not about SOFARPC's last release.
    const ranking = rankQuestion(question, now);
    const { intent } = ranking;
    const matches = ranking.matches.filter((m) => !m.features || m.features.specificCoverage > 0);
    const top = matches[0];
    if (!top || top.score < suggestThreshold) return { outcome: 'abstain', intent, matches: [] };
    // A request for reading is answered with a short list of articles on the topic, not one claimed answer.
    if (intent === 'reading') return { outcome: 'answer', intent, matches: matches.slice(0, MAX_ARTICLES) };
    if (top.score >= answerThreshold && !top.features?.blocked) return { outcome: 'answer', intent, matches: matches.slice(0, suggestions + 1) };
    return { outcome: 'suggest', intent, matches: matches.slice(0, suggestions) };
  };

  // The first questions through a fresh engine pay for JIT compilation and lazily loaded tables
  // (pinyin, fuse.js); paying it here keeps it off the first members' replies.
  yield;
  if (warmUp) for (const question of WARM_UP_QUESTIONS) rankQuestion(question, new Date(0));

  return { ask, rank: rankQuestion, size: entries.length, tokenizer };
}

/**
 * Everything the build cuts, on the whole dictionary, and the tokenizer that questions are cut
 * with, on the part of the dictionary the knowledge holds (FullTokenizer.narrow). Apart from the
 * engine's closures, so that none of them holds the whole dictionary, which must be free to go.
 *
 * With a cache that holds every entry's words and the narrowed dictionary made for them, the whole
 * dictionary is not loaded at all: the narrowed one cuts every text below as the whole one did,
 * since it was narrowed to those texts' words.
 */
function* cutKnowledge(entries: readonly Entry[], config: SearchConfig, segmentCache: SegmentCache | undefined) {
  const indexed = entries.filter((e) => e.kind !== 'event');
  const cache = segmentCache && { cache: segmentCache, keyOf: new Map(indexed.map((e) => [e, segmentKey(e)])) };
  // What was cut: every entry's text (by its key), the projects named by entries, and the vocabulary
  // and code, which the cache's owner keys the whole cache by.
  const dictionaryKey = cache && createHash('sha1').update(JSON.stringify([[...cache.keyOf.values()].sort(), [...new Set(indexed.map((e) => e.project ?? ''))].sort()])).digest('base64');
  const kept = cache && dictionaryKey && [...cache.keyOf.values()].every((key) => cache.cache.get(key)) ? cache.cache.getDictionary(dictionaryKey) : undefined;
  const whole = kept ? undefined : createTokenizer(config.vocabulary);
  const cutter = whole ?? createNarrowedTokenizer(config.vocabulary, kept as NarrowedDictionary);
  const found = new Set<string>();
  const collecting = collectingInto(cutter, found);
  const vocabulary = readVocabulary(config.vocabulary, collecting);
  const general = yield* buildIndex(indexed.filter((e) => e.kind === 'faq' || e.kind === 'release'), cutter, vocabulary, cache, found);
  const reading = yield* buildIndex(indexed.filter((e) => e.kind === 'reading'), cutter, vocabulary, cache, found);
  // A release's project as the question would name it: "rheakv 最新版本" is SOFAJRaft's.
  const releases = entries.filter((e): e is ReleaseEntry => e.kind === 'release');
  const projectOf = new Map(releases.map((r) => [r, projectTermOf(r.project, collecting, vocabulary)]));
  yield;
  if (!whole) return { vocabulary, general, reading, projectOf, tokenizer: cutter };
  const { tokenizer, dictionary } = whole.narrow(found);
  if (cache && dictionaryKey) cache.cache.setDictionary(dictionaryKey, dictionary);
  return { vocabulary, general, reading, projectOf, tokenizer };
}

/** The same tokenizer, adding the dictionary words of every text it cuts to `found`. */
function collectingInto(tokenizer: Tokenizer, found: Set<string>): Tokenizer {
  return { ...tokenizer, tokenize: (text) => tokenizer.tokenize(text, found), tokenizeNormalized: (text) => tokenizer.tokenizeNormalized(text, found) };
}

/** The vocabulary's word lists, as the tokenizer writes their words. */
interface SearchVocabulary {
  /** Words that never decide an answer by themselves. */
  generic: ReadonlySet<string>;
  /** Every project name as a term, to its project's canonical name as a term ("rheakv" → "sofajraft"). */
  projects: ReadonlyMap<string, string>;
  /** A project's canonical term → the canonical terms of the projects related to it. */
  related: ReadonlyMap<string, readonly string[]>;
  /** Facet value → facet name ("db2" → "database"). */
  facetOf: ReadonlyMap<string, string>;
}

function readVocabulary(vocabulary: Config['vocabulary'], tokenizer: Tokenizer): SearchVocabulary {
  const generic = new Set(vocabulary.generic.flatMap((w) => tokenizer.tokenize(w)));
  const projects = new Map<string, string>();
  const related = new Map<string, string[]>();
  const termOf = (name: string) => tokenizer.tokenize(name)[0];
  for (const name of projectNames()) {
    const project = canonicalProject(name) ?? name;
    const [term, canonical] = [termOf(name), termOf(project)];
    if (!term || !canonical) continue;
    projects.set(term, canonical);
    related.set(canonical, relatedProjects(project).flatMap((p) => termOf(p) ?? []));
  }
  const facetOf = new Map<string, string>();
  for (const [facet, values] of Object.entries(vocabulary.facets)) {
    for (const value of values) for (const term of tokenizer.tokenize(value).slice(0, 1)) facetOf.set(term, facet);
  }
  return { generic, projects, related, facetOf };
}

/** A project name as its canonical term ("RheaKV" → "sofajraft"); an unknown one as its own term. */
function projectTermOf(name: string, tokenizer: Tokenizer, vocabulary: SearchVocabulary): string {
  const [term = ''] = tokenizer.tokenize(name);
  return vocabulary.projects.get(term) ?? term;
}

interface Index {
  terms: TermIndex;
  entries: readonly Entry[];
  /** Entry → its position. */
  idOf: ReadonlyMap<Entry, number>;
  /** Per entry, the projects it is about or names, as canonical terms ("sofajraft"). */
  projectTerms: ReadonlySet<string>[];
  /** Per entry, facet name → the values it names. */
  facets: ReadonlyMap<string, ReadonlySet<string>>[];
  /** Per entry, its question and answer folded, so copies of one exchange are told apart from others. */
  contentKeys: string[];
  /** The knowledge's own typos, each to the word it misspells (fold-typos.ts); questions are read the same way. */
  typos: ReadonlyMap<string, string>;
  /** Per entry, the questionKey of its question or title. */
  titleKeys: Uint32Array;
  /** Entry → the questionKeys of its aliases, for the entries that have any. */
  aliasKeys: ReadonlyMap<number, readonly number[]>;
}

function segment(entry: Entry, tokenizer: Tokenizer): Segmented {
  const aliases = entry.kind === 'faq' ? entry.aliases : [];
  // Normalised once (it converts traditional characters, among other things) for the words and the keys.
  const title = normalizeText(entry.title);
  const body = normalizeText(entry.body);
  const found = new Set<string>();
  // A release's or an article's title is a name, not a question with context.
  const { context, asked } = entry.kind === 'faq' ? splitAsked(title) : { context: '', asked: title };
  return {
    title: tokenizer.tokenizeNormalized(asked, found),
    aliases: aliases.map((a) => tokenizer.tokenize(a, found)),
    body: tokenizer.tokenizeNormalized(body, found),
    context: context === '' ? [] : tokenizer.tokenizeNormalized(context, found),
    follows: entry.kind === 'faq' && entry.follows ? tokenizer.tokenize(entry.follows, found) : [],
    // A digest of the folded question and answer, not the text itself: the keys of a large
    // knowledge base would otherwise hold a second copy of every answer.
    contentKey: createHash('sha1')
      .update(`${entry.kind}\u0000${title.replace(/[^\p{L}\p{N}]+/gu, '')}\u0000${body.replace(/[^\p{L}\p{N}]+/gu, '')}`)
      .digest('base64'),
    questionKeys: [questionKey(title), ...aliases.map((a) => questionKey(normalizeText(a)))],
    dictionaryWords: [...found],
  };
}

/** What an entry's words are cached by: every text of it that segment() cuts. */
function segmentKey(entry: Entry): string {
  const aliases = entry.kind === 'faq' ? entry.aliases : [];
  const follows = entry.kind === 'faq' ? (entry.follows ?? '') : '';
  return createHash('sha1').update(JSON.stringify([entry.kind, entry.title, aliases, entry.body, follows])).digest('base64');
}

/** A segment cache, with the key of every entry cutKnowledge indexes. */
interface KeyedCache {
  cache: SegmentCache;
  keyOf: ReadonlyMap<Entry, string>;
}

function segmentCached(entry: Entry, tokenizer: Tokenizer, { cache, keyOf }: KeyedCache): Segmented {
  const key = keyOf.get(entry) as string;
  const cached = cache.get(key);
  if (cached) return cached;
  const segmented = segment(entry, tokenizer);
  cache.set(key, segmented);
  return segmented;
}

function* buildIndex(entries: readonly Entry[], tokenizer: Tokenizer, vocabulary: SearchVocabulary, cache: KeyedCache | undefined, found: Set<string>): Generator<void, Index> {
  const segmented: Segmented[] = [];
  // Each entry's words are collected by segment(), for the cache; everything else cut here, here.
  const collecting = collectingInto(tokenizer, found);
  for (const entry of entries) {
    const doc = cache ? segmentCached(entry, tokenizer, cache) : segment(entry, tokenizer);
    for (const word of doc.dictionaryWords) found.add(word);
    segmented.push(doc);
    if (segmented.length % ENTRIES_PER_STEP === 0) yield;
  }
  // Cached segmentations are shared: a document with a typo gets new word lists, never edited ones.
  const typos = findTypos(segmented.map((d) => [d.title, ...d.aliases, d.context, d.body]));
  const docs = typos.size === 0 ? segmented : segmented.map((d) => {
    const [title, context, follows, body] = [foldTypos(d.title, typos), foldTypos(d.context, typos), foldTypos(d.follows, typos), foldTypos(d.body, typos)];
    const aliases = d.aliases.map((a) => foldTypos(a, typos));
    const same = title === d.title && context === d.context && follows === d.follows && body === d.body && aliases.every((a, i) => a === d.aliases[i]);
    return same ? d : { ...d, title, aliases, context, follows, body };
  });
  // An entry is about its own project and every project it names: an answer filed under SOFABoot
  // that explains SOFARPC's registration is about both.
  // Most entries name no project or facet value: they share one empty set and map, which keeps
  // a 50,000-entry index from holding 100,000 empty objects.
  const projectTerms = entries.map((entry, i): ReadonlySet<string> => {
    const doc = docs[i] as (typeof docs)[number];
    const named = [...doc.title, ...doc.aliases.flat(), ...doc.context, ...doc.body].flatMap((t) => vocabulary.projects.get(t) ?? []);
    // Only a project we know can conflict with the one asked about.
    const own = entry.project ? [projectTermOf(entry.project, collecting, vocabulary)].filter((t) => vocabulary.related.has(t)) : [];
    return own.length + named.length === 0 ? NO_PROJECTS : new Set([...own, ...named]);
  });
  const facets = docs.map((doc): ReadonlyMap<string, ReadonlySet<string>> => {
    let named: Map<string, Set<string>> | undefined;
    for (const field of [doc.title, ...doc.aliases, doc.context, doc.body]) {
      for (const term of field) {
        const facet = vocabulary.facetOf.get(term);
        if (!facet) continue;
        named ??= new Map();
        (named.get(facet) ?? named.set(facet, new Set()).get(facet))?.add(term);
      }
    }
    return named ?? NO_FACETS;
  });
  const contentKeys = docs.map((doc) => doc.contentKey);
  const titleKeys = Uint32Array.from(docs, (doc) => doc.questionKeys[0] ?? 0);
  const aliasKeys = new Map(docs.flatMap((doc, i) => (doc.questionKeys.length > 1 ? [[i, doc.questionKeys.slice(1)] as const] : [])));
  yield;
  const terms = createTermIndex(docs);
  yield;
  return { terms, entries, idOf: new Map(entries.map((e, i) => [e, i])), projectTerms, facets, contentKeys, typos, titleKeys, aliasKeys };
}

/** A word of the question, with the shorter words the tokenizer also cut from it. */
interface QuestionUnit {
  term: string;
  id: number | undefined;
  information: number;
  /** Not generic, not a project name: a word that can tell one answer from another. */
  specific: boolean;
  /** A version number ("1.4.2"). */
  version: boolean;
  /** Term ids of the words it contains that the tokenizer also emitted ("数据" of "数据库"). */
  parts: number[];
}

const NO_PROJECTS: ReadonlySet<string> = new Set();
const NO_FACETS: ReadonlyMap<string, ReadonlySet<string>> = new Map();
const VERSION_TERM = /^v?\d+(?:\.\d+)+$/;
const HAN = /\p{Script=Han}/u;
// Share of the rarest word's information a Chinese word unknown to the index counts for.
const UNKNOWN_HAN_INFORMATION = 0.3;

/**
 * The question's words, each once, without those that are only parts of a longer word of it;
 * the most informative first, at most MAX_QUESTION_UNITS.
 */
function questionUnits(tokens: readonly string[], index: Index, vocabulary: SearchVocabulary): QuestionUnit[] {
  const informationOf = (term: string) => {
    const id = index.terms.termId(term);
    // A Chinese word no entry holds is most often the segmenter's guess at an unknown run of
    // characters ("下才", "机上"), not a rare term: it counts as a common word. Identifiers and
    // English words no entry holds keep the information of the rarest word.
    return id === undefined && HAN.test(term) ? UNKNOWN_HAN_INFORMATION * index.terms.information(term) : index.terms.information(term);
  };
  const distinct = [...new Set(tokens)];
  // Only the most informative words can be among the units kept; a long message has hundreds.
  const candidates = distinct
    .map((term) => ({ term, information: informationOf(term) }))
    .sort((a, b) => b.information - a.information)
    .slice(0, 4 * MAX_QUESTION_UNITS);
  const isPart = (t: string) => candidates.some((other) => other.term.length > t.length && other.term.includes(t));
  return candidates
    .filter((c) => !isPart(c.term))
    .slice(0, MAX_QUESTION_UNITS)
    .map(({ term, information }): QuestionUnit => {
      const parts = distinct.filter((p) => p !== term && term.includes(p)).flatMap((p) => {
        const id = index.terms.termId(p);
        return id === undefined ? [] : [id];
      });
      return {
        term,
        id: index.terms.termId(term),
        information,
        specific: !vocabulary.generic.has(term) && !vocabulary.projects.has(term),
        version: VERSION_TERM.test(term),
        parts,
      };
    });
}

/**
 * How much of a question word an entry holds: all of it, or the share of its parts' information
 * ("service.default.grouplist" in an entry that says "default.grouplist").
 */
function coveredShare(index: TermIndex, entry: number, unit: QuestionUnit): number {
  if (unit.id !== undefined && index.has(entry, unit.id)) return 1;
  if (unit.parts.length === 0) return 0;
  let held = 0;
  let all = 0;
  for (const part of unit.parts) {
    const information = index.informationOf(part);
    all += information;
    if (index.has(entry, part)) held += information;
  }
  return all > 0 ? held / all : 0;
}

/**
 * How much of the entry's question the question covers, in the way it is put that it covers most:
 * the question itself or one of its aliases (an alias added is another way to match, never a
 * larger question to cover). Undefined when the entry's question has no words.
 */
function phrasingCoverage(index: TermIndex, entry: number, units: readonly QuestionUnit[]): number | undefined {
  let best: number | undefined;
  for (let k = 0; k < index.phrasingCount(entry); k++) {
    const information = index.phrasingInformation(entry, k);
    if (information <= 0) continue;
    let held = 0;
    for (const u of units) {
      if (u.id !== undefined && index.inPhrasing(entry, k, u.id)) held += u.information;
      else if (u.parts.some((p) => index.inPhrasing(entry, k, p))) held += 0.5 * u.information;
    }
    best = Math.max(best ?? 0, Math.min(1, held / information));
  }
  return best;
}

/** BM25 finds the candidates; the features of each turn into its confidence, which orders them. */
function rank(index: Index, tokens: readonly string[], form: QuestionForm, vocabulary: SearchVocabulary, question: string): Match[] {
  const { terms: termIndex } = index;
  const terms = [...new Set(tokens)];
  if (termIndex.count === 0) return [];
  const units = questionUnits(terms, index, vocabulary);
  const total = units.reduce((sum, u) => sum + u.information, 0);
  if (total === 0) return [];
  // Information is counted in "rare words" so it means the same in a small and a large knowledge base.
  const maxIdf = Math.log(1 + termIndex.count);
  const askedProjects = terms.flatMap((t) => vocabulary.projects.get(t) ?? []);
  const acceptedProjects = new Set(askedProjects.flatMap((p) => [p, ...(vocabulary.related.get(p) ?? [])]));
  const askedFacets = new Map<string, Set<string>>();
  for (const t of terms) {
    const facet = vocabulary.facetOf.get(t);
    if (facet) (askedFacets.get(facet) ?? askedFacets.set(facet, new Set()).get(facet))?.add(t);
  }
  // Called for every entry a looked-up word touches (thousands for a common word): no allocation.
  const projectConflict = (id: number) => {
    const about = index.projectTerms[id];
    if (askedProjects.length === 0 || about === undefined || about.size === 0) return false;
    for (const project of about) if (acceptedProjects.has(project)) return false;
    return true;
  };
  // A release note answers what changed, what a version holds, or whether something is supported;
  // never how to do something, even in a version it names ("3.3.0 里怎么用 Nacos 的命名空间").
  const releaseListed = !form.howTo || form.asksChange;
  const releaseAnswers = releaseListed && (form.namesVersion || form.asksChange || form.asksExistence);
  // An entry about the project the question names is likelier than one about another project.
  const boost = (id: number) => {
    const entry = index.entries[id] as Entry;
    if (entry.kind === 'release' && !releaseListed) return 0;
    if (askedProjects.length === 0 || (index.projectTerms[id]?.size ?? 0) === 0) return 1;
    return projectConflict(id) ? PROJECT_CONFLICT_BOOST : PROJECT_MATCH_BOOST;
  };
  // The archive repeats an exchange in several posts: a copy is no second candidate (it would
  // take a "did you mean" place, and make the best one look no better than the runner-up).
  const seen = new Set<string>();
  const results = termIndex
    .top(selectSearchTerms(terms, termIndex, vocabulary.generic), MAX_CANDIDATES, boost)
    .filter((r) => r.score > 0)
    .filter((r) => {
      const key = index.contentKeys[r.entry] ?? '';
      return seen.has(key) ? false : (seen.add(key), true);
    });
  const best = results[0]?.score ?? 0;
  const second = results[1]?.score ?? 0;
  const specificTotal = units.reduce((sum, u) => (u.specific ? sum + u.information : sum), 0);
  const asked = questionKey(question);
  const matches = results.map(({ entry: id }, i): Match => {
    const entry = index.entries[id] as Entry;
    // Only for a question that names the project the entry is about: an archived follow-up such
    // as "有具体的例子不？" means something only after the exchange before it.
    const namesItsProject = askedProjects.some((p) => index.projectTerms[id]?.has(p));
    const repeatsQuestion = asked !== 0 && namesItsProject && (index.titleKeys[id] === asked || index.aliasKeys.get(id)?.includes(asked) === true);
    let covered = 0;
    let specificCovered = 0;
    let missing = 0;
    let titleHit = 0;
    for (const u of units) {
      const share = coveredShare(termIndex, id, u);
      covered += share * u.information;
      if (u.specific) specificCovered += share * u.information;
      if (u.id !== undefined && termIndex.inTitle(id, u.id)) titleHit += u.information;
      else if (u.parts.length > 0 && u.parts.some((p) => termIndex.inTitle(id, p))) titleHit += 0.5 * u.information;
      if (u.specific && share < 0.5) missing = Math.max(missing, u.information);
    }
    const titleCoverage = phrasingCoverage(termIndex, id, units);
    const facets = index.facets[id];
    let facetConflict = false;
    // A release note answers whether a database, registry… is supported only when it names it.
    let facetUnnamed = false;
    for (const [facet, asked] of askedFacets) {
      const named = facets?.get(facet);
      const namesAsked = named !== undefined && [...asked].some((v) => named.has(v));
      if (named !== undefined && !namesAsked) facetConflict = true;
      if (!namesAsked) facetUnnamed = true;
    }
    const conflict = projectConflict(id);
    const features: MatchFeatures = {
      questionCoverage: covered / total,
      titleCoverage: titleCoverage ?? 0,
      questionInTitle: titleHit / total,
      relativeScore: best > 0 ? (results[i]?.score ?? 0) / best : 0,
      projectMatch: askedProjects.some((p) => index.projectTerms[id]?.has(p)),
      release: entry.kind === 'release',
      versionMatch: entry.kind === 'release' && form.namesVersion && matchVersion(question, entry.version) > 0,
      lead: i === 0 && best > 0 ? (best - second) / best : 0,
      matchedInformation: covered / maxIdf,
      specificCoverage: specificTotal > 0 ? specificCovered / specificTotal : 1,
      missingInformation: missing / maxIdf,
      repeatsQuestion,
      ...(conflict
        ? { blocked: 'another project' as const }
        : facetConflict
          ? { blocked: 'another facet value' as const }
          : entry.kind === 'release' && !releaseAnswers
            ? { blocked: 'release for another kind of question' as const }
            : (entry.kind === 'release' && facetUnnamed) || (specificTotal > 0 && specificCovered / specificTotal < MIN_SPECIFIC_COVERAGE)
              ? { blocked: 'misses what is specific' as const }
              : specificTotal === 0 && titleCoverage !== undefined && titleCoverage < MIN_TITLE_COVERAGE_WHEN_GENERIC
                ? { blocked: 'only generic words' as const }
                : {}),
    };
    // What may not be the answer ranks below what may, when they are close.
    const model = confidence(features);
    const score = features.blocked ? model * BLOCKED_SCORE_FACTOR : repeatsQuestion ? Math.max(REPEATED_QUESTION_CONFIDENCE, model) : model;
    return { entry, score, features };
  });
  // The confidence model, which also weighs how much of the stored question was asked, orders them.
  return matches.sort((a, b) => b.score - a.score);
}

/**
 * A normalised question without punctuation, spaces and the requests, greetings or thanks around
 * it, as 32 bits of its digest (0 when nothing is left): two questions with the same key repeat
 * each other. A false match needs a 1-in-4-billion collision and the same project besides.
 */
function questionKey(normalized: string): number {
  const bare = normalized.replace(/[^\p{L}\p{N}]+/gu, '').replace(LEADING_FILLER, '').replace(TRAILING_FILLER, '');
  return bare === '' ? 0 : createHash('sha1').update(bare).digest().readUInt32BE(0) || 1;
}

/**
 * The words worth looking up: the rarest ones first, leaving out generic words and words found in
 * a large share of the entries (their long posting lists cost the most and tell the least).
 * Coverage is still computed over every word of the question.
 */
function selectSearchTerms(terms: readonly string[], index: TermIndex, generic: ReadonlySet<string>): { id: number; weight: number }[] {
  const limit = Math.max(1, Math.min(index.count * MAX_SEARCH_TERM_SHARE, MAX_SEARCH_TERM_ENTRIES));
  // Generic words find the candidates only when the question has nothing else: otherwise the
  // hundred entries that say 数据库 crowd out the one release that names PostgreSQL.
  const known = terms.flatMap((t) => {
    const id = index.termId(t);
    return id === undefined ? [] : [{ id, df: index.documentFrequency(id), generic: generic.has(t) }];
  });
  const byRarity = known.sort((a, b) => Number(a.generic) - Number(b.generic) || a.df - b.df);
  const selective = byRarity.filter((t) => t.df <= limit);
  return (selective.length > 0 ? selective : byRarity).slice(0, MAX_SEARCH_TERMS).map((t) => ({ id: t.id, weight: t.generic ? GENERIC_SEARCH_WEIGHT : 1 }));
}

/**
 * A logistic model of "this hit answers the question". Its weights and the thresholds in config
 * that turn it into answer / suggest / abstain were chosen on both development sets together,
 * the paraphrases and the real users' questions (README, "Numbers"). Little information
 * (chit-chat that shares one word with an answer), a question that covers little of the stored
 * question, and a hit far behind the best one all pull it down.
 */
// bias, questionCoverage, titleCoverage, lead, log(1 + matchedInformation), specificCoverage,
// missingInformation, questionInTitle, relativeScore, projectMatch, release, versionMatch.
const WEIGHTS = [-6.82, 0.96, 2.19, 1.8, 3.02, 0.57, -0.11, 0.83, 1.79, 0.08, 1.99, 1.81];
function confidence(f: MatchFeatures): number {
  const x = [1, f.questionCoverage, f.titleCoverage, f.lead, Math.log1p(f.matchedInformation), f.specificCoverage, f.missingInformation, f.questionInTitle, f.relativeScore, f.projectMatch ? 1 : 0, f.release ? 1 : 0, f.versionMatch ? 1 : 0];
  const z = x.reduce((sum, v, i) => sum + v * (WEIGHTS[i] ?? 0), 0);
  return 1 / (1 + Math.exp(-z));
}
