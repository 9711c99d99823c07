import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { normalizeText } from './normalize-text.js';
import { STOPWORDS } from './stopwords.js';

export interface Vocabulary {
  /** Groups of interchangeable words; the first of each is the one indexed. */
  synonyms: readonly (readonly string[])[];
  /** Words the segmenter must keep whole. */
  terms: readonly string[];
}

export interface Tokenizer {
  /** The words of a text as indexed and searched: normalised, segmented, synonyms folded, filler dropped. */
  tokenize: (text: string) => string[];
  /** The same for text already passed through normalizeText, so a question is normalised once. */
  tokenizeNormalized: (normalized: string) => string[];
  /** Folds one word to its synonym group's first word. */
  canonical: (word: string) => string;
}

// Identifiers, versions and English words: kept whole ("default.grouplist", "5.7.0") and also split
// into their parts, so "vgroup_mapping" finds both "vgroup_mapping" and "mapping".
const ASCII_RUN = /[a-z0-9][a-z0-9._/#:-]*[a-z0-9]|[a-z0-9]/g;
const ASCII_PART = /[a-z]+|[0-9]+(?:\.[0-9]+)*/g;
const HAN = /\p{Script=Han}/u;
const WORD = /[\p{L}\p{N}]/u;

// One segmenter per process: its dictionary costs about 50 MB outside the JS heap and a quarter
// of a second to load, and rebuilding the index on every knowledge reload must not pay that again.
// Community words are only ever added to it, which cannot hurt another tokenizer.
let jiebaInstance: Jieba | undefined;
const wordsAdded = new Set<string>();
function sharedJieba(): Jieba {
  jiebaInstance ??= Jieba.withDict(dict);
  return jiebaInstance;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const squeeze = (s: string) => s.replace(/[\s_-]+/g, '');

/**
 * Builds the one tokenizer used for both the knowledge and the questions, so the two always agree.
 * jieba segments Chinese (search mode: a long word and its parts), with the community's terms and
 * synonyms added to its dictionary.
 */
export function createTokenizer(vocabulary: Vocabulary): Tokenizer {
  const jieba = sharedJieba();
  const chineseWords = [...vocabulary.terms, ...vocabulary.synonyms.flat()].map(normalizeText).filter((w) => HAN.test(w));
  const newWords = chineseWords.filter((w) => !wordsAdded.has(w));
  if (newWords.length > 0) {
    jieba.loadDict(Buffer.from(newWords.map((w) => `${w} 100000`).join('\n')));
    for (const word of newWords) wordsAdded.add(word);
  }

  const single = new Map<string, string>();
  // Multi-word variants ("sofa rpc") are matched as phrases, all in one pass: one alternation,
  // longest first, looked up by the phrase with its separators squeezed out.
  const phraseTo = new Map<string, string>();
  const alternatives: string[] = [];
  for (const group of vocabulary.synonyms) {
    const [first, ...others] = group.map(normalizeText);
    if (!first) continue;
    for (const variant of others) {
      if (!/[\s-]/.test(variant)) {
        single.set(variant, first);
        continue;
      }
      const edge = (c: string | undefined) => (c && /[a-z0-9]/.test(c) ? '(?<![a-z0-9])' : '');
      const tail = (c: string | undefined) => (c && /[a-z0-9]/.test(c) ? '(?![a-z0-9])' : '');
      alternatives.push(`${edge(variant[0])}${variant.split(/[\s-]+/).map(escapeRegExp).join('[\\s_-]*')}${tail(variant.at(-1))}`);
      phraseTo.set(squeeze(variant), first);
    }
  }
  alternatives.sort((a, b) => b.length - a.length);
  const phrases = alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'g') : undefined;
  const canonical = (word: string) => single.get(word) ?? word;

  const tokenizeNormalized = (folded: string): string[] => {
    const normal = phrases ? folded.replace(phrases, (phrase) => ` ${phraseTo.get(squeeze(phrase)) ?? phrase} `) : folded;
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
    for (const word of jieba.cutForSearch(chinese, true)) {
      if (HAN.test(word)) push(word);
    }
    return out;
  };

  return { tokenize: (text) => tokenizeNormalized(normalizeText(text)), tokenizeNormalized, canonical };
}
