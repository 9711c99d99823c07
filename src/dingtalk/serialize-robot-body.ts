import { DINGTALK_MAX_BODY_BYTES } from './limits.js';
import type { RobotMessage } from './robot-client.js';
import { sanitizeMarkdown } from '../shared/sanitize-markdown.js';

/** The message as it is sent: a markdown message's title and text sanitised (sanitizeMarkdown); text messages are not Markdown. */
export function toWireMessage(message: RobotMessage): RobotMessage {
  if (message.msgtype !== 'markdown') return message;
  return { ...message, markdown: { title: sanitizeMarkdown(message.markdown.title), text: sanitizeMarkdown(message.markdown.text) } };
}

/**
 * The JSON text DingTalk receives for a message sent with `msgUuid`, sanitised. Throws a RangeError when it
 * is over DingTalk's 20,000-byte limit: shortening is the composer's job, and a refused message
 * is better found before sending than as an errcode.
 */
export function serializeRobotBody(message: RobotMessage, msgUuid: string): string {
  const json = JSON.stringify({ ...toWireMessage(message), msgUuid });
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > DINGTALK_MAX_BODY_BYTES) {
    throw new RangeError(`message body is ${bytes} bytes; DingTalk accepts at most ${DINGTALK_MAX_BODY_BYTES}`);
  }
  return json;
}
