import MarkdownIt from 'markdown-it';
import { sanitizeMarkdown } from '../shared/sanitize-markdown.js';

// DingTalk's Markdown subset: headings, bold and italic, links, images, lists, quotes and rules.
// The Markdown is first sanitised as the transports sanitise it (sanitizeMarkdown), so the preview
// shows what DingTalk is sent; markdown-it then still shows raw HTML as text (html: false) and
// makes no links to javascript:, vbscript:, file: or data:, so a reply can never run in the
// admin's browser even if the sanitiser missed something.
const markdown = new MarkdownIt('default', { html: false, linkify: false, breaks: false, typographer: false });
// What DingTalk does not render is not rendered here either, so the preview does not flatter a reply.
markdown.disable(['table', 'code', 'fence', 'backticks', 'strikethrough']);

const renderToken = markdown.renderer.renderToken.bind(markdown.renderer);
markdown.renderer.rules.link_open = (tokens, index, options) => {
  const token = tokens[index];
  if (token) {
    token.attrSet('target', '_blank');
    token.attrSet('rel', 'noopener noreferrer');
  }
  return renderToken(tokens, index, options);
};

/**
 * A bot reply's DingTalk Markdown as safe HTML, the way a DingTalk client shows it. The @ line
 * that ends a group reply is set apart, as DingTalk highlights the people it mentions.
 */
export function renderDingTalkHtml(text: string, atUserIds: readonly string[] = []): string {
  const mention = atUserIds.map((id) => `@${id}`).join(' ');
  if (mention && text.endsWith(mention)) {
    const body = text.slice(0, -mention.length).trimEnd();
    return `${markdown.render(sanitizeMarkdown(body))}<p class="mention">${markdown.utils.escapeHtml(mention)}</p>\n`;
  }
  return markdown.render(sanitizeMarkdown(text));
}
