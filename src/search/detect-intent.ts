import type { Intent } from './answer-types.js';

const VERSION = /(?<![\w.])v?\d+(?:\.\d+){1,3}(?![\w])/i;
const LATEST = /最新|latest|newest|最近一次|最近.{0,4}(?:版本|发版|发布|release)/;
// "最新版" is as common as "最新版本"; a bare 版 after 最新 names a release too.
const RELEASE_WORDS = /版本|发版|发布|最新版|新版|更新|release|version|changelog|新特性|修复|修了|bug/;
const EVENT_WORDS = /直播|活动|meetup|分享会|线下|webinar|workshop|沙龙|大会/;
const WHEN_WORDS = /什么时候|啥时候|何时|下次|下一次|下一期|最近|近期|接下来|upcoming|next|when|哪天|几点|安排|有什么|有啥|有没有/;
const READING_WORDS = /文章|阅读|博客|blog|article|有没有讲|推荐.{0,2}(?:读|看)|资料/;
// "怎么回事" asks what went wrong, not how to do something.
const HOW_TO = /(?:怎么|怎样|如何|咋)(?!回事)|\bhow\s+(?:to|do|does|can|could|should|would)\b|\bwhat\s+is\s+the\s+(?:best\s+)?way\b/;
const CHANGE_WORDS = /更新|改了|改动|变化|变更|新特性|新功能|新增|修复|修了|fix(?:ed|es)?\b|changelog|what'?s\s+new|\bchang(?:e|es|ed)\b|release\s*notes?/;
const EXISTENCE_WORDS = /支持|有没有|是否有|有无|能否|能不能|可不可以|可以|兼容|\bsupport(?:s|ed|ing)?\b|\bis\s+there\b|\bare\s+there\b|\bcan\b|\bcompatible\b/;

/** How a question is put, which decides whether a release note can answer it. */
export interface QuestionForm {
  /** Asks how to do something ("怎么设置超时", "how to …"). */
  howTo: boolean;
  /** Asks what changed or was fixed. */
  asksChange: boolean;
  /** Asks whether something is supported or exists. */
  asksExistence: boolean;
  /** Names a version ("1.4.2", "v5.7.6"). */
  namesVersion: boolean;
}

/** How the question is put; takes text as normalizeText returns it. */
export function detectForm(text: string): QuestionForm {
  return {
    howTo: HOW_TO.test(text),
    asksChange: CHANGE_WORDS.test(text),
    asksExistence: EXISTENCE_WORDS.test(text),
    namesVersion: VERSION.test(text),
  };
}

const RELEASE_QUESTION_WORDS = /最近一次|哪个|哪一个|什么|哪些|有啥|是啥|多少|几|版|内容|what'?s|notes?|\bin\b/g;
const RELEASE_PATTERNS = [VERSION, LATEST, RELEASE_WORDS, CHANGE_WORDS, RELEASE_QUESTION_WORDS].map((p) => new RegExp(p.source, 'gi'));

/**
 * What a release question asks beyond the release itself: the text without its version, the
 * words that ask for the latest or for a change list, and the words around them ("Seata 1.4.0
 * 更新了什么" leaves nothing; "Seata 1.4.0 支持 XA 了吗" leaves XA).
 */
export function beyondRelease(text: string): string {
  return RELEASE_PATTERNS.reduce((rest, pattern) => rest.replace(pattern, ' '), text);
}

/**
 * What kind of entry the question asks for; `general` searches Q&A and release notes. Takes the
 * question as normalizeText returns it (lower case, simplified), which the engine computes once.
 */
export function detectIntent(text: string): Intent {
  if (LATEST.test(text) && RELEASE_WORDS.test(text)) return 'latest-release';
  if (VERSION.test(text) && !HOW_TO.test(text)) return 'release';
  if (EVENT_WORDS.test(text) && WHEN_WORDS.test(text)) return 'event';
  if (READING_WORDS.test(text)) return 'reading';
  return 'general';
}
