import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
// Before the segmenter's library loads: it reads its allocator's settings then.
import './return-freed-segmenter-memory.js';
import { Jieba } from '@node-rs/jieba';
import { normalizeText } from './normalize-text.js';
import { STOPWORDS } from './stopwords.js';

export interface Vocabulary {
  /** Groups of interchangeable words; the first of each is the one indexed. */
  synonyms: readonly (readonly string[])[];
  /**
   * English↔Chinese groups, folded the same way. Their Chinese words go to the segmenter's
   * dictionary only when it would cut them: most are in it already, and raising their weight
   * splits compounds (服务注册中心 → 服务注册 / 中心).
   */
  glossary?: readonly (readonly string[])[];
  /** Words the segmenter must keep whole. */
  terms: readonly string[];
}

interface Phrase {
  /** Sticky: tried at one position. */
  pattern: RegExp;
  length: number;
  /** The group's first word, which the phrase is read as. */
  to: string;
}

export interface Tokenizer {
  /**
   * The words of a text as indexed and searched: normalised, segmented, synonyms folded, filler
   * dropped. `found`, when given, receives every dictionary word of the text (see `narrow`).
   */
  tokenize: (text: string, found?: Set<string>) => string[];
  /** The same for text already passed through normalizeText, so a question is normalised once. */
  tokenizeNormalized: (normalized: string, found?: Set<string>) => string[];
  /** Folds one word to its synonym group's first word. */
  canonical: (word: string) => string;
  /** The single-word spellings that `canonical` folds into another word ("transaction" → 事务), normalised. */
  foldedWords: readonly string[];
}

/** The tokenizer the knowledge is cut with, on the segmenter's whole dictionary. */
export interface FullTokenizer extends Tokenizer {
  /**
   * The same tokenizer on a dictionary of `words`, every word of one or two characters and the
   * filler words, at the whole dictionary's frequencies. Given the dictionary words `found`
   * collected from some texts, it cuts those texts exactly as this one does: jieba's best cut of a
   * text weighs only the dictionary words inside it, against the dictionary's total. A question
   * is cut differently only around a rare longer word no text of the knowledge holds, which no
   * entry can match anyway. Its 130,000 words are 37% of the whole dictionary's; what the
   * process saves is measured in the README ("Memory").
   */
  narrow: (words: Iterable<string>) => { tokenizer: Tokenizer; dictionary: NarrowedDictionary };
}

/**
 * A narrowed dictionary as text, so that it can be kept (the command line's snapshot) and loaded
 * again without the whole one (createNarrowedTokenizer): loading the whole dictionary and
 * narrowing it take a sixth of a second.
 */
export interface NarrowedDictionary {
  /** The "word frequency tag" lines kept, then the line standing for the words left out. */
  lines: string;
  /** The community words added to it, in order. */
  added: string[];
}

// Identifiers, versions and English words: kept whole ("default.grouplist", "5.7.0") and also split
// into their parts, so "vgroup_mapping" finds both "vgroup_mapping" and "mapping".
const ASCII_RUN = /[a-z0-9][a-z0-9._/#:-]*[a-z0-9]|[a-z0-9]/g;
const ASCII_PART = /[a-z]+|[0-9]+(?:\.[0-9]+)*/g;
const HAN = /\p{Script=Han}/u;
const WORD = /[\p{L}\p{N}]/u;

// The whole dictionary, loaded once per process for as long as knowledge is being cut: about 40 MB
// outside the JS heap and a quarter of a second to load. Community words are only ever added to
// it, which cannot hurt another tokenizer; a narrowed dictionary adds the same ones.
interface WholeDictionary {
  jieba: Jieba;
  /** dict.txt, for narrowing: "word frequency tag" lines. */
  text: string;
  /** Community words added to `jieba`, in order, each once. */
  added: Set<string>;
}
let whole: WholeDictionary | undefined;
// The package's own `dict.js` reads the dictionary and its 6 MB keyword table (idf.txt, unused
// here) into buffers its module keeps for good: 11 MB besides jieba's copy. Read here, the
// dictionary's bytes are let go with the dictionary.
const DICTIONARY = createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt');
function wholeDictionary(): WholeDictionary {
  if (!whole) {
    const bytes = readFileSync(DICTIONARY);
    whole = { jieba: Jieba.withDict(bytes), text: bytes.toString('utf8'), added: new Set() };
  }
  return whole;
}

/**
 * Lets the whole dictionary go (once no full tokenizer is in use): a long-running process that has
 * built its engine keeps only the narrowed dictionary, and loads the whole one again for a later
 * build.
 */
export function releaseWholeDictionary(): void {
  whole = undefined;
}

/** Whether this process holds the whole dictionary now (what a build from a full cache never loads). */
export const holdsWholeDictionary = (): boolean => whole !== undefined;

// The frequency of the words left out, under a word no text can hold (jieba looks words up only in
// runs of Han characters, letters and digits), so the dictionary's total, which every word's
// probability is divided by, stays the same.
const LEFT_OUT_WORDS = '\uE000\uE001';
// Words of one or two characters (126,000 of the 349,045) stay in a narrowed dictionary whether the
// knowledge holds them or not. jieba reads a run of single characters it found no word for as one
// dictionary word when it can, and guesses new words in it (its HMM) only when it cannot: without
// the rare two-character words, "配置没变" and "新加进来" would be cut into unknown words ("没变",
// "新加") the whole dictionary never yields. Measured: with them, every question of the three
// evaluation sets is answered as before; without them three answers change (README, "Memory").
// So do the filler words the tokenizer drops ("为什么"), which must be cut whole to be dropped.
const ALWAYS_KEPT_LENGTH = 2;
const ONLY_HAN = /^[\p{Script=Han}]+$/u;

function narrowDictionary(dictionary: WholeDictionary, words: Iterable<string>): NarrowedDictionary {
  const keep = new Set(words);
  // Community words too, so both dictionaries replace the same frequencies when they are added.
  for (const word of dictionary.added) keep.add(word);
  const lines: string[] = [];
  let total = 0;
  let kept = 0;
  const { text } = dictionary;
  for (let start = 0; start < text.length; ) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end === -1 ? text.length : end);
    start = end === -1 ? text.length : end + 1;
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const word = line.slice(0, space);
    const frequency = Number.parseInt(line.slice(space + 1), 10) || 0;
    total += frequency;
    if (word.length <= ALWAYS_KEPT_LENGTH || keep.has(word) || STOPWORDS.has(word) || !ONLY_HAN.test(word)) {
      lines.push(line);
      kept += frequency;
    }
  }
  lines.push(`${LEFT_OUT_WORDS} ${total - kept}`);
  return { lines: lines.join('\n'), added: [...dictionary.added] };
}

function loadNarrowed({ lines, added }: NarrowedDictionary): Jieba {
  const jieba = Jieba.withDict(Buffer.from(lines));
  addWords(jieba, added);
  return jieba;
}

const addWords = (jieba: Jieba, words: readonly string[]) => {
  if (words.length > 0) jieba.loadDict(Buffer.from(words.map((w) => `${w} 100000`).join('\n')));
};

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const squeeze = (s: string) => s.replace(/[\s_-]+/g, '');
const SEPARATOR = /[\s_-]/;
// Two characters as one number: looked up at every position of every text, without a string each.
const pairKey = (first: number, second: number) => first * 0x10000 + (Number.isNaN(second) ? 0 : second);

/**
 * Builds the one tokenizer used for both the knowledge and the questions, so the two always agree.
 * jieba segments Chinese (search mode: a long word and its parts), with the community's terms and
 * synonyms added to its dictionary.
 */
export function createTokenizer(vocabulary: Vocabulary): FullTokenizer {
  const dictionary = wholeDictionary();
  addCommunityWords(dictionary, vocabulary);
  const folding = createFolding(vocabulary);
  // The narrowed tokenizer is made by functions outside this one, so nothing it holds can reach
  // the whole dictionary, which must be free to go.
  return {
    ...tokenizerOn(dictionary.jieba, folding),
    narrow: (words) => {
      const narrowed = narrowDictionary(dictionary, words);
      return { tokenizer: tokenizerOn(loadNarrowed(narrowed), folding), dictionary: narrowed };
    },
  };
}

/**
 * The tokenizer a FullTokenizer of the same vocabulary narrowed to `dictionary`, made without
 * loading the whole dictionary.
 */
export function createNarrowedTokenizer(vocabulary: Vocabulary, dictionary: NarrowedDictionary): Tokenizer {
  return tokenizerOn(loadNarrowed(dictionary), createFolding(vocabulary));
}

function addCommunityWords({ jieba, added }: WholeDictionary, vocabulary: Vocabulary): void {
  // Phrases ("at 模式") are matched before segmenting; only single words go to the dictionary.
  const oneWord = (w: string) => HAN.test(w) && !/\s/.test(w);
  const chineseWords = [...vocabulary.terms, ...vocabulary.synonyms.flat()].map(normalizeText).filter(oneWord);
  // Glossary words only where the dictionary lacks them, so the segmenter would cut them (线程池 →
  // 线程 / 池). Asked of the dictionary's words, not of how it cuts them, which changes with every
  // word added: a second tokenizer would add more, and a rebuilt engine cut differently.
  const unknownGlossaryWords = (vocabulary.glossary ?? [])
    .flat()
    .map(normalizeText)
    .filter((w) => oneWord(w) && !added.has(w) && !jieba.cutAll(w).includes(w));
  const newWords = [...new Set([...chineseWords, ...unknownGlossaryWords])].filter((w) => !added.has(w));
  addWords(jieba, newWords);
  for (const word of newWords) added.add(word);
}

/** What the vocabulary folds: single words to their group's first, phrases found in the text. */
interface Folding {
  canonical: (word: string) => string;
  foldPhrases: (text: string) => string;
  foldedWords: readonly string[];
}

function createFolding(vocabulary: Vocabulary): Folding {
  const single = new Map<string, string>();
  // Multi-word variants ("sofa rpc", "thread pool") are matched as phrases, looked up by the first
  // two letters they start with: one alternation of a few thousand phrases costs a scan of all of
  // them at every position (seconds for the archive), a lookup costs a handful.
  const phrasesByStart = new Map<number, Phrase[]>();
  for (const group of [...vocabulary.synonyms, ...(vocabulary.glossary ?? [])]) {
    const [first, ...others] = group.map(normalizeText);
    if (!first) continue;
    for (const variant of others) {
      if (!/[\s-]/.test(variant)) {
        single.set(variant, first);
        continue;
      }
      // A phrase of words ("data source") is not read inside an identifier (seata-rm-datasource);
      // a spelling with a dash ("sofa-boot") still is (sofa-boot-autoconfigure).
      const inIdentifier = /\s/.test(variant);
      const edge = (c: string | undefined) => (c && /[a-z0-9]/.test(c) ? (inIdentifier ? '(?<![a-z0-9][._/-]?)' : '(?<![a-z0-9])') : '');
      const tail = (c: string | undefined) => (c && /[a-z0-9]/.test(c) ? (inIdentifier ? '(?![._/-]?[a-z0-9])' : '(?![a-z0-9])') : '');
      const pattern = `${edge(variant[0])}${variant.split(/[\s-]+/).map(escapeRegExp).join('[\\s_-]*')}${tail(variant.at(-1))}`;
      const squeezed = squeeze(variant);
      const start = pairKey(squeezed.charCodeAt(0), squeezed.charCodeAt(1));
      const list = phrasesByStart.get(start) ?? [];
      list.push({ pattern: new RegExp(pattern, 'y'), length: variant.length, to: first });
      phrasesByStart.set(start, list);
    }
  }
  // Longest first, so "sofa mosn" is read whole rather than as "sofa".
  for (const list of phrasesByStart.values()) list.sort((a, b) => b.length - a.length);
  const canonical = (word: string) => single.get(word) ?? word;

  const foldPhrases = (text: string): string => {
    if (phrasesByStart.size === 0) return text;
    let out = '';
    let copied = 0;
    for (let at = 0; at < text.length; at++) {
      // No phrase starts with a separator. Skipping them also keeps a long run of dashes linear:
      // the scan below would otherwise walk the rest of the run from every one of them.
      if (SEPARATOR.test(text[at] as string)) continue;
      let next = at + 1;
      while (next < text.length && SEPARATOR.test(text[next] as string)) next++;
      const candidates = phrasesByStart.get(pairKey(text.charCodeAt(at), text.charCodeAt(next)));
      if (!candidates) continue;
      for (const phrase of candidates) {
        phrase.pattern.lastIndex = at;
        const match = phrase.pattern.exec(text);
        if (!match) continue;
        out += `${text.slice(copied, at)} ${phrase.to} `;
        copied = at + match[0].length;
        at = copied - 1;
        break;
      }
    }
    return out + text.slice(copied);
  };
  return { canonical, foldPhrases, foldedWords: [...single.keys()] };
}

function tokenizerOn(segmenter: Jieba, { canonical, foldPhrases, foldedWords }: Folding): Tokenizer {
  const tokenizeNormalized = (folded: string, found?: Set<string>): string[] => {
    const normal = foldPhrases(folded);
    const out: string[] = [];
    const push = (word: string) => {
      const folded = canonical(word);
      if (!STOPWORDS.has(folded) && WORD.test(folded)) out.push(folded);
    };
    const chinese = normal.replace(ASCII_RUN, (run) => {
      push(run);
      const parts = run.match(ASCII_PART) ?? [];
      if (parts.length > 1) for (const part of parts) push(part);
      return ' ';
    });
    for (const word of segmenter.cutForSearch(chinese, true)) {
      if (HAN.test(word)) push(word);
    }
    // Every word of two or more characters the dictionary has inside the text (jieba's full
    // mode); single characters are always kept.
    if (found) for (const word of segmenter.cutAll(chinese)) if (word.length > 1) found.add(word);
    return out;
  };
  return { tokenize: (text, found) => tokenizeNormalized(normalizeText(text), found), tokenizeNormalized, canonical, foldedWords };
}
