import { describe, expect, it } from 'vitest';
import { isAllowedUrl, sanitizeMarkdown, unsafeMarkdown } from '../../src/shared/sanitize-markdown.js';
import { plainMarkdownText } from '../../src/shared/plain-markdown-text.js';

describe('sanitizeMarkdown', () => {
  it.each([
    ['javascript:', '[x](javascript:alert(1))', 'x'],
    ['data:', '[y](data:text/html;base64,PHNjcmlwdD4=)', 'y'],
    ['vbscript:', '[z](vbscript:msgbox(1))', 'z'],
    ['file:', '[f](file:///etc/passwd)', 'f'],
    ['mixed case', '[w](JaVaScRiPt:alert(1))', 'w'],
    ['an entity in the scheme', '[v](java&#115;cript:alert(1))', 'v'],
    ['a hex entity and a colon entity', '[v](&#x6A;avascript&colon;alert(1))', 'v'],
    ['a leading tab', '[u](\tjavascript:alert(1))', 'u'],
    ['leading spaces and a newline', '[u](  \n javascript:alert(1) )', 'u'],
    ['an angle-bracket target', '[t](<javascript:alert(1)>)', 't'],
    ['a title', '[t](javascript:alert(1) "title")', 't'],
    ['an escaped character in the target', '[t](javascript\\:alert(1))', 't'],
    ['ftp', '[c](ftp://example.org/x)', 'c'],
    ['mailto', '[m](mailto:a@example.org)', 'm'],
    ['a relative target', '[r](/docs/x) [h](#top) [e]()', 'r h e'],
    ['an image with a data: source', '![pic](data:image/png;base64,AAAA)', 'pic'],
    ['an image with a script source', '![pic](javascript:alert(1))', 'pic'],
    ['an autolink (shown as text)', 'go <javascript:alert(1)> now', 'go ＜javascript:alert(1)＞ now'],
    ['an upper-case autolink', '<JAVASCRIPT:alert(1)>', '＜JAVASCRIPT:alert(1)＞'],
    ['a data: autolink', '<data:text/html,x>', '＜data:text/html,x＞'],
    ['an e-mail autolink', 'mail <a@example.org> <1@example.org>', 'mail ＜a@example.org＞ ＜1@example.org＞'],
    ['a brand that reads as an autolink', '<SOFA:Channel/>线上直播', '＜SOFA:Channel/＞线上直播'],
    ['a link in a link label', '[a [b](javascript:x) c](https://example.org)', '[a b c](https://example.org)'],
    ['a bad link around an image', '[![i](https://example.org/i.png)](javascript:x)', '![i](https://example.org/i.png)'],
    ['HTML in a kept link label', '[<img src=x onerror=alert(1)>](https://example.org)', '[＜img src=x onerror=alert(1)＞](https://example.org)'],
    ['a link inside backticks (DingTalk may not render code spans)', '`[x](javascript:alert(1))`', '`x`'],
  ])('unmakes a link to another scheme: %s', (_, input, expected) => {
    expect(sanitizeMarkdown(input)).toBe(expected);
  });

  it.each([
    ['img onerror', '<img src=x onerror=alert(1)>', '＜img src=x onerror=alert(1)＞'],
    ['script', '<script>alert(1)</script>', '＜script＞alert(1)＜/script＞'],
    ['an attribute over lines', '<a\nhref="javascript:alert(1)">x</a>', '＜a\nhref="javascript:alert(1)">x＜/a＞'],
    ['an unclosed HTML block', '<div\nonmouseover=alert(1)', '＜div\nonmouseover=alert(1)'],
    ['a comment', '<!-- hidden -->', '＜!-- hidden --＞'],
    ['a processing instruction and a declaration', '<?php x ?> <!DOCTYPE html>', '＜?php x ?＞ ＜!DOCTYPE html＞'],
    ['an escaped <', '\\<script>', '\\＜script＞'],
    ['a tag inside backticks', '`<script>`', '`＜script＞`'],
    ['Java generics', 'List<String> and Map<K, V>', 'List＜String＞ and Map＜K, V＞'],
    ['XML', '<dependency>\n  <groupId>com.alipay.sofa</groupId>\n</dependency>', '＜dependency＞\n  ＜groupId＞com.alipay.sofa＜/groupId＞\n＜/dependency＞'],
    ['a tag in a quote keeps the quote', '> <b>注意</b>', '> ＜b＞注意＜/b＞'],
  ])('shows raw HTML as text: %s', (_, input, expected) => {
    expect(sanitizeMarkdown(input)).toBe(expected);
  });

  it.each([
    ['an https link', '[SOFA 文档](https://www.sofastack.tech/docs/)'],
    ['an http link', '[旧站](http://example.org/a?b=1&c=2#d)'],
    ['a dtmd action', '[再问一次](dtmd://dingtalkclient/sendMessage?content=%E6%B4%BB%E5%8A%A8)'],
    ['a dingtalk side-panel link', '[打开](dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fexample.org&pc_slide=true)'],
    ['an image', '![图](https://example.org/a.png)'],
    ['an https autolink', '<https://example.org/x>'],
    ['Chinese text, punctuation and full-width brackets', '支持，见【文档】：“全局锁”（行级）。'],
    ['a Chinese URL path', '[维基](https://zh.wikipedia.org/wiki/分布式事务)'],
    ['code spans and emphasis', '使用 `sofa.rpc.timeout`，**注意** *默认* 3000 ms'],
    ['comparisons', 'a < b, a <= b, 3 > 2, a -> b'],
    ['headings, lists, quotes and rules', '#### 标题\n\n- 一\n1. 二\n\n> 引用\n\n---'],
    ['a reference link to https', '[文档][1]\n\n[1]: https://example.org/doc'],
    ['escaped brackets', '\\[不是链接\\](https://example.org)'],
    ['a group mention', '答案\n\n@user0042'],
  ])('leaves legitimate content as written: %s', (_, input) => {
    expect(sanitizeMarkdown(input)).toBe(input);
  });

  it('keeps a target as written, unless escapes, entities or <…> change how it reads: then percent-encoded; titles dropped', () => {
    expect(sanitizeMarkdown('[w](https://en.wikipedia.org/wiki/Raft_(algorithm) "Raft")')).toBe('[w](https://en.wikipedia.org/wiki/Raft_(algorithm))');
    expect(sanitizeMarkdown('![图](https://gw.alipayobjects.com/mdn/rms_1c90e8/afts/img/A*JoJmSbwhZAoAAAAAAAAAAAAAARQnAQ)')).toBe('![图](https://gw.alipayobjects.com/mdn/rms_1c90e8/afts/img/A*JoJmSbwhZAoAAAAAAAAAAAAAARQnAQ)');
    expect(sanitizeMarkdown('[w](https://example.org/\\(x\\))')).toBe('[w](https://example.org/%28x%29)');
    expect(sanitizeMarkdown('[w](<https://example.org/a b*c>)')).toBe('[w](https://example.org/a%20b%2Ac)');
    expect(sanitizeMarkdown('[w](https://example.org/?a=1&amp;b=2)')).toBe('[w](https://example.org/?a=1&b=2)');
  });

  it('breaks what only a looser parser would link: escaped brackets, references, bad targets', () => {
    expect(sanitizeMarkdown('\\[x\\](javascript:alert(1))')).toBe('\\[x\\] (javascript:alert(1))');
    expect(sanitizeMarkdown('[x](javascript:alert(1) trailing)')).toBe('[x] (javascript:alert(1) trailing)');
    expect(sanitizeMarkdown('[x][1]\n\n[1]: javascript:alert(1)')).toBe('[x][1]\n\n[1]： javascript:alert(1)');
    expect(sanitizeMarkdown('> - [1]:\n  <vbscript:x>')).toBe('> - [1]：\n  ＜vbscript:x＞');
    expect(sanitizeMarkdown('[x][1]\n\n[1]: /relative')).toBe('[x][1]\n\n[1]： /relative');
    expect(sanitizeMarkdown('[x][1]\n\n[1]: java&#115;cript:alert(1)')).toBe('[x][1]\n\n[1]： java&#115;cript:alert(1)');
  });

  it('leaves nothing CommonMark reads as raw HTML or a link to another scheme, and is idempotent', () => {
    const hostile = [
      '[x](javascript:alert(1)) [y](data:text/html,x) <img src=x onerror=alert(1)> <script>alert(1)</script>',
      '\\[x\\](javascript:alert(1)) [r][1] [s]\n\n[1]: javascript:alert(1)\n[s]: <vbscript:x> "t"',
      '<div\nonclick=alert(1)>\n\n<javascript:alert(1)> ![i](data:image/svg+xml,x) `<svg onload=alert(1)>`',
      '[a](<java script:x>) [b](ja\nvascript:x) [c](&#106;avascript:x) [d](javascript&#58;x) [[e](javascript:x)](javascript:y)',
    ].join('\n\n');
    expect(unsafeMarkdown(hostile).length).toBeGreaterThan(5);
    const safe = sanitizeMarkdown(hostile);
    expect(unsafeMarkdown(safe)).toEqual([]);
    expect(safe).not.toMatch(/<[A-Za-z/!?]/);
    expect(sanitizeMarkdown(safe)).toBe(safe);
  });

  it('takes all markup from what the scan cannot follow: a link spread over quoted lines', () => {
    const input = '> [x](relative\n> ) and [ok](https://example.org)';
    expect(unsafeMarkdown(input)).toEqual(['relative']);
    expect(sanitizeMarkdown(input)).toBe('＞ 【x】(relative\n＞ ) and 【ok】(https://example.org)');
  });

  it('normalises line endings and NUL as CommonMark does', () => {
    expect(sanitizeMarkdown('a\r\nb\rc\0')).toBe('a\nb\nc\uFFFD');
  });

  it('stays fast on pathological input (a loose guard; the message is at most 20,000 bytes)', () => {
    for (const input of ['['.repeat(20_000), '!['.repeat(10_000), '<a'.repeat(10_000), '[x]('.repeat(5_000), `${'!['.repeat(3_000)}x${'](https://a.org)'.repeat(3_000)}`]) {
      const started = performance.now();
      const safe = sanitizeMarkdown(input);
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(unsafeMarkdown(safe)).toEqual([]);
    }
  });
});

describe('isAllowedUrl', () => {
  it('allows http, https, dtmd and dingtalk, in any case, and nothing else', () => {
    // `https:/github.com/…` (one slash, in the archive) is still an https link to a browser.
    expect(['https://a.org', 'HTTP://a.org', 'https:/a.org', 'dtmd://dingtalkclient/sendMessage?content=x', 'DingTalk://dingtalkclient/page/link?url=x'].every(isAllowedUrl)).toBe(true);
    expect(['javascript:alert(1)', ' https://a.org', 'ht tps://a.org', 'httpx://a.org', '//a.org', '/a', 'mailto:a@b.c', 'data:image/png;base64,AA', 'ftp://a.org'].some(isAllowedUrl)).toBe(false);
  });
});

describe('plainMarkdownText', () => {
  it.each([
    ['newlines (one line)', 'a\nb\r\n\tc', 'a b c'],
    ['a link', '[link](https://evil.example)', '【link】(https://evil.example)'],
    ['an image', '![x](https://evil.example/x.png)', '!【x】(https://evil.example/x.png)'],
    ['HTML and an autolink', '<img src=x onerror=alert(1)> <https://evil.example>', '＜img src=x onerror=alert(1)＞ ＜https://evil.example＞'],
    ['bold and code', '**bold** `code`', 'bold code'],
    ['a leading heading', '# 标题', '＃ 标题'],
    ['a leading quote', '> 引用', '＞ 引用'],
    ['a leading list item', '- 项 / + 项', '－ 项 / + 项'],
    ['a leading rule', '---', '－--'],
    ['a leading ordered item', '1. 项', '1． 项'],
    ['a version is no list', '1.4.0 发布', '1.4.0 发布'],
    ['a file path', '/tmp/knowledge/faq/a_b-c.md:3: unknown field "alias"', '/tmp/knowledge/faq/a_b-c.md:3: unknown field "alias"'],
  ])('%s', (_, input, expected) => {
    expect(plainMarkdownText(input)).toBe(expected);
  });

  it('leaves nothing a parser reads as a link, HTML or a block inside a list item', () => {
    const hostile = 'evil\n- [link](https://evil.example)\n# 标题 <b>x</b>\n> q';
    const line = `- ${plainMarkdownText(hostile)}`;
    expect(line.split('\n')).toHaveLength(1);
    expect(unsafeMarkdown(line)).toEqual([]);
    expect(line).not.toMatch(/\[|\]|<|>/);
  });
});
