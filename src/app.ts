import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { DateTime } from 'luxon';
import type { Config } from './config/load-config.js';
import { POST_KINDS, type PostKind } from './config/config-schema.js';
import type { Logger } from './logger.js';
import type { KnowledgeLoad } from './knowledge/load-knowledge.js';
import { createKnowledgeStore } from './knowledge/create-knowledge-store.js';
import { ENTRY_KINDS, formatProblem } from './knowledge/entry.js';
import { summarizeKnowledge } from './knowledge/summarize-knowledge.js';
import { coalesceLatest } from './shared/coalesce-latest.js';
import { createAnswerWorker } from './search/create-answer-worker.js';
import { createRemoteQuestionAnalyser } from './search/create-remote-question-analyser.js';
import { createHttpApp, type HttpApp, type HttpDeps, type Serving } from './http/create-http-app.js';
import type { AdminAction, AdminOperations, AdminReport, SubscriptionRequest } from './bot/admin-report.js';
import { createFileStateStore } from './state/create-file-state-store.js';
import { createRedisStateStore } from './state/create-redis-state-store.js';
import type { StateStore, Subscription, Subscriptions } from './state/state-store.js';
import type { PostStore } from './state/create-post-store.js';
import type { UnansweredLog } from './state/unanswered-log.js';
import { createScheduler, type Scheduler, type ScheduledGroup } from './schedule/create-scheduler.js';
import { createKnowledgeAlerts } from './schedule/create-knowledge-alerts.js';
import { createRobotClient } from './dingtalk/create-robot-client.js';
import { createSessionReplies } from './dingtalk/send-session-reply.js';
import { createDryRunClient } from './dingtalk/create-dry-run-client.js';
import { createAccessTokens } from './dingtalk/create-access-tokens.js';
import type { RobotClient } from './dingtalk/robot-client.js';
import { createMetrics, type Metrics } from './metrics/create-metrics.js';
import { createStreamClient, type StreamClient, type StreamTiming } from './dingtalk/create-stream-client.js';
import { createStreamReceiver } from './core/create-stream-receiver.js';

export interface App {
  http: HttpApp;
  /** Loads the knowledge and builds the engine; the routes serve it from then on. */
  load(): Promise<Serving>;
  /** Listens on host:port (every interface without a host); resolves once listening, rejects when it cannot (the port in use). */
  listen(port: number, host?: string): Promise<Server>;
  /** Starts the scheduled posts: catches up at once, then ticks every minute. */
  startScheduler(): void;
  /** In Stream mode, connects to DingTalk's gateway and stays connected until close(); else nothing. */
  startStream(): void;
  /** Serves edits to the knowledge folders as they happen. */
  watchKnowledge(): Promise<void>;
  scheduler: Scheduler;
  /** The app's own metrics registry; undefined when `metrics.enabled` is false. */
  metrics: Metrics | undefined;
  /**
   * Shuts down gracefully: in Stream mode new frames are left unacked, so the gateway pushes them
   * again elsewhere, and the connection is closed (code 1000) once the answers in flight are sent;
   * callbacks get 503 (to be delivered again) and `/readyz` says
   * "stopping"; replies in flight are sent; a group post in flight gets DingTalk's answer and is
   * recorded, and posts not confirmed stay in the outbox for the next start. Then the listener,
   * the knowledge watcher and the answering engine are closed.
   */
  close(): Promise<void>;
}

/** A configured group with the credentials main.ts read from the environment variables it names. */
export interface GroupCredentials {
  name: string;
  posts: readonly PostKind[];
  accessToken?: string | undefined;
  secret?: string | undefined;
}

export interface AppDeps {
  config: Readonly<Config>;
  logger: Logger;
  /** Groups to post to; a group without an access token is served by the dry run. */
  groups?: readonly GroupCredentials[];
  now?: () => number;
  /** Where dry-run posts are printed; default standard output. */
  print?: (text: string) => void;
  /** At most one knowledge-error notice to the admin groups per this long; default five minutes. */
  alertIntervalMs?: number;
  /** Stream mode's backoff and timeouts, over the defaults and `dingtalk.stream` (tests shorten them). */
  streamTiming?: Partial<StreamTiming>;
}

/** How long a session webhook gets to take a reply. */
const REPLY_TIMEOUT_MS = 5000;

/** Builds the bot from its configuration; nothing here reads the environment or exits. */
export function createApp({ config, logger, groups = [], now = () => Date.now(), print, alertIntervalMs, streamTiming }: AppDeps): App {
  const current: { serving?: Serving } = {};
  const windowMs = config.dingtalk.signatureWindowSeconds * 1000;
  const state = createStateStore(config, logger, windowMs);
  const metrics = config.metrics.enabled ? createMetrics() : undefined;
  const store = createKnowledgeStore({
    dirs: config.knowledge.dirs,
    zone: config.timezone,
    maxFileBytes: config.knowledge.maxFileBytes,
    archiveSiteUrl: config.knowledge.archiveSiteUrl,
    logger,
  });
  const answerer = createAnswerWorker({ config, logger });
  const { appKey, appSecret, openapiBase } = config.dingtalk;
  // The app robot posts to subscribed groups with the app's own credentials (the same as Stream mode's).
  const appRobot =
    appKey && appSecret
      ? {
          openapiBase,
          robotCode: config.dingtalk.robotCode ?? appKey,
          tokens: createAccessTokens({ openapiBase, appKey, appSecret, logger, now, timeoutMs: config.dingtalk.requestTimeoutMs }),
        }
      : undefined;
  const robot = createRobotClient({
    apiBase: config.dingtalk.apiBase,
    logger,
    now,
    rateLedger: state.rateLedger,
    timeoutMs: config.dingtalk.requestTimeoutMs,
    rate: { throttleMs: config.dingtalk.throttlePauseMs },
    ...(metrics ? { metrics } : {}),
    ...(appRobot ? { appRobot } : {}),
  });
  const dryRun = createDryRunClient(print ? { print, now } : { now });
  const posting = scheduledGroups(groups, logger, robot, dryRun, appRobot !== undefined);
  const subscribed = subscribedGroups(state.subscriptions, logger, appRobot ? robot : dryRun);
  const alerts = createKnowledgeAlerts({
    groups: posting.filter((g) => g.posts.includes('admin')),
    subscribed: async () => (await subscribed()).filter((g) => g.posts.includes('admin')),
    logger,
    now,
    // Every instance finds the same errors; the one that claims an error first posts it.
    claim: (error) => state.deduper.claim(`knowledge-alert:${createHash('sha256').update(error).digest('hex')}`, now()),
    ...(alertIntervalMs === undefined ? {} : { intervalMs: alertIntervalMs }),
  });
  // The engine is rebuilt for each new knowledge in a fresh worker, and the knowledge swapped in
  // once it answers from it: a question sees the old or the new, and never waits for a build. A
  // failed build keeps the old. Knowledge arriving during a build waits, the latest only.
  const builds = coalesceLatest(async (knowledge: KnowledgeLoad): Promise<{ ms: number; knowledge: KnowledgeLoad }> => {
    const built = await answerer.build(knowledge.entries);
    const summary = summarizeKnowledge(knowledge);
    current.serving = { knowledge, summary, answerer };
    const { errors } = summary;
    alerts.report(errors);
    if (metrics) {
      for (const kind of ENTRY_KINDS) metrics.knowledgeEntries.set({ kind }, summary.entries[kind]);
      metrics.knowledgeErrors.set(errors.length);
    }
    return { ms: built.ms, knowledge };
  });
  const serve = (knowledge: KnowledgeLoad) => builds.submit(knowledge);
  const buildState = () => ({ running: builds.running(), queued: builds.queued() });
  if (metrics) metrics.onCollect(() => metrics.knowledgeBuildsPending.set(Number(builds.running()) + Number(builds.queued())));
  // Grouped with the engine's tokenizer in its worker: its dictionary is not loaded twice.
  const unanswered = state.unansweredLog({ zone: config.timezone, analyser: createRemoteQuestionAnalyser((texts) => answerer.analyse(texts)) });
  const postStore = state.posts;
  const scheduler = createScheduler({
    config,
    groups: posting,
    subscribed,
    entries: () => current.serving?.knowledge.entries,
    store: postStore,
    lock: state.lock,
    unanswered,
    now,
    logger,
    ...(metrics ? { metrics } : {}),
  });
  const reload = async (): Promise<Serving> => {
    const started = performance.now();
    const { knowledge } = await serve(await store.reload());
    logger.info({ entries: knowledge.entries.length, ms: Math.round(performance.now() - started) }, 'knowledge reloaded on request');
    return current.serving as Serving;
  };
  const playground = playgroundOf(config, logger);
  const http = createHttpApp({
    serving: () => current.serving,
    knowledgeBuild: buildState,
    dingtalk: {
      appSecret: config.dingtalk.appSecret,
      robotCode: config.dingtalk.robotCode ?? config.dingtalk.appKey,
      signatureWindowMs: windowMs,
      sessionHosts: config.dingtalk.sessionHosts,
    },
    deduper: state.deduper,
    suggestions: state.suggestions,
    pickLinks: config.search.pickLinks,
    staleAfterYears: config.search.staleAfterYears,
    replies: createSessionReplies({ timeoutMs: REPLY_TIMEOUT_MS }),
    now,
    logger,
    digest: { zone: config.timezone, eventsAheadDays: config.digest.eventsAheadDays },
    admins: config.admins.staffIds,
    sendDigestNow: async () => {
      await scheduler.sendDigestNow();
    },
    digestSentAt: () => scheduler.digestSentAt(),
    ...(metrics ? { metrics } : {}),
    metricsToken: config.metrics.token,
    unanswered,
    admin: adminOperations({ config, logger, current, reload, postStore, unanswered, subscriptions: state.subscriptions, appRobot: appRobot !== undefined, now }),
    ...(playground ? { playground: { ...playground, subscriptions: () => state.subscriptions.list() } } : {}),
    // Stream mode: messages come over the WebSocket only, and readiness needs it connected.
    ...(config.dingtalk.mode === 'stream' ? { callbacks: false, stream: { connected: () => stream?.connected() === true } } : {}),
  });
  const stream = streamClientOf(config, logger, { ...streamTiming }, createStreamReceiver({ core: http.core, logger, metrics }), metrics);
  let server: Server | undefined;

  return {
    http,
    scheduler,
    metrics,
    startScheduler: () => scheduler.start(),
    startStream: () => stream?.start(),
    async load() {
      const started = performance.now();
      const knowledge = await store.load();
      for (const problem of knowledge.problems) if (problem.severity === 'warning') logger.warn(formatProblem(problem));
      const { ms } = await serve(knowledge);
      logger.info(
        { files: knowledge.files.length, entries: knowledge.entries.length, ms: Math.round(performance.now() - started), indexMs: Math.round(ms) },
        'knowledge loaded',
      );
      return current.serving as Serving;
    },
    watchKnowledge: () =>
      store.watch((knowledge) => {
        serve(knowledge).then(
          // A burst of edits is built once, from its last state: one line for the whole burst.
          ({ ms, knowledge: served }) => {
            if (served === knowledge) logger.info({ entries: served.entries.length, indexMs: Math.round(ms) }, 'knowledge reloaded');
          },
          (err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, 'knowledge reload not served: the previous knowledge keeps answering'),
        );
      }),
    listen(port, host) {
      return new Promise((resolve, reject) => {
        // Express calls back with the error when listening fails.
        const listening = http.app.listen(port, host ?? '::', (err?: Error) => (err ? reject(err) : resolve(listening)));
        server = listening;
      });
    },
    async close() {
      stream?.drain();
      http.drain();
      // Both clients stop starting requests at once: a post waiting for the rate limit or a retry
      // could otherwise hold the shutdown for minutes. It stays in the outbox instead.
      await Promise.all([http.idle(), robot.drain(), dryRun.drain(), scheduler.stop(), store.close()]);
      // After the answers in flight are sent; frames that came meanwhile were left unacked.
      await stream?.close();
      await new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        // Idle keep-alive connections would hold close() for seconds. A request still arriving now is
        // cut, as it would be by a restart: a callback is not acknowledged, so nothing is lost here.
        server.closeAllConnections();
      });
      await Promise.all([alerts.close(), unanswered.close()]);
      // Replies are sent: nothing needs an answer any more.
      await Promise.all([answerer.close(), state.close()]);
      robot.close();
    },
  };
}

/** The admins' chat commands against the live bot; every failure becomes a report, never a rejection. */
function adminOperations(deps: {
  config: Readonly<Config>;
  logger: Logger;
  current: { serving?: Serving };
  reload: () => Promise<Serving>;
  postStore: PostStore;
  unanswered: UnansweredLog;
  subscriptions: Subscriptions;
  /** Whether the app robot is configured: subscribing needs it. */
  appRobot: boolean;
  now: () => number;
}): AdminOperations {
  const zone = deps.config.timezone;
  const local = (iso: string) => DateTime.fromISO(iso, { zone }).toFormat('yyyy-MM-dd HH:mm');
  const reason = (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) });
  const subscribe = async (request: SubscriptionRequest): Promise<AdminReport> => {
    const { subscriptions } = deps;
    const id = request.group.openConversationId;
    let changed: Subscription | undefined;
    if (request.change === 'list') changed = (await subscriptions.list()).find((s) => s.openConversationId === id);
    else if (request.change === 'unsubscribe') changed = await subscriptions.unsubscribe(id, request.kinds);
    else if (!deps.appRobot) return { action: 'no-app-robot' };
    else changed = await subscriptions.subscribe(request.group, request.kinds, new Date(deps.now()).toISOString());
    if (request.change !== 'list') deps.logger.info({ change: request.change, kinds: request.kinds, group: id, title: request.group.title }, 'group subscriptions changed from the chat');
    const posts = Object.fromEntries(Object.entries(changed?.posts ?? {}).map(([kind, since]) => [kind, local(since)]));
    return { action: 'subscriptions', request, posts };
  };
  const run = async (action: AdminAction, request?: SubscriptionRequest): Promise<AdminReport> => {
    switch (action) {
      case 'reload': {
        const started = performance.now();
        const { summary } = await deps.reload();
        return { action, knowledge: summary, ms: performance.now() - started };
      }
      case 'subscriptions':
        if (!request) throw new Error('no subscription request');
        return subscribe(request);
      case 'status': {
        const serving = deps.current.serving;
        const subscribedGroups = await deps.subscriptions.list().then((list) => list, reason);
        const titles = new Map(Array.isArray(subscribedGroups) ? subscribedGroups.map((g) => [subscribedName(g.openConversationId), g.title]) : []);
        const posts = await deps.postStore.load().then(
          (state) => ({
            recent: Object.entries(state.log)
              .sort((a, b) => b[1].recordedAt.localeCompare(a[1].recordedAt))
              .slice(0, 5)
              .map(([key, record]) => ({
                // Records from before kind and group were kept show their key instead.
                kind: record.kind ?? key,
                group: (record.group && titles.get(record.group)) ?? record.group ?? '?',
                outcome: record.outcome,
                when: DateTime.fromISO(record.at, { zone }).toFormat('yyyy-MM-dd HH:mm'),
              })),
            outbox: state.outbox.length,
          }),
          (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }),
        );
        const unanswered = (await deps.unanswered.groups()).length;
        const subscriptions = Array.isArray(subscribedGroups)
          ? subscribedGroups.map((g) => ({ title: g.title, posts: POST_KINDS.filter((kind) => g.posts[kind] !== undefined) }))
          : subscribedGroups;
        return { action, ...(serving ? { knowledge: serving.summary } : {}), posts, unanswered, subscriptions };
      }
      case 'unanswered': {
        const groups = await deps.unanswered.groups();
        return {
          action,
          total: groups.length,
          groups: groups.slice(0, 10).map((g) => ({ question: g.question, count: g.count, variants: g.variants.length, lastSeen: DateTime.fromISO(g.lastSeen, { zone }).toISODate() ?? g.lastSeen.slice(0, 10) })),
        };
      }
    }
  };
  return {
    run: (action, request) =>
      run(action, request).catch((err: unknown) => {
        const reason = err instanceof Error ? err.message : String(err);
        deps.logger.error({ action, err: reason }, 'admin command failed');
        return { action: 'failed', failed: action, reason };
      }),
  };
}

/** The playground's settings when it is switched on and has its token; says why when it stays off. */
function playgroundOf(config: Readonly<Config>, logger: Logger): HttpDeps['playground'] {
  if (!config.playground.enabled) return undefined;
  if (!config.playground.token) {
    logger.warn('playground.enabled is true but PLAYGROUND_TOKEN is not set: the playground stays off');
    return undefined;
  }
  logger.info({ path: '/playground' }, 'playground enabled');
  return { token: config.playground.token, thresholds: { answer: config.search.answerThreshold, suggest: config.search.suggestThreshold } };
}

/**
 * The robot client for every group with credentials (it keeps a queue and a rate window per access
 * token); the dry run for the rest. With no group configured and no app robot (whose groups are
 * subscribed from the chat), a `console` group takes every post, so a fresh clone shows what it would send.
 */
function scheduledGroups(groups: readonly GroupCredentials[], logger: Logger, robot: RobotClient, dryRun: RobotClient, appRobot: boolean): ScheduledGroup[] {
  const configured: readonly GroupCredentials[] = groups.length > 0 || appRobot ? groups : [{ name: 'console', posts: ['digest', 'reminders'] }];
  return configured.map((group) => {
    if (!group.accessToken) {
      if (groups.length > 0) logger.warn({ group: group.name }, 'no access token for this group: its posts are printed to the console (dry run)');
      return { name: group.name, posts: group.posts, client: dryRun, target: { group: group.name, accessToken: 'dry-run' } };
    }
    return {
      name: group.name,
      posts: group.posts,
      client: robot,
      target: { group: group.name, accessToken: group.accessToken, ...(group.secret ? { secret: group.secret } : {}) },
    };
  });
}

/** The Stream client in Stream mode (the schema made sure the app key and secret are set); undefined otherwise. */
function streamClientOf(config: Readonly<Config>, logger: Logger, timing: Partial<StreamTiming>, onRobotMessage: (payload: unknown, ack: () => void) => void, metrics: Metrics | undefined): StreamClient | undefined {
  const { mode, appKey, appSecret, openapiBase } = config.dingtalk;
  if (mode !== 'stream' || !appKey || !appSecret) return undefined;
  return createStreamClient({
    openapiBase,
    clientId: appKey,
    clientSecret: appSecret,
    logger,
    onRobotMessage,
    timing: { ...config.dingtalk.stream, ...timing },
    ...(metrics ? { registry: metrics.registry } : {}),
  });
}

/** A subscribed group's name in the outbox and the logs: its conversation id. */
const subscribedName = (openConversationId: string) => `chat:${openConversationId}`;

/**
 * The groups subscribed from the chat, as the scheduler and the knowledge alerts take them: reached
 * through the app robot (the dry run when it is not configured), read from the state store on each
 * use, and unsubscribed when DingTalk says the robot has left. An unreadable store leaves them out
 * (the configured groups still get their posts) with an error line.
 */
function subscribedGroups(subscriptions: Subscriptions, logger: Logger, client: RobotClient): () => Promise<ScheduledGroup[]> {
  const log = logger.child({ module: 'subscriptions' });
  return async () => {
    let list: Subscription[];
    try {
      list = await subscriptions.list();
    } catch (err) {
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'subscriptions not readable: posting to the configured groups only');
      return [];
    }
    return list.map((s) => ({
      name: subscribedName(s.openConversationId),
      posts: POST_KINDS.filter((kind) => s.posts[kind] !== undefined),
      since: s.posts,
      client,
      target: { group: s.title || subscribedName(s.openConversationId), openConversationId: s.openConversationId },
      forget: async (reason: string) => {
        await subscriptions.unsubscribe(s.openConversationId, POST_KINDS);
        log.warn({ group: s.openConversationId, title: s.title, reason }, 'group unsubscribed: DingTalk says the robot is no longer in it');
      },
    }));
  };
}

/** Redis when REDIS_URL is set (several instances), else files in DATA_DIR (one instance). */
function createStateStore(config: Readonly<Config>, logger: Logger, signatureWindowMs: number): StateStore {
  // A replayed callback stays valid for the signature window on either side of its timestamp.
  const dedupeRetentionMs = 2 * signatureWindowMs;
  const { redisUrl, redisKeyPrefix } = config.state;
  if (!redisUrl) return createFileStateStore({ dataDir: config.dataDir, dedupeRetentionMs, logger });
  // Host and port only: the URL may hold a password.
  const { host } = new URL(redisUrl);
  logger.info({ redis: host, keyPrefix: redisKeyPrefix }, 'state is shared through Redis');
  return createRedisStateStore({ url: redisUrl, keyPrefix: redisKeyPrefix, dedupeRetentionMs, logger });
}
