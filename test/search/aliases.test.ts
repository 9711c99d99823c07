// An alias is another way to match an entry's question, never a larger question to cover: adding
// aliases must not make the entry a weaker answer to its own question. The knowledge is written
// for these tests.
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../helpers/knowledge-fixture.js';

const faq = (question: string, answer: string, aliases: string[] = []) =>
  `---\nquestion: ${JSON.stringify(question)}\nproject: SOFARPC\n${aliases.length > 0 ? `aliases:\n${aliases.map((a) => `  - ${JSON.stringify(a)}`).join('\n')}\n` : ''}---\n${answer}\n`;

const OTHERS = {
  'faq/registry.md': faq('SOFARPC 怎么配置注册中心地址？', '在 registry 里配置 address。'),
  'faq/serialization.md': faq('SOFARPC 支持哪些序列化方式？', 'hessian2、protobuf 和 json。'),
};
const ALIASES = ['rpc 调用超时时间在哪里改', 'consumer 的 timeout 属性默认多少毫秒', '报 SofaTimeOutException 要调大什么'];
const now = new Date('2024-05-20T12:00:00+08:00');

async function topFor(question: string, aliases: string[]) {
  const { answerer } = await loadFixture({ 'faq/timeout.md': faq('SOFARPC 怎么设置调用超时时间？', '在 consumer 上配置 timeout 属性，单位毫秒，默认 3000。', aliases), ...OTHERS });
  return answerer.rank(question, now).matches[0];
}

describe('aliases', () => {
  it('leave the coverage of the question they were added to whole', async () => {
    const without = await topFor('SOFARPC 怎么设置调用超时时间', []);
    const withAliases = await topFor('SOFARPC 怎么设置调用超时时间', ALIASES);
    expect(withAliases?.entry.id).toBe('faq/timeout');
    expect(withAliases?.features?.titleCoverage).toBe(without?.features?.titleCoverage);
    expect(withAliases?.features?.titleCoverage).toBe(1);
  });

  it('are each covered on their own: a question that repeats one covers all of it', async () => {
    const match = await topFor('consumer 的 timeout 属性默认多少毫秒', ALIASES);
    expect(match?.entry.id).toBe('faq/timeout');
    expect(match?.features?.titleCoverage).toBe(1);
  });
});
