import type { Server } from 'node:http';
import axios from 'axios';
import type { Config } from './config/load-config.js';
import type { Logger } from './logger.js';
import type { KnowledgeLoad } from './knowledge/load-knowledge.js';
import { createKnowledgeStore } from './knowledge/create-knowledge-store.js';
import { formatProblem } from './knowledge/entry.js';
import { createAnswerer } from './search/create-answerer.js';
import { createHttpApp, type HttpApp, type HttpDeps, type Serving } from './http/create-http-app.js';
import { createMessageDeduper } from './state/create-message-deduper.js';
import { createPostStore } from './state/create-post-store.js';
import { createFileRateLedger } from './state/create-file-rate-ledger.js';
import { createScheduler, type Scheduler, type ScheduledGroup } from './schedule/create-scheduler.js';
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
  posts: readonly ('digest' | 'reminders')[];
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
}

/** Builds the bot from its configuration; nothing here reads the environment or exits. */
export function createApp({ config, logger, groups = [], now = () => Date.now(), print }: AppDeps): App {
  const current: { serving?: Serving } = {};
  const store = createKnowledgeStore({ dirs: config.knowledge.dirs, zone: config.timezone, maxFileBytes: config.knowledge.maxFileBytes, logger });
  // The engine is rebuilt for each new knowledge and swapped in whole: a question sees the old or the new.
  const serve = (knowledge: KnowledgeLoad) => {
    current.serving = { knowledge, answerer: createAnswerer(knowledge.entries, config) };
  };
  const scheduler = createScheduler({
    config,
    groups: scheduledGroups(groups, config, logger, now, print),
    entries: () => current.serving?.knowledge.entries,
    store: createPostStore(config.dataDir),
    now,
    logger,
  });
  const windowMs = config.dingtalk.signatureWindowSeconds * 1000;
  const playground = playgroundOf(config, logger);
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
    ...(playground ? { playground } : {}),
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
    },
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
