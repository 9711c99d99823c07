import type { Server } from 'node:http';
import axios from 'axios';
import { DateTime } from 'luxon';
import type { Config } from './config/load-config.js';
import type { PostKind } from './config/config-schema.js';
import type { Logger } from './logger.js';
import type { KnowledgeLoad } from './knowledge/load-knowledge.js';
import { createKnowledgeStore } from './knowledge/create-knowledge-store.js';
import { formatProblem } from './knowledge/entry.js';
import { summarizeKnowledge } from './knowledge/summarize-knowledge.js';
import { createAnswerer } from './search/create-answerer.js';
import { createTokenizer } from './search/create-tokenizer.js';
import { createQuestionAnalyser } from './search/create-question-analyser.js';
import { createHttpApp, type HttpApp, type Serving } from './http/create-http-app.js';
import type { AdminAction, AdminOperations, AdminReport } from './bot/admin-report.js';
import { createMessageDeduper } from './state/create-message-deduper.js';
import { createPostStore, type PostStore } from './state/create-post-store.js';
import { createFileRateLedger } from './state/create-file-rate-ledger.js';
import { createFileUnansweredLog } from './state/create-file-unanswered-log.js';
import type { UnansweredLog } from './state/unanswered-log.js';
import { createScheduler, type Scheduler, type ScheduledGroup } from './schedule/create-scheduler.js';
import { createKnowledgeAlerts } from './schedule/create-knowledge-alerts.js';
import { createRobotClient } from './dingtalk/create-robot-client.js';
import { createDryRunClient } from './dingtalk/create-dry-run-client.js';

export interface App {
  http: HttpApp;
  /** Loads the knowledge and builds the engine; the routes serve it from then on. */
  load(): Promise<Serving>;
  /** Listens on host:port; resolves once listening. */
  listen(port: number, host?: string): Promise<Server>;
  /** Starts the scheduled posts: catches up at once, then ticks every minute. */
  startScheduler(): void;
  /** Serves edits to the knowledge folders as they happen. */
  watchKnowledge(): Promise<void>;
  scheduler: Scheduler;
  /** Stops taking requests and posting, and waits for replies and posts in flight. */
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
}

/** Builds the bot from its configuration; nothing here reads the environment or exits. */
export function createApp({ config, logger, groups = [], now = () => Date.now(), print, alertIntervalMs }: AppDeps): App {
  const current: { serving?: Serving } = {};
  const store = createKnowledgeStore({ dirs: config.knowledge.dirs, zone: config.timezone, maxFileBytes: config.knowledge.maxFileBytes, logger });
  const posting = scheduledGroups(groups, config, logger, now, print);
  const alerts = createKnowledgeAlerts({
    groups: posting.filter((g) => g.posts.includes('admin')),
    logger,
    now,
    ...(alertIntervalMs === undefined ? {} : { intervalMs: alertIntervalMs }),
  });
  // The engine is rebuilt for each new knowledge and swapped in whole: a question sees the old or the new.
  const serve = (knowledge: KnowledgeLoad) => {
    current.serving = { knowledge, answerer: createAnswerer(knowledge.entries, config) };
    alerts.report(summarizeKnowledge(knowledge).errors);
  };
  const unanswered = createFileUnansweredLog({
    dataDir: config.dataDir,
    zone: config.timezone,
    analyse: createQuestionAnalyser(createTokenizer(config.vocabulary)),
    logger,
  });
  const postStore = createPostStore(config.dataDir);
  const scheduler = createScheduler({
    config,
    groups: posting,
    entries: () => current.serving?.knowledge.entries,
    store: postStore,
    unanswered,
    now,
    logger,
  });
  const reload = async (): Promise<Serving> => {
    const started = performance.now();
    const knowledge = await store.reload();
    serve(knowledge);
    logger.info({ entries: knowledge.entries.length, ms: Math.round(performance.now() - started) }, 'knowledge reloaded on request');
    return current.serving as Serving;
  };
  const windowMs = config.dingtalk.signatureWindowSeconds * 1000;
  const http = createHttpApp({
    serving: () => current.serving,
    dingtalk: {
      appSecret: config.dingtalk.appSecret,
      robotCode: config.dingtalk.robotCode,
      signatureWindowMs: windowMs,
      sessionHosts: config.dingtalk.sessionHosts,
    },
    // A replayed callback stays valid for the signature window on either side of its timestamp.
    deduper: createMessageDeduper(2 * windowMs),
    // No proxy from the environment: replies go straight to the allow-listed host.
    http: axios.create({ proxy: false }),
    replyTimeoutMs: 5000,
    now,
    logger,
    digest: { zone: config.timezone, eventsAheadDays: config.digest.eventsAheadDays },
    admins: config.admins.staffIds,
    sendDigestNow: async () => {
      await scheduler.sendDigestNow();
    },
    unanswered,
    admin: adminOperations({ config, logger, current, reload, postStore, unanswered }),
  });
  let server: Server | undefined;

  return {
    http,
    scheduler,
    startScheduler: () => scheduler.start(),
    async load() {
      const started = performance.now();
      const knowledge = await store.load();
      for (const problem of knowledge.problems) if (problem.severity === 'warning') logger.warn(formatProblem(problem));
      serve(knowledge);
      logger.info({ files: knowledge.files.length, entries: knowledge.entries.length, ms: Math.round(performance.now() - started) }, 'knowledge loaded');
      return current.serving as Serving;
    },
    watchKnowledge: () =>
      store.watch((knowledge) => {
        const started = performance.now();
        serve(knowledge);
        logger.info({ entries: knowledge.entries.length, ms: Math.round(performance.now() - started) }, 'knowledge reloaded');
      }),
    listen(port, host) {
      return new Promise((resolve) => {
        const listening = http.app.listen(port, host ?? '::', () => resolve(listening));
        server = listening;
      });
    },
    async close() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await Promise.all([http.idle(), scheduler.stop(), store.close()]);
      await Promise.all([alerts.close(), unanswered.close()]);
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
}): AdminOperations {
  const zone = deps.config.timezone;
  const run = async (action: AdminAction): Promise<AdminReport> => {
    switch (action) {
      case 'reload': {
        const started = performance.now();
        const { knowledge } = await deps.reload();
        return { action, knowledge: summarizeKnowledge(knowledge), ms: performance.now() - started };
      }
      case 'status': {
        const serving = deps.current.serving;
        const posts = await deps.postStore.load().then(
          (state) => ({
            recent: Object.entries(state.log)
              .sort((a, b) => b[1].recordedAt.localeCompare(a[1].recordedAt))
              .slice(0, 5)
              .map(([key, record]) => ({
                // Records from before kind and group were kept show their key instead.
                kind: record.kind ?? key,
                group: record.group ?? '?',
                outcome: record.outcome,
                when: DateTime.fromISO(record.at, { zone }).toFormat('yyyy-MM-dd HH:mm'),
              })),
            outbox: state.outbox.length,
          }),
          (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }),
        );
        const unanswered = (await deps.unanswered.groups()).length;
        return { action, ...(serving ? { knowledge: summarizeKnowledge(serving.knowledge) } : {}), posts, unanswered };
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
    run: (action) =>
      run(action).catch((err: unknown) => {
        const reason = err instanceof Error ? err.message : String(err);
        deps.logger.error({ action, err: reason }, 'admin command failed');
        return { action: 'failed', failed: action, reason };
      }),
  };
}

/**
 * One robot client for every group with credentials (it keeps a queue and a rate window per access
 * token); the dry run for the rest. With no group configured, a `console` group takes every post,
 * so a fresh clone shows what it would send.
 */
function scheduledGroups(
  groups: readonly GroupCredentials[],
  config: Readonly<Config>,
  logger: Logger,
  now: () => number,
  print: ((text: string) => void) | undefined,
): ScheduledGroup[] {
  const robot = createRobotClient({ apiBase: config.dingtalk.apiBase, logger, now, rateLedger: createFileRateLedger(config.dataDir, 60_000, now) });
  const dryRun = createDryRunClient(print ? { print, now } : { now });
  const configured: readonly GroupCredentials[] = groups.length > 0 ? groups : [{ name: 'console', posts: ['digest', 'reminders'] }];
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
