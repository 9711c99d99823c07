import type { Intent } from './answer-types.js';

const VERSION = /(?<![\w.])v?\d+(?:\.\d+){1,3}(?![\w])/i;
const LATEST = /最新|latest|newest|最近一次|最近.{0,4}(?:版本|发版|发布|release)/;
const RELEASE_WORDS = /版本|发版|发布|更新|release|version|changelog|新特性|修复|修了|bug/;
const EVENT_WORDS = /直播|活动|meetup|分享会|线下|webinar|workshop|沙龙|大会/;
const WHEN_WORDS = /什么时候|啥时候|何时|下次|下一次|下一期|最近|近期|接下来|upcoming|next|when|哪天|几点|安排|有什么|有啥|有没有/;
const READING_WORDS = /文章|阅读|博客|blog|article|有没有讲|推荐.{0,2}(?:读|看)|资料/;

/**
 * What kind of entry the question asks for; `general` searches Q&A and release notes. Takes the
 * question as normalizeText returns it (lower case, simplified), which the engine computes once.
 */
export function detectIntent(text: string): Intent {
  if (LATEST.test(text) && RELEASE_WORDS.test(text)) return 'latest-release';
  if (VERSION.test(text)) return 'release';
  if (EVENT_WORDS.test(text) && WHEN_WORDS.test(text)) return 'event';
  if (READING_WORDS.test(text)) return 'reading';
  return 'general';
}
