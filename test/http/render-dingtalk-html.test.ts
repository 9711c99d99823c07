import { describe, expect, it } from 'vitest';
import { renderDingTalkHtml } from '../../src/http/render-dingtalk-html.js';

describe('renderDingTalkHtml', () => {
  it("renders DingTalk's subset: headings, bold, links, lists, quotes and images", () => {
    const html = renderDingTalkHtml('#### 本周发布\n\n**SOFARPC 5.7.6**\n\n- 支持 [文档](https://example.org/doc)\n1. 一\n\n> 引用\n\n![图](https://example.org/a.png)');
    expect(html).toContain('<h4>本周发布</h4>');
    expect(html).toContain('<strong>SOFARPC 5.7.6</strong>');
    expect(html).toContain('<li>支持 <a href="https://example.org/doc" target="_blank" rel="noopener noreferrer">文档</a></li>');
    expect(html).toContain('<ol>');
    expect(html).toContain('<blockquote>\n<p>引用</p>\n</blockquote>');
    expect(html).toContain('<img src="https://example.org/a.png" alt="图">');
  });

  it('shows what DingTalk is sent: raw HTML as text, links to other schemes as their text', () => {
    const html = renderDingTalkHtml('<script>alert(1)</script> <img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) [b](vbscript:x) [c](data:text/html,x) <javascript:alert(1)> [d](ftp://example.org)');
    expect(html).not.toMatch(/<script|<img|href=/i);
    expect(html).toContain('<p>＜script＞alert(1)＜/script＞ ＜img src=x onerror=alert(1)＞</p>');
    expect(html).toContain('<p>a b c ＜javascript:alert(1)＞ d</p>');
  });

  it('leaves what DingTalk does not render as text: tables, code, strikethrough', () => {
    const html = renderDingTalkHtml('| a | b |\n|---|---|\n| 1 | 2 |\n\n`code` ~~gone~~\n\n```\nfenced\n```');
    expect(html).not.toMatch(/<table|<code|<pre|<s>/);
  });

  it('sets the @ line of a group reply apart, escaped', () => {
    expect(renderDingTalkHtml('答案\n\n@user<1>', ['user<1>'])).toBe('<p>答案</p>\n<p class="mention">@user&lt;1&gt;</p>\n');
    expect(renderDingTalkHtml('答案', ['user1'])).toBe('<p>答案</p>\n');
  });
});
