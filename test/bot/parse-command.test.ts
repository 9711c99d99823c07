import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/bot/parse-command.js';

describe('parseCommand', () => {
  it.each([
    ['帮助', { type: 'help' }],
    [' help ', { type: 'help' }],
    ['@小助手 帮助', { type: 'help' }],
    ['活动', { type: 'events' }],
    ['直播？', { type: 'events' }],
    ['周报', { type: 'digest' }],
    ['周报 发送', { type: 'digest-send' }],
    ['重新加载', { type: 'reload' }],
    [' reload。', { type: 'reload' }],
    ['@小助手 /reload', { type: 'reload' }],
    ['状态', { type: 'status' }],
    ['Status?', { type: 'status' }],
    ['待回答', { type: 'unanswered' }],
    ['unanswered！', { type: 'unanswered' }],
    ['状态码 502 是什么意思', { type: 'question', text: '状态码 502 是什么意思' }],
    ['最新版本 Seata', { type: 'latest-release', project: 'Seata' }],
    ['最新版本 sofa-rpc', { type: 'latest-release', project: 'sofa-rpc' }],
    ['SOFARPC 5.7.6', { type: 'release', project: 'SOFARPC', version: '5.7.6' }],
    ['jraft v1.3.0', { type: 'release', project: 'jraft', version: 'v1.3.0' }],
    ['请问 seata 的全局锁怎么用', { type: 'question', text: 'seata 的全局锁怎么用' }],
    ['活动什么时候开始报名', { type: 'question', text: '活动什么时候开始报名' }],
    ['1', { type: 'pick', index: 1 }],
    ['@小助手 2', { type: 'pick', index: 2 }],
    ['３', { type: 'pick', index: 3 }],
    ['第一个', { type: 'pick', index: 1 }],
    ['第三条。', { type: 'pick', index: 3 }],
    ['第2个', { type: 'pick', index: 2 }],
    ['选1', { type: 'pick', index: 1 }],
    ['选第二个', { type: 'pick', index: 2 }],
    ['10', { type: 'question', text: '10' }],
    ['1 个节点够吗', { type: 'question', text: '1 个节点够吗' }],
  ])('%s', (text, command) => {
    expect(parseCommand(text)).toEqual(command);
  });
});

describe('parseCommand on subscriptions', () => {
  it.each([
    ['订阅 周报', { type: 'subscribe', kinds: ['digest'] }],
    ['@小助手 订阅 提醒', { type: 'subscribe', kinds: ['reminders'] }],
    ['订阅 管理', { type: 'subscribe', kinds: ['admin'] }],
    ['订阅 周报 提醒', { type: 'subscribe', kinds: ['digest', 'reminders'] }],
    ['订阅 提醒、周报', { type: 'subscribe', kinds: ['digest', 'reminders'] }],
    ['subscribe digest', { type: 'subscribe', kinds: ['digest'] }],
    ['Subscribe reminders admin', { type: 'subscribe', kinds: ['reminders', 'admin'] }],
    ['退订 提醒', { type: 'unsubscribe', kinds: ['reminders'] }],
    ['取消订阅 管理', { type: 'unsubscribe', kinds: ['admin'] }],
    ['unsubscribe all', { type: 'unsubscribe', kinds: ['digest', 'reminders', 'admin'] }],
    ['退订', { type: 'unsubscribe', kinds: ['digest', 'reminders', 'admin'] }],
    ['订阅', { type: 'subscriptions' }],
    ['subscribe', { type: 'subscriptions' }],
    ['订阅？', { type: 'subscriptions' }],
  ])('reads %j', (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });

  it.each(['订阅 SOFA Weekly 怎么弄', '订阅号在哪里', 'subscribe to the mailing list'])('keeps %j a question', (text) => {
    expect(parseCommand(text).type).toBe('question');
  });
});

describe('parseCommand on hostile input', () => {
  it('keeps a long run of punctuation inside a message as part of the question', () => {
    // The message that held the callback thread for about 4 s with the old trailing-punctuation regex
    // (the time is measured outside the tests; see the issue note).
    const text = `a${'.'.repeat(60_000)}b`;
    expect(parseCommand(text)).toEqual({ type: 'question', text });
  });

  it('still trims trailing punctuation and white space before matching a command', () => {
    expect(parseCommand('帮助？！。 . ')).toEqual({ type: 'help' });
    expect(parseCommand(`活动${'？'.repeat(5000)}`)).toEqual({ type: 'events' });
  });
});

describe('parseCommand on small talk', () => {
  it.each([
    ['你好', 'greeting'],
    ['@问答机器人 ', 'greeting'],
    ['早上好各位大佬～', 'greeting'],
    ['大家好！', 'greeting'],
    ['hi', 'greeting'],
    ['在吗？', 'greeting'],
    ['谢谢大佬', 'thanks'],
    ['非常感谢！！', 'thanks'],
    ['thank you', 'thanks'],
    ['辛苦了', 'thanks'],
    ['👍', 'praise'],
    ['太厉害了', 'praise'],
    ['666', 'praise'],
    ['[强][强]', 'praise'],
    ['。。。', 'greeting'],
  ])('reads %j as small talk (%s)', (text, kind) => {
    expect(parseCommand(text)).toEqual({ type: 'small-talk', kind });
  });

  it.each(['你好，请问 seata 怎么配置', '谢谢，再问一下 jraft 怎么扩容', 'hello world 是什么', 'sofa 好厉害的框架支持 grpc 吗', '1.4.2'])('keeps %j a question', (text) => {
    expect(parseCommand(text).type).not.toBe('small-talk');
  });

  it('still reads a bare question mark as a request for help', () => {
    expect(parseCommand('？')).toEqual({ type: 'help' });
    expect(parseCommand('?')).toEqual({ type: 'help' });
  });
});
