import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/bot/parse-command.js';
import { questionOf } from '../../src/bot/question-of.js';

describe('questionOf', () => {
  it.each([
    ['jraft 支持 multi raft 吗', 'jraft 支持 multi raft 吗'],
    ['最新版本 Seata', 'Seata 最新版本'],
    ['SOFARPC 5.7.6', 'SOFARPC 5.7.6'],
    ['帮助', undefined],
    ['活动', undefined],
    ['周报', undefined],
    ['周报 发送', undefined],
  ])('asks the engine for "%s": %s', (text, question) => {
    expect(questionOf(parseCommand(text))).toBe(question);
  });
});
