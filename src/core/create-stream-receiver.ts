import type { Logger } from '../logger.js';
import { CallbackPayloadError, parseCallback } from '../dingtalk/parse-callback.js';
import type { Metrics } from '../metrics/create-metrics.js';
import type { MessageCore } from './create-message-core.js';

/**
 * The Stream receiver's side of the core: a robot message's payload (its frame already acked by
 * the Stream client) is parsed as a callback body is and handed to the same core. Its outcome is
 * counted in `callbacks_total` like a callback's.
 */
export function createStreamReceiver(deps: { core: MessageCore; logger: Logger; metrics?: Metrics | undefined }): (payload: unknown) => void {
  const log = deps.logger.child({ module: 'stream' });
  return (payload) => {
    let message;
    try {
      message = parseCallback(payload);
    } catch (err) {
      if (!(err instanceof CallbackPayloadError)) throw err;
      log.warn({ reason: err.message }, 'stream message payload rejected');
      deps.metrics?.callbacks.inc({ outcome: 'bad_request' });
      return;
    }
    const { msgId } = message;
    deps.core.receive(message).then(
      (outcome) => {
        // No redelivery can be asked for over the stream: a message refused here is not answered.
        if (outcome !== 'accepted' && outcome !== 'duplicate') log.warn({ msgId, outcome }, 'stream message not answered');
      },
      (err: unknown) => log.error({ msgId, err: err instanceof Error ? err.message : String(err) }, 'stream message failed'),
    );
  };
}
