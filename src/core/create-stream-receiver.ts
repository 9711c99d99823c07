import type { Logger } from '../logger.js';
import { CallbackPayloadError, parseCallback } from '../dingtalk/parse-callback.js';
import type { Metrics } from '../metrics/create-metrics.js';
import type { MessageCore, ReceiveOutcome } from './create-message-core.js';

/**
 * Outcomes after which a frame stays unacked, for DingTalk to push it again: to another
 * connection, or to this one once the state store answers (the HTTP callback's 503).
 */
const PUSH_AGAIN: ReadonlySet<ReceiveOutcome> = new Set(['state_unavailable', 'stopping', 'not_ready']);

/**
 * The Stream receiver's side of the core: a robot message's payload is parsed as a callback body
 * is and handed to the same core, which acks the frame once it has claimed the message. Its outcome
 * is counted in `callbacks_total` like a callback's.
 */
export function createStreamReceiver(deps: { core: MessageCore; logger: Logger; metrics?: Metrics | undefined }): (payload: unknown, ack: () => void) => void {
  const log = deps.logger.child({ module: 'stream' });
  return (payload, ack) => {
    let message;
    try {
      message = parseCallback(payload);
    } catch (err) {
      if (!(err instanceof CallbackPayloadError)) throw err;
      log.warn({ reason: err.message }, 'stream message payload rejected');
      deps.metrics?.callbacks.inc({ outcome: 'bad_request' });
      ack();
      return;
    }
    const { msgId } = message;
    deps.core.receive(message, { acknowledge: ack }).then(
      (outcome) => {
        if (PUSH_AGAIN.has(outcome)) {
          log.warn({ msgId, outcome }, 'stream message not taken: left unacked for DingTalk to push again');
          return;
        }
        ack();
        if (outcome !== 'accepted' && outcome !== 'duplicate') log.warn({ msgId, outcome }, 'stream message not answered');
      },
      (err: unknown) => {
        ack();
        log.error({ msgId, err: err instanceof Error ? err.message : String(err) }, 'stream message failed');
      },
    );
  };
}
