import { describe, expect, it } from 'vitest';
import { cleanLine, extractLinks, trimEncodedProse } from '../../src/knowledge/import-weekly/lines.js';

describe('archive link repair', () => {
  const swallowed = 'https://www.sofastack.tech/projects/sofa-rpc/generic-invoke%EF%BC%8C%E4%BB%A3%E7%A0%81%E5%A6%82%E4%B8%8B%EF%BC%9A';

  it('ends a link target before the full-width punctuation percent-encoded into it', () => {
    expect(trimEncodedProse(swallowed)).toBe('https://www.sofastack.tech/projects/sofa-rpc/generic-invoke');
    expect(trimEncodedProse('https://example.com/a%E3%80%82b')).toBe('https://example.com/a');
  });

  it('keeps targets whose encoded characters are not prose punctuation', () => {
    const chinesePath = 'https://example.com/%E4%BB%A3%E7%A0%81';
    expect(trimEncodedProse(chinesePath)).toBe(chinesePath);
    expect(trimEncodedProse('https://github.com/sofastack/sofa-rpc/issues/1')).toBe('https://github.com/sofastack/sofa-rpc/issues/1');
  });

  it('repairs the link in the text and in the links it yields', () => {
    const line = `> 官网的泛化调用 Demo 地址为[https://www.sofastack.tech/projects/sofa-rpc/generic-invoke](${swallowed})，代码如下：`;
    expect(cleanLine(line)).toBe(
      '官网的泛化调用 Demo 地址为[https://www.sofastack.tech/projects/sofa-rpc/generic-invoke](https://www.sofastack.tech/projects/sofa-rpc/generic-invoke)，代码如下：',
    );
    expect(extractLinks(line).map((l) => l.url)).toEqual(['https://www.sofastack.tech/projects/sofa-rpc/generic-invoke']);
  });
});
