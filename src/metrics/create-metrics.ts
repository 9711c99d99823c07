import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HANDLED_AS } from '../bot/handle-message.js';
import { ENTRY_KINDS } from '../knowledge/entry.js';

/** What became of a callback, by the status it got. */
export const CALLBACK_OUTCOMES = [
  'accepted', // 200, answered
  'duplicate', // 200, a redelivered msgId, not answered again
  'unauthorized', // 401, bad or missing signature
  'too_large', // 413, body over 64 KB
  'bad_request', // 400 (or 415), malformed JSON or payload
  'wrong_robot', // 403, a callback for another robot
  'not_ready', // 503, knowledge still loading
  'stopping', // 503, the bot is shutting down
  'state_unavailable', // 503, the state store (Redis) did not answer
  'error', // 500
] as const;
export type CallbackOutcome = (typeof CALLBACK_OUTCOMES)[number];

/** What became of a reply to a session webhook. */
export const REPLY_RESULTS = ['sent', 'failed', 'not_allowed'] as const;
export type ReplyResult = (typeof REPLY_RESULTS)[number];

/** Our own metrics carry this prefix; the process metrics keep their standard names. */
export const METRIC_PREFIX = 'dingtalk_qa_bot_';

/**
 * The bot's metrics, registered in a registry of their own (not prom-client's global one), so
 * several apps can live in one process, as in the tests. Label values come from fixed lists or the
 * configured group names: never a token, secret, URL or message text.
 */
export interface Metrics {
  registry: Registry;
  callbacks: Counter<'outcome'>;
  answers: Counter<'handled_as'>;
  /** Seconds from a callback's acknowledgement to its reply being decided. */
  answerDuration: Histogram<'handled_as'>;
  replies: Counter<'result'>;
  /** Every HTTP attempt to post to a group: errcode "0" for accepted, DingTalk's errcode, or "network". */
  robotSends: Counter<'group' | 'errcode'>;
  outboxDepth: Gauge;
  knowledgeEntries: Gauge<'kind'>;
  knowledgeErrors: Gauge;
  /** Knowledge builds running or waiting (0–2): edits arrived and are not answered from yet. */
  knowledgeBuildsPending: Gauge;
  /** Runs `update` before each scrape, for gauges read from the app's state. */
  onCollect(update: () => void): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  // Process CPU, memory, heap, event-loop lag, GC.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const collectors: (() => void)[] = [];
  const metrics: Metrics = {
    registry,
    callbacks: new Counter({ name: `${METRIC_PREFIX}callbacks_total`, help: 'DingTalk callbacks received, by outcome', labelNames: ['outcome'], registers }),
    answers: new Counter({ name: `${METRIC_PREFIX}answers_total`, help: 'Messages handled, by how (answer, suggest, abstain, help, ...)', labelNames: ['handled_as'], registers }),
    answerDuration: new Histogram({
      name: `${METRIC_PREFIX}answer_duration_seconds`,
      help: 'Time from acknowledging a callback to its reply being decided',
      labelNames: ['handled_as'],
      // Answering takes about 0.1-2 ms; the top buckets catch an engine restarting or timing out (10 s).
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    }),
    replies: new Counter({ name: `${METRIC_PREFIX}replies_total`, help: 'Replies to session webhooks, by result', labelNames: ['result'], registers }),
    robotSends: new Counter({
      name: `${METRIC_PREFIX}robot_sends_total`,
      help: 'HTTP attempts to post to a group robot (retries included), by group and DingTalk errcode ("network" when no answer came)',
      labelNames: ['group', 'errcode'],
      registers,
    }),
    outboxDepth: new Gauge({ name: `${METRIC_PREFIX}outbox_depth`, help: 'Scheduled posts written to the outbox and not finished yet', registers }),
    knowledgeEntries: new Gauge({ name: `${METRIC_PREFIX}knowledge_entries`, help: 'Knowledge entries served, by kind', labelNames: ['kind'], registers }),
    knowledgeErrors: new Gauge({ name: `${METRIC_PREFIX}knowledge_errors`, help: 'Knowledge problems of error severity (files or parts not served)', registers }),
    knowledgeBuildsPending: new Gauge({
      name: `${METRIC_PREFIX}knowledge_builds_pending`,
      help: 'Knowledge index builds running or queued (0 to 2); the last good knowledge answers meanwhile',
      registers,
      collect: () => {
        for (const update of collectors) update();
      },
    }),
    onCollect: (update) => collectors.push(update),
  };
  // Every fixed label value from zero, so a rate over a series that has not happened yet is 0, not absent.
  for (const outcome of CALLBACK_OUTCOMES) metrics.callbacks.inc({ outcome }, 0);
  for (const handledAs of HANDLED_AS) metrics.answers.inc({ handled_as: handledAs }, 0);
  for (const result of REPLY_RESULTS) metrics.replies.inc({ result }, 0);
  for (const kind of ENTRY_KINDS) metrics.knowledgeEntries.set({ kind }, 0);
  return metrics;
}
