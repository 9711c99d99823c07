import { plainMarkdownText } from '../shared/plain-markdown-text.js';
import type { UnansweredGroup } from '../state/unanswered-log.js';

export interface UnansweredDigestOptions {
  /** First day counted, YYYY-MM-DD. */
  from: string;
  /** Last day counted, YYYY-MM-DD. */
  to: string;
  /** Upper bound for the Markdown's UTF-8 size. */
  maxBytes: number;
}

export const DRAFT_HINT = '补答案：在服务器上运行 `npm run --silent cli -- unanswered --draft <目录>` 生成 FAQ 草稿，写好答案、`validate` 通过后放进知识库。';

/**
 * The admins' weekly post: the questions the bot could not answer in the window, most asked
 * first, with how often and in how many phrasings. Members' words are shown as plain text.
 */
export function composeUnansweredDigest(groups: readonly UnansweredGroup[], options: UnansweredDigestOptions): { title: string; markdown: string } {
  const span = `${options.from.slice(5).replace('-', '/')} - ${options.to.slice(5).replace('-', '/')}`;
  const head = [`**机器人没答上的问题 | ${span}**`, '', `被问得最多的 ${groups.length} 个（相近的问法算作一个）：`, ''];
  const foot = ['', DRAFT_HINT];
  const lines: string[] = [];
  let bytes = Buffer.byteLength([...head, ...foot].join('\n'));
  for (const [i, group] of groups.entries()) {
    const phrasings = group.variants.length > 0 ? `，另有 ${group.variants.length} 种问法` : '';
    const chat = group.chats[0] ? ` · ${plainMarkdownText(group.chats[0].chat)}` : '';
    const line = `${i + 1}. ${plainMarkdownText(group.question)}（${group.count} 次${phrasings}）${chat}`;
    bytes += Buffer.byteLength(line) + 1;
    if (bytes > options.maxBytes - 100) {
      lines.push(`……另有 ${groups.length - i} 个未列出`);
      break;
    }
    lines.push(line);
  }
  return { title: `未答问题 | ${span}`, markdown: [...head, ...lines, ...foot].join('\n') };
}
