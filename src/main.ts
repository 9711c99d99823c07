// Composition root: the only place that reads process.env, listens, or exits.
import axios from 'axios';
import { loadConfig, ConfigError, type Config } from './config/load-config.js';
import { createLogger } from './logger.js';
import { loadKnowledge } from './knowledge/load-knowledge.js';
import { formatProblem } from './knowledge/entry.js';
import { createAnswerer } from './search/create-answerer.js';
import { createHttpApp, type Serving } from './http/create-http-app.js';
import { createMessageDeduper } from './state/create-message-deduper.js';

let config: Readonly<Config>;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
const log = createLogger(config.log.level);

// Say up front what is missing, so a fresh clone explains itself.
if (!config.dingtalk.appSecret) {
  log.warn('DINGTALK_APP_SECRET is not set: DingTalk callbacks cannot be verified and will be refused with 401');
}
if (!process.env.KNOWLEDGE_DIR) log.info({ dirs: config.knowledge.dirs }, 'KNOWLEDGE_DIR is not set: serving the built-in sample knowledge');
if (!process.env.DINGTALK_SESSION_HOSTS) log.info({ hosts: config.dingtalk.sessionHosts }, 'DINGTALK_SESSION_HOSTS is not set: replies go to DingTalk\'s own hosts only');

// Served by the routes from the moment the server listens; filled once the first load finishes.
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
  now: () => Date.now(),
  logger: log,
});
const server = http.app.listen(config.server.port, () => {
  log.info({ port: config.server.port }, 'listening');
});

const started = performance.now();
const knowledge = await loadKnowledge({
  dirs: config.knowledge.dirs,
  zone: config.timezone,
  maxFileBytes: config.knowledge.maxFileBytes,
});
for (const problem of knowledge.problems) {
  log[problem.severity === 'error' ? 'error' : 'warn'](formatProblem(problem));
}
current.serving = { knowledge, answerer: createAnswerer(knowledge.entries, config) };
log.info(
  { files: knowledge.files.length, entries: knowledge.entries.length, ms: Math.round(performance.now() - started) },
  'knowledge loaded',
);

const shutdown = (signal: string) => {
  log.info({ signal }, 'shutting down');
  server.close(() => {
    void http.idle().then(() => process.exit(0));
  });
};
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
