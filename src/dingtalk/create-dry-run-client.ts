import { randomUUID } from 'node:crypto';
import { RobotClientClosedError } from './robot-client-closed-error.js';
import type { RobotClient, RobotMessage } from './robot-client.js';
import { serializeRobotBody, toWireMessage } from './serialize-robot-body.js';

export interface DryRunClientOptions {
  /** Receives one chunk per message, ending with a newline. Default: `process.stdout.write`. */
  print?: (chunk: string) => void;
  /** Epoch ms for the receipt. Default `Date.now`. */
  now?: () => number;
  /** Makes a `msgUuid` when the message has none. Default `crypto.randomUUID`. */
  uuid?: () => string;
}

/**
 * A RobotClient that prints what would be sent instead of sending it, for a fresh clone without
 * robot credentials. It prints the message as sent (sanitised) and refuses oversized bodies like
 * the real client, so a dry run shows those too; it never prints the token or secret.
 */
export function createDryRunClient(options: DryRunClientOptions = {}): RobotClient {
  const print = options.print ?? ((chunk: string) => void process.stdout.write(chunk));
  const now = options.now ?? Date.now;
  const uuid = options.uuid ?? randomUUID;
  let closed = false;
  return {
    send(target, message) {
      if (closed) return Promise.reject(new RobotClientClosedError(target.group));
      const msgUuid = message.msgUuid ?? uuid();
      try {
        serializeRobotBody(message, msgUuid);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      print(`[dry-run] to group "${target.group}":\n${describe(toWireMessage(message))}\n`);
      return Promise.resolve({ group: target.group, msgUuid, attempts: 0, deliveredAt: now() });
    },
    idle: () => Promise.resolve(),
    drain() {
      closed = true;
      return Promise.resolve();
    },
    close() {
      closed = true;
    },
  };
}

function describe(message: RobotMessage): string {
  const lines = message.msgtype === 'markdown' ? [`title: ${message.markdown.title}`, message.markdown.text] : ['(text message)', message.text.content];
  const at = message.at;
  const mentions = [...(at?.atMobiles ?? []), ...(at?.atUserIds ?? [])];
  if (at?.isAtAll) mentions.push('everyone');
  if (mentions.length > 0) lines.push(`(mentions: ${mentions.join(', ')})`);
  return lines.join('\n');
}
