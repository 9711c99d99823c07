import { plainMarkdownText } from '../shared/plain-markdown-text.js';

/**
 * The admins' notice of new knowledge errors, one `file:line: message` a line, at most `maxLines`
 * of them (the rest are counted; `validate` lists them all). A file name or message is shown as
 * plain text: a name with newlines or `[text](url)` in it stays one line with no link.
 */
export function composeKnowledgeAlert(errors: readonly string[], maxLines = 20): { title: string; markdown: string } {
  const shown = errors.slice(0, maxLines);
  const more = errors.length - shown.length;
  const markdown = [
    `**知识库有 ${errors.length} 个新错误**`,
    '',
    ...shown.map((line) => `- ${plainMarkdownText(line)}`),
    ...(more > 0 ? [`- ……另有 ${more} 个`] : []),
    '',
    '出错的文件在修好之前不生效：改坏的文件继续使用上一个正确的版本，新文件暂不回答。运行 `npm run --silent cli -- validate` 查看全部问题，或在群里发送“状态”。',
  ].join('\n');
  return { title: '知识库有新错误', markdown };
}
