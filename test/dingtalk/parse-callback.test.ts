import { describe, expect, it } from 'vitest';
import { parseCallback, CallbackPayloadError } from '../../src/dingtalk/parse-callback.js';

// The group example of the protocol reference, section 2.5.
const group = {
  msgtype: 'text',
  text: { content: ' how do I join the Saturday meetup?' },
  msgId: 'msgQx1example0001==',
  createAt: 1717400000000,
  conversationType: '2',
  conversationId: 'cidGroupExample123==',
  conversationTitle: 'Community Q&A',
  senderId: '$:LWCP_v1:$senderExampleAAA',
  senderNick: 'Li Lei',
  senderStaffId: 'user0042',
  isAdmin: false,
  chatbotUserId: '$:LWCP_v1:$robotExampleBBB',
  atUsers: [{ dingtalkId: '$:LWCP_v1:$robotExampleBBB' }],
  isInAtList: true,
  sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=0123abcdexample',
  sessionWebhookExpiredTime: 1717405400000,
  robotCode: 'dingrobotexample01',
  senderPlatform: 'Mac',
};

describe('parseCallback', () => {
  it('reads a group text message, ignoring fields it does not use', () => {
    expect(parseCallback(group)).toEqual({
      msgId: 'msgQx1example0001==',
      msgtype: 'text',
      text: ' how do I join the Saturday meetup?',
      conversationType: 'group',
      conversationId: 'cidGroupExample123==',
      conversationTitle: 'Community Q&A',
      senderNick: 'Li Lei',
      senderStaffId: 'user0042',
      isAdmin: false,
      robotCode: 'dingrobotexample01',
      sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=0123abcdexample',
      sessionWebhookExpiredTime: 1717405400000,
    });
  });

  it('reads a 1:1 message and numeric strings for times', () => {
    const { conversationTitle: _t, atUsers: _a, isInAtList: _i, ...direct } = group;
    const parsed = parseCallback({ ...direct, conversationType: '1', sessionWebhookExpiredTime: '1717405500000' });
    expect(parsed).toMatchObject({ conversationType: 'private', sessionWebhookExpiredTime: 1717405500000 });
  });

  it('joins the text of rich text and takes speech recognition for audio', () => {
    expect(parseCallback({ ...group, msgtype: 'richText', text: undefined, content: { richText: [{ text: 'Is this' }, { type: 'picture', downloadCode: 'x' }, { text: 'the venue?' }] } }).text).toBe('Is this the venue?');
    expect(parseCallback({ ...group, msgtype: 'audio', text: undefined, content: { recognition: '下次直播什么时候', downloadCode: 'x' } }).text).toBe('下次直播什么时候');
    expect(parseCallback({ ...group, msgtype: 'picture', text: undefined, content: { downloadCode: 'x' } }).text).toBe('');
  });

  it.each([
    ['not an object', 'hello'],
    ['null', null],
    ['an array', [group]],
    ['no msgId', { ...group, msgId: undefined }],
    ['a numeric conversationType', { ...group, conversationType: 2 }],
    ['an unknown conversationType', { ...group, conversationType: '3' }],
    ['a huge msgId', { ...group, msgId: 'x'.repeat(10_000) }],
    ['text that is not a string', { ...group, text: { content: 42 } }],
  ])('refuses %s', (_, body) => {
    expect(() => parseCallback(body)).toThrow(CallbackPayloadError);
  });
});
