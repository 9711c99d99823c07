import Fuse from 'fuse.js';
import { pinyin } from 'pinyin-pro';

export interface TermCorrector {
  /** The known word a misspelt or mistyped one most likely meant, or undefined. */
  correct(term: string): string | undefined;
}

// Plain words only: compounds (vgroup_mapping, mutli-raft) are also indexed by their parts.
const ASCII_WORD = /^[a-z]{4,24}$/;
const MAX_LENGTH_GAP = 2;
const CACHE_LIMIT = 10_000;
const HAN_WORD = /^\p{Script=Han}{2,6}$/u;

const toPinyin = (word: string) => pinyin(word, { toneType: 'none', type: 'array', v: true }).join('');

/**
 * Maps words the index has never seen to words it has: English identifiers by fuzzy matching
 * (fuse.js: `listner` → `listener`), Chinese words by sound (pinyin input slips: 彩样 → 采样,
 * 一至 → 一致), which is how most Chinese typos are made.
 */
export function createTermCorrector(vocabulary: readonly string[]): TermCorrector {
  // Candidates share the first letter (typos there are rare) and nearly the length, so fuse.js
  // scores a few dozen words instead of thousands.
  const byInitial = new Map<string, string[]>();
  for (const word of vocabulary) {
    if (!ASCII_WORD.test(word)) continue;
    const bucket = byInitial.get(word[0] as string) ?? [];
    bucket.push(word);
    byInitial.set(word[0] as string, bucket);
  }
  // Built at the first Chinese word to correct: the command line answering one question in English
  // or with known words does not pay for the pinyin of the whole vocabulary.
  let hanWords: string[] | undefined = vocabulary.filter((word) => HAN_WORD.test(word));
  let bySound: Map<string, string> | undefined;
  const soundsLike = (term: string): string | undefined => {
    if (!bySound) {
      bySound = new Map();
      for (const word of hanWords ?? []) {
        const sound = toPinyin(word);
        // Several words may share a sound; the first indexed wins.
        if (!bySound.has(sound)) bySound.set(sound, word);
      }
      hanWords = undefined;
    }
    return bySound.get(toPinyin(term));
  };
  const cache = new Map<string, string | undefined>();

  const correctAscii = (term: string): string | undefined => {
    const candidates = (byInitial.get(term[0] as string) ?? []).filter((w) => Math.abs(w.length - term.length) <= MAX_LENGTH_GAP);
    if (candidates.length === 0) return undefined;
    const fuse = new Fuse(candidates, { includeScore: true, threshold: 0.4, ignoreLocation: true });
    return fuse.search(term, { limit: 1 })[0]?.item;
  };
  const correct = (term: string): string | undefined => {
    if (cache.has(term)) return cache.get(term);
    const corrected = ASCII_WORD.test(term) ? correctAscii(term) : HAN_WORD.test(term) ? soundsLike(term) : undefined;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(term, corrected);
    return corrected;
  };
  return { correct };
}
