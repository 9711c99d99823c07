import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
  /** The words of a text as indexed and searched: normalised, segmented, synonyms folded, filler dropped. */
  tokenize: (text: string) => string[];
  /** The same for text already passed through normalizeText, so a question is normalised once. */
  tokenizeNormalized: (normalized: string) => string[];
  /** Folds one word to its synonym group's first word. */
  canonical: (word: string) => string;
  /** The single-word spellings that `canonical` folds into another word ("transaction" → 事务), normalised. */
  foldedWords: readonly string[];
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
// The package's own `dict.js` reads the dictionary and its 6 MB keyword table (idf.txt, unused
// here) into buffers its module keeps for good: 11 MB besides jieba's copy. Read here, the
// dictionary's bytes are let go once jieba has built from them.
const DICTIONARY = createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt');
function sharedJieba(): Jieba {
  jiebaInstance ??= Jieba.withDict(readFileSync(DICTIONARY));
  return jiebaInstance;
}

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
export function createTokenizer(vocabulary: Vocabulary): Tokenizer {
  const jieba = sharedJieba();
  // Phrases ("at 模式") are matched before segmenting; only single words go to the dictionary.
  const oneWord = (w: string) => HAN.test(w) && !/\s/.test(w);
  const chineseWords = [...vocabulary.terms, ...vocabulary.synonyms.flat()].map(normalizeText).filter(oneWord);
  // Glossary words only where the segmenter would otherwise cut them (线程池 → 线程 / 池).
  const unknownGlossaryWords = (vocabulary.glossary ?? [])
    .flat()
    .map(normalizeText)
    .filter((w) => oneWord(w) && !wordsAdded.has(w) && jieba.cut(w, false).length > 1);
  const newWords = [...chineseWords, ...unknownGlossaryWords].filter((w) => !wordsAdded.has(w));
  if (newWords.length > 0) {
    jieba.loadDict(Buffer.from(newWords.map((w) => `${w} 100000`).join('\n')));
    for (const word of newWords) wordsAdded.add(word);
  }

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

  const tokenizeNormalized = (folded: string): string[] => {
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
    for (const word of jieba.cutForSearch(chinese, true)) {
      if (HAN.test(word)) push(word);
    }
    return out;
  };

  return { tokenize: (text) => tokenizeNormalized(normalizeText(text)), tokenizeNormalized, canonical, foldedWords: [...single.keys()] };
}
