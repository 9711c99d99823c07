import { describe, expect, it } from 'vitest';
import { splitAsked } from '../../src/search/split-asked.js';

describe('splitAsked', () => {
  it('takes the sentences before the first question as context', () => {
    expect(splitAsked('文档说设置为 false 有死锁风险。版本是 1.4.2。请问是参数开启会有风险，还是加 for update 也会？还有别的办法吗？')).toEqual({
      context: '文档说设置为 false 有死锁风险。版本是 1.4.2。',
      asked: '请问是参数开启会有风险，还是加 for update 也会？还有别的办法吗？',
    });
  });

  it('reads half-width question marks and a line break as the ends of sentences', () => {
    expect(splitAsked('I run 3 nodes on k8s\nwhy does the leader change?')).toEqual({ context: 'I run 3 nodes on k8s\n', asked: 'why does the leader change?' });
  });

  it('leaves a question that starts by asking, or never asks with a question mark, whole', () => {
    expect(splitAsked('Seata 支持 XA 吗？我用的是 Oracle。')).toEqual({ context: '', asked: 'Seata 支持 XA 吗？我用的是 Oracle。' });
    expect(splitAsked('RheaKV 中这样移除一个节点不行。日志里没有报错')).toEqual({ context: '', asked: 'RheaKV 中这样移除一个节点不行。日志里没有报错' });
    expect(splitAsked('')).toEqual({ context: '', asked: '' });
  });
});
