import type { Server } from 'node:http';
import axios from 'axios';
import type { Config } from './config/load-config.js';
import type { Logger } from './logger.js';
import { loadKnowledge } from './knowledge/load-knowledge.js';
import { formatProblem } from './knowledge/entry.js';
import { createAnswerer } from './search/create-answerer.js';
import { createHttpApp, type HttpApp, type Serving } from './http/create-http-app.js';
import { createMessageDeduper } from './state/create-message-deduper.js';

export interface App {
  http: HttpApp;
  /** Loads the knowledge and builds the engine; the routes serve it from then on. */
  load(): Promise<Serving>;
  /** Listens on host:port; resolves once listening. */
  listen(port: number, host?: string): Promise<Server>;
  /** Stops taking requests and waits for replies in flight. */
  close(): Promise<void>;
}

export interface AppDeps {
  config: Readonly<Config>;
  logger: Logger;
  now?: () => number;
}

/** Builds the bot from its configuration; nothing here reads the environment or exits. */
export function createApp({ config, logger, now = () => Date.now() }: AppDeps): App {
  const current: { serving?: Serving } = {};
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
  });
  let server: Server | undefined;

  return {
    http,
    async load() {
      const started = performance.now();
      const knowledge = await loadKnowledge({ dirs: config.knowledge.dirs, zone: config.timezone, maxFileBytes: config.knowledge.maxFileBytes });
      for (const problem of knowledge.problems) logger[problem.severity === 'error' ? 'error' : 'warn'](formatProblem(problem));
      current.serving = { knowledge, answerer: createAnswerer(knowledge.entries, config) };
      logger.info({ files: knowledge.files.length, entries: knowledge.entries.length, ms: Math.round(performance.now() - started) }, 'knowledge loaded');
      return current.serving;
    },
    listen(port, host) {
      return new Promise((resolve) => {
        const listening = http.app.listen(port, host ?? '::', () => resolve(listening));
        server = listening;
      });
    },
    async close() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await http.idle();
    },
  };
}
