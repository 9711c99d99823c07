import { APP_ROBOT_MAX_PARAM_BYTES } from './limits.js';
import type { RobotMessage } from './robot-client.js';
import { toWireMessage } from './serialize-robot-body.js';

/**
 * The JSON text `groupMessages/send` receives: the message as a `sampleMarkdown` or `sampleText`
 * template, sanitised like a webhook message, its `msgParam` a JSON string. Throws a RangeError
 * when `msgParam` is over DingTalk's 15,000 bytes. `@` mentions are not carried: the template
 * messages have no `at` field.
 */
export function serializeAppRobotBody(message: RobotMessage, robotCode: string, openConversationId: string): string {
  const wire = toWireMessage(message);
  const [msgKey, param] = wire.msgtype === 'markdown' ? ['sampleMarkdown', { title: wire.markdown.title, text: wire.markdown.text }] : ['sampleText', { content: wire.text.content }];
  const msgParam = JSON.stringify(param);
  const bytes = Buffer.byteLength(msgParam, 'utf8');
  if (bytes > APP_ROBOT_MAX_PARAM_BYTES) throw new RangeError(`msgParam is ${bytes} bytes; DingTalk accepts at most ${APP_ROBOT_MAX_PARAM_BYTES}`);
  return JSON.stringify({ robotCode, openConversationId, msgKey, msgParam });
}
