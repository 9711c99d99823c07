import { createHash } from 'node:crypto';
import { calendarDay, daysBefore } from '../shared/calendar-day.js';
import { questionSimilarity, SIMILAR_QUESTIONS } from '../search/question-similarity.js';
import type { QuestionAnalysis } from '../search/create-question-analyser.js';
import type { StoredUnansweredGroup, UnansweredAsk, UnansweredState } from './unanswered-log.js';

export interface RecordUnansweredOptions {
  /**
   * How a question is compared (createQuestionAnalyser): its folded text, equal for one phrasing,
   * and its terms. Called for every stored phrasing on each record, so it should be memoised.
   */
  analyse: (text: string) => QuestionAnalysis;
  /** IANA zone of the calendar days asks are counted in. */
  zone: string;
  limits?: Partial<UnansweredLimits>;
}

/** Bounds that keep the log small whatever members ask. */
export interface UnansweredLimits {
  /** Groups kept; beyond it the one asked least recently is dropped. */
  groups: number;
  /** Phrasings kept per group; beyond it the least asked is dropped. */
  variants: number;
  /** Chat names kept per group. */
  chats: number;
  /** Days of per-day counts kept, enough for the weekly digest to look back over. */
  days: number;
  /** Characters of a question kept. */
  textChars: number;
}

const UNANSWERED_LIMITS: Readonly<UnansweredLimits> = { groups: 500, variants: 10, chats: 10, days: 56, textChars: 200 };

// A member's @mention of someone else names a person: it is not part of the question.
const MENTION = /@[^\s@]{1,20}(?=\s|$)/gu;

/** The question as it is kept: mentions removed, whitespace collapsed, at most `maxChars` characters. */
function cleanQuestion(text: string, maxChars = UNANSWERED_LIMITS.textChars): string {
  const cleaned = text.replace(MENTION, ' ').replace(/\s+/g, ' ').trim();
  // Cut by code points, not UTF-16 units, so no character is split; a short text needs no cut.
  return cleaned.length <= maxChars ? cleaned : [...cleaned].slice(0, maxChars).join('').trim();
}

/** The texts recordUnanswered will analyse for these questions: hand them to QuestionAnalyser.prepare first. */
export function* textsToAnalyse(state: UnansweredState, asks: readonly UnansweredAsk[], limits?: Partial<UnansweredLimits>): Generator<string> {
  for (const ask of asks) yield cleanQuestion(ask.text, limits?.textChars ?? UNANSWERED_LIMITS.textChars);
  for (const group of state.groups) for (const variant of group.variants) yield variant.text;
}

/**
 * Counts one unanswered question into the state (changed in place): into the group holding the
 * most similar phrasing if it is similar enough, else into a new group. A message without a word
 * of content ("谢谢") is not a question and is not counted. Returns whether it was counted.
 */
export function recordUnanswered(state: UnansweredState, ask: UnansweredAsk, options: RecordUnansweredOptions): boolean {
  const limits = { ...UNANSWERED_LIMITS, ...options.limits };
  const text = cleanQuestion(ask.text, limits.textChars);
  if (!text) return false;
  const { normal, terms } = options.analyse(text);
  if (terms.length === 0) return false;
  const at = new Date(ask.at).toISOString();
  const day = calendarDay(ask.at, options.zone);

  let group: StoredUnansweredGroup | undefined;
  let best = 0;
  const asked = new Set(terms);
  for (const candidate of state.groups) {
    for (const variant of candidate.variants) {
      const known = options.analyse(variant.text);
      // Most kept phrasings share no word with the question: not worth measuring.
      if (known.normal !== normal && !known.terms.some((t) => asked.has(t))) continue;
      const similarity = known.normal === normal ? 1 : questionSimilarity(terms, known.terms);
      if (similarity > best) {
        best = similarity;
        group = candidate;
      }
    }
  }
  if (!group || best < SIMILAR_QUESTIONS) {
    group = { id: createHash('sha256').update(`${text}\n${at}`).digest('hex').slice(0, 12), variants: [], chats: {}, days: {} };
    state.groups.push(group);
  }

  let variant = group.variants.find((v) => options.analyse(v.text).normal === normal);
  if (!variant) {
    variant = { text, count: 0, firstSeen: at, lastSeen: at };
    group.variants.push(variant);
  }
  variant.count++;
  if (at > variant.lastSeen) variant.lastSeen = at;
  const chat = [...ask.chat.trim()].slice(0, 100).join('') || '未知';
  group.chats[chat] = (group.chats[chat] ?? 0) + 1;
  group.days[day] = (group.days[day] ?? 0) + 1;

  trim(state, group, day, limits);
  return true;
}

function trim(state: UnansweredState, group: StoredUnansweredGroup, day: string, limits: UnansweredLimits): void {
  // Most asked first, so the first phrasing represents the group.
  group.variants.sort((a, b) => b.count - a.count || a.firstSeen.localeCompare(b.firstSeen));
  group.variants.length = Math.min(group.variants.length, limits.variants);
  const chats = Object.entries(group.chats).sort((a, b) => b[1] - a[1]);
  if (chats.length > limits.chats) group.chats = Object.fromEntries(chats.slice(0, limits.chats));
  const cutoff = daysBefore(day, limits.days);
  for (const key of Object.keys(group.days)) if (key < cutoff) delete group.days[key];
  while (state.groups.length > limits.groups) {
    const oldest = state.groups.reduce((a, b) => (lastSeenOf(b) < lastSeenOf(a) ? b : a));
    state.groups.splice(state.groups.indexOf(oldest), 1);
  }
}

/** When a group was last asked. */
export function lastSeenOf(group: StoredUnansweredGroup): string {
  return group.variants.reduce((latest, v) => (v.lastSeen > latest ? v.lastSeen : latest), '');
}
