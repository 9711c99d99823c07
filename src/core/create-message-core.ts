import { composeFailureReply, handleMessage, replyContextFor, type BotAction, type ChatMessage, type Handled } from '../bot/handle-message.js';
import type { AdminAction } from '../bot/admin-report.js';
import { composeAdminReply } from '../bot/compose-admin-reply.js';
import type { BotReply } from '../bot/compose-reply.js';
import type { IncomingMessage } from '../dingtalk/parse-callback.js';
import { checkSessionWebhook } from '../dingtalk/check-session-webhook.js';
import { SessionReplyError } from '../dingtalk/send-session-reply.js';
import { DINGTALK_MAX_BODY_BYTES } from '../dingtalk/limits.js';
import type { CallbackOutcome, ReplyResult } from '../metrics/create-metrics.js';
import type { HttpDeps, Serving } from '../http/create-http-app.js';

/** What the core needs: the parts of the HTTP app's dependencies that answer a message. */
export type MessageCoreDeps = Pick<
  HttpDeps,
  | 'serving'
  | 'deduper'
  | 'suggestions'
  | 'pickLinks'
  | 'staleAfterYears'
  | 'replies'
  | 'now'
  | 'logger'
  | 'digest'
  | 'admins'
  | 'sendDigestNow'
  | 'digestSentAt'
  | 'metrics'
  | 'unanswered'
  | 'admin'
> & { dingtalk: Pick<HttpDeps['dingtalk'], 'robotCode' | 'sessionHosts'> };

/** What became of a message handed to the core; `accepted` alone is answered. */
export type ReceiveOutcome = Extract<CallbackOutcome, 'accepted' | 'duplicate' | 'wrong_robot' | 'stopping' | 'not_ready' | 'state_unavailable' | 'unauthorized'>;

export interface ReceiveOptions {
  /**
   * Run just before the msgId is claimed, in the same failure handling; false refuses the message
   * as `unauthorized`. The HTTP callback binds its signature to the msgId here.
   */
  guard?: () => Promise<boolean>;
  /** Called once the message is claimed, before its answer starts: the HTTP callback's 200. */
  acknowledge?: () => void;
}

/**
 * One path for every message, whichever receiver it came through (the HTTP callback, a Stream
 * frame): the robot-code check, the msgId claim in the state store (so a message delivered twice,
 * or to two instances, is answered once), then the answer, posted to the session webhook on its
 * allow-list. Receivers own their wire format and acknowledgement; the core never knows which one
 * a message came through.
 */
export interface MessageCore {
  /** Claims the message and starts answering it; resolves with the outcome (the answer goes on). */
  receive(message: IncomingMessage, options?: ReceiveOptions): Promise<ReceiveOutcome>;
  /** Resolves when every answer accepted so far has been sent or has failed. */
  idle(): Promise<void>;
  /** From now on messages are refused as `stopping`, before they are claimed. */
  drain(): void;
}

const ADMIN_ACTIONS: ReadonlySet<BotAction> = new Set<AdminAction>(['reload', 'status', 'unanswered', 'subscriptions']);
const isAdminAction = (action: BotAction | undefined): action is AdminAction => action !== undefined && ADMIN_ACTIONS.has(action);

export function createMessageCore(deps: MessageCoreDeps): MessageCore {
  const log = deps.logger.child({ module: 'core' });
  const inFlight = new Set<Promise<void>>();
  const metrics = deps.metrics;
  const countReply = (result: ReplyResult) => metrics?.replies.inc({ result });
  let draining = false;

  const outcome = (result: ReceiveOutcome): ReceiveOutcome => {
    metrics?.callbacks.inc({ outcome: result });
    return result;
  };

  const receive = async (message: IncomingMessage, options: ReceiveOptions = {}): Promise<ReceiveOutcome> => {
    if (deps.dingtalk.robotCode && message.robotCode !== deps.dingtalk.robotCode) {
      log.warn({ reason: 'robot-code' }, 'message for another robot refused');
      return outcome('wrong_robot');
    }
    if (draining) return outcome('stopping');
    const serving = deps.serving();
    if (!serving) return outcome('not_ready');
    let first: boolean;
    try {
      if (options.guard && !(await options.guard())) return outcome('unauthorized');
      first = await deps.deduper.claim(message.msgId, deps.now());
    } catch (err) {
      // Without the shared state the bot cannot tell a redelivery.
      log.error({ msgId: message.msgId, err: err instanceof Error ? err.message : String(err) }, 'message not accepted: the state store is unavailable');
      return outcome('state_unavailable');
    }
    if (!first) {
      log.info({ msgId: message.msgId }, 'redelivered message ignored');
      return outcome('duplicate');
    }
    options.acknowledge?.();
    const acknowledged = performance.now();
    const handling = answer(message, serving, acknowledged).finally(() => inFlight.delete(handling));
    inFlight.add(handling);
    return outcome('accepted');
  };

  /** Decides the reply, then posts it to the session webhook; never throws. */
  const answer = async (message: IncomingMessage, serving: Serving, acknowledged: number): Promise<void> => {
    const chat: ChatMessage = {
      text: message.text,
      msgtype: message.msgtype,
      isGroup: message.conversationType === 'group',
      isAdmin: message.isAdmin,
      conversationId: message.conversationId,
      ...(message.senderStaffId ? { senderStaffId: message.senderStaffId } : {}),
      ...(message.conversationTitle ? { conversationTitle: message.conversationTitle } : {}),
    };
    // A list belongs to one member in one chat; without a staff id nobody can pick from it.
    const pendingKey = message.senderStaffId ? `${message.conversationId}:${message.senderStaffId}` : undefined;
    let handled: Handled;
    try {
      handled = await handleMessage(chat, {
        answerer: serving.answerer,
        entries: serving.knowledge.entries,
        now: new Date(deps.now()),
        maxReplyBytes: DINGTALK_MAX_BODY_BYTES,
        digest: deps.digest,
        admins: deps.admins,
        ...(deps.digestSentAt ? { digestSentAt: deps.digestSentAt } : {}),
        ...(deps.pickLinks ? { pickLinks: true } : {}),
        ...(deps.staleAfterYears ? { staleAfterYears: deps.staleAfterYears } : {}),
        ...(pendingKey ? { pendingSuggestions: () => deps.suggestions.get(pendingKey, deps.now()) } : {}),
      });
    } catch (err) {
      log.error({ msgId: message.msgId, err: err instanceof Error ? err.message : String(err) }, 'answering failed');
      handled = composeFailureReply(chat, DINGTALK_MAX_BODY_BYTES);
    }
    const { reply, handledAs, action, question, suggested, subscription } = handled;
    metrics?.answers.inc({ handled_as: handledAs });
    metrics?.answerDuration.observe({ handled_as: handledAs }, (performance.now() - acknowledged) / 1000);
    if (action === 'send-digest' && deps.sendDigestNow) {
      // Not awaited: the digest may wait for the robot's rate limit; the reply should not.
      const sending = deps
        .sendDigestNow()
        .catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'digest on request failed'))
        .finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    }
    log.info({ msgId: message.msgId, conversation: message.conversationType, handledAs }, 'message handled');

    // Counted beside the reply, not before it: a shared log may wait for another instance.
    let recording = Promise.resolve();
    if (question !== undefined && (handledAs === 'abstain' || handledAs === 'suggest') && deps.unanswered) {
      // Only the chat's name is kept with the question: never who asked. A 1:1 chat is named by its kind.
      const where = message.conversationType === 'group' ? (message.conversationTitle ?? '群聊') : '私聊';
      recording = deps.unanswered
        .record({ text: question, chat: where, at: deps.now() })
        .catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'unanswered question not recorded'));
    }
    // Kept before the reply is posted, so a `1` sent as soon as the list shows finds it.
    if (suggested && pendingKey) {
      await deps.suggestions
        .set(pendingKey, suggested, deps.now())
        .catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'did-you-mean list not kept: a number cannot pick from it'));
    }
    // An admin command runs even when its reply cannot be delivered: a reload is still wanted.
    const admin = deps.admin;
    const answerOrReport: Promise<BotReply> =
      isAdminAction(action) && admin
        ? admin
            .run(action, subscription)
            .catch((err: unknown) => ({ action: 'failed' as const, failed: action, reason: err instanceof Error ? err.message : String(err) }))
            .then((report) => composeAdminReply(report, replyContextFor(chat, DINGTALK_MAX_BODY_BYTES)))
        : Promise.resolve(reply);

    const target = checkSessionWebhook(message.sessionWebhook, message.sessionWebhookExpiredTime, deps.dingtalk.sessionHosts, deps.now());
    if (!target.allowed) {
      log.warn({ msgId: message.msgId }, `no reply sent: ${target.refusal}`);
      countReply('not_allowed');
      await recording;
      return;
    }
    await Promise.all([answerOrReport.then((text) => postReply(target.webhook, text, message.msgId)), recording]);
  };

  const postReply = async (webhook: string, reply: BotReply, msgId: string): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.replies.send(webhook, reply);
        log.debug({ msgId, attempt }, 'reply sent');
        countReply('sent');
        return;
      } catch (err) {
        const retry = err instanceof SessionReplyError && err.retryable && attempt < 3;
        if (!retry) {
          log.warn({ msgId, attempt, err: err instanceof Error ? err.message : String(err) }, 'reply failed');
          countReply('failed');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  };

  return {
    receive,
    idle: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    drain() {
      draining = true;
    },
  };
}
