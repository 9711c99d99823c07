import Fuse from 'fuse.js';
import { HAN_OTHER_SOUNDS, HAN_SOUNDS } from './han-sounds.js';

export interface TermCorrector {
  /** The known word a misspelt or mistyped one most likely meant, or undefined. */
  correct(term: string): string | undefined;
}

// Plain words only: compounds (vgroup_mapping, mutli-raft) are also indexed by their parts.
const ASCII_WORD = /^[a-z]{4,24}$/;
const MAX_LENGTH_GAP = 2;
const CACHE_LIMIT = 10_000;
const HAN_WORD = /^\p{Script=Han}{2,6}$/u;

// A word's sounds are its characters' toneless pinyin, read one character at a time, a
// polyphone in each of its readings (重试: zhongshi, chongshi), the most common first. A known
// word is found by any of its sounds, a question's word by its most common one. Read from a
// table of pinyin-pro's readings (scripts/make-han-sounds.ts): the library itself holds 9 MB of
// the answering worker's heap for the readings of whole phrases.
const MAX_SOUNDS = 8;
// By code point: a string per character would cost a megabyte of the worker's heap.
let readings: { common: Map<number, string>; other: Map<number, string[]> } | undefined;
function readingsByCode() {
  if (!readings) {
    readings = { common: new Map(), other: new Map() };
    for (const [sound, characters] of Object.entries(HAN_SOUNDS)) for (const character of characters) readings.common.set(character.codePointAt(0) as number, sound);
    for (const [sound, characters] of Object.entries(HAN_OTHER_SOUNDS)) {
      for (const character of characters) {
        const code = character.codePointAt(0) as number;
        const list = readings.other.get(code);
        if (list) list.push(sound);
        else readings.other.set(code, [sound]);
      }
    }
  }
  return readings;
}

/** A word in each character's common reading. */
function commonSoundOf(word: string): string {
  const { common } = readingsByCode();
  let sound = '';
  for (const character of word) sound += common.get(character.codePointAt(0) as number) ?? character;
  return sound;
}

/** A word in every combination of its characters' readings, the common ones first; at most MAX_SOUNDS. */
function soundsOf(word: string): string[] {
  const { common, other } = readingsByCode();
  let sounds = [''];
  for (const character of word) {
    const code = character.codePointAt(0) as number;
    const readingsOfCharacter = [common.get(code) ?? character, ...(other.get(code) ?? [])];
    sounds = sounds.flatMap((sound) => readingsOfCharacter.map((reading) => sound + reading)).slice(0, MAX_SOUNDS);
  }
  return sounds;
}

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
      const map = new Map<string, string>();
      // Several words may share a sound: a word's most common reading first, then the first indexed.
      const words = hanWords ?? [];
      const sounds = words.map(soundsOf);
      for (let k = 0; k < MAX_SOUNDS; k++) {
        words.forEach((word, i) => {
          const sound = sounds[i]?.[k];
          if (sound !== undefined && !map.has(sound)) map.set(sound, word);
        });
      }
      bySound = map;
      hanWords = undefined;
    }
    // The question's word in its common reading only: a match through two rare readings (哪查 and
    // 能查 as naicha) is no slip of the input method.
    return bySound.get(commonSoundOf(term));
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
