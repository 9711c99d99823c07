// Composition root: the only place that reads process.env, listens, or exits.
import type { AddressInfo } from 'node:net';
import { loadConfig, ConfigError, type Config } from './config/load-config.js';
import { createLogger, logDestination } from './logger.js';
import { CALLBACK_PATH } from './http/create-http-app.js';
import { createApp } from './app.js';
import { StartupError, checkKnowledgeFolders, listenError } from './startup/startup-error.js';
import { probeRedis } from './startup/probe-redis.js';
import { settleHeap } from './startup/settle-heap.js';

let config: Readonly<Config>;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
const log = createLogger(config.log.level, await logDestination(config.log.format));

/** What stops the start (see StartupError): one line, status 2, like an invalid configuration. */
const cannotStart = (err: unknown): never => {
  if (!(err instanceof StartupError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
};

await checkKnowledgeFolders(config.knowledge.dirs).catch(cannotStart);
if (config.state.redisUrl) await probeRedis(config.state.redisUrl).catch(cannotStart);

// Say up front where DingTalk must call and what is missing, so a fresh clone explains itself,
// and where to read on: the README's section on connecting DingTalk (by its heading's anchor).
const GUIDE = 'README.md#connecting-dingtalk';
if (config.dingtalk.mode === 'stream') {
  log.info({ gateway: config.dingtalk.openapiBase, guide: GUIDE }, `Stream mode: messages arrive over an outbound WebSocket once the knowledge is loaded; ${CALLBACK_PATH} answers 404 (${GUIDE})`);
} else {
  log.info({ callback: CALLBACK_PATH, guide: GUIDE }, `DingTalk delivers messages to POST ${CALLBACK_PATH} on this bot: set https://<your host>${CALLBACK_PATH} as the robot's message receive address (${GUIDE})`);
}
if (config.dingtalk.mode === 'http' && !config.dingtalk.appSecret) {
  log.warn({ guide: GUIDE }, `DINGTALK_APP_SECRET is not set: DingTalk callbacks cannot be verified and will be refused with 401 (${GUIDE})`);
}
if (!process.env.KNOWLEDGE_DIR) log.info({ dirs: config.knowledge.dirs }, 'KNOWLEDGE_DIR is not set: serving the built-in sample knowledge');
if (!process.env.DINGTALK_SESSION_HOSTS) log.info({ hosts: config.dingtalk.sessionHosts }, "DINGTALK_SESSION_HOSTS is not set: replies go to DingTalk's own hosts only");

// Each group names the environment variables of its robot's token and secret; read them here only.
const groups = config.groups.map((group) => ({
  name: group.name,
  posts: group.posts,
  accessToken: process.env[group.tokenEnv]?.trim() || undefined,
  secret: group.secretEnv ? process.env[group.secretEnv]?.trim() || undefined : undefined,
}));
if (groups.length === 0 && !(config.dingtalk.appKey && config.dingtalk.appSecret)) log.info('no groups configured: scheduled posts are printed to the console (dry run)');

const app = createApp({ config, logger: log, groups });

// SIGTERM (orchestrators) and SIGINT (Ctrl-C) drain: no new callbacks, replies and posts in flight
// finish. A second signal or the deadline exits at once, with status 1: something was left undone.
const timeoutSeconds = config.server.shutdownTimeoutSeconds;
// Ctrl-C under `npm start` arrives twice within a millisecond or so (the terminal signals the whole
// process group, and npm passes its copy on): a repeat this soon is the same request, not a second one.
const REPEAT_MS = 1000;
let stopping = false;
let started = 0;
const shutdown = (signal: NodeJS.Signals) => {
  if (stopping) {
    if (performance.now() - started < REPEAT_MS) return;
    log.error({ signal }, 'second signal: exiting before the drain finished');
    process.exit(1);
  }
  stopping = true;
  started = performance.now();
  log.info({ signal, timeoutSeconds }, 'shutting down: refusing new callbacks, finishing replies and posts in flight');
  // Not unref'd: the deadline must fire even if nothing else keeps the process alive while close() hangs.
  setTimeout(() => {
    log.error({ timeoutSeconds }, 'shutdown deadline passed: exiting with replies or posts unfinished (posts stay in the outbox)');
    process.exit(1);
  }, timeoutSeconds * 1000);
  app.close().then(
    () => {
      log.info({ ms: Math.round(performance.now() - started) }, 'drained: replies and posts in flight finished; exiting');
      process.exit(0);
    },
    (err: unknown) => {
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

try {
  const { port, host } = config.server;
  const server = await app.listen(port, host).catch((err: NodeJS.ErrnoException) => cannotStart(listenError(err, port, host)));
  const address = server.address() as AddressInfo;
  log.info({ host: address.address, port: address.port }, 'listening');
  await app.load();
  // After the knowledge: a message taken over the stream is answered, never refused as not ready.
  if (!stopping) app.startStream();
  if (!stopping) await app.watchKnowledge();
  if (!stopping) app.startScheduler();
  // Start-up is what grew the heap; let V8 see the quiet that follows it (about 30 MB of RSS).
  if (!stopping) settleHeap();
} catch (err) {
  // A signal during start-up closes the engine under a load in progress; the shutdown reports that.
  if (!stopping) throw err;
}
