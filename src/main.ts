// Composition root: the only place that reads process.env, listens, or exits.
import { loadConfig, ConfigError, type Config } from './config/load-config.js';
import { createLogger } from './logger.js';
import { createApp } from './app.js';

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
if (!process.env.DINGTALK_SESSION_HOSTS) log.info({ hosts: config.dingtalk.sessionHosts }, "DINGTALK_SESSION_HOSTS is not set: replies go to DingTalk's own hosts only");

// Each group names the environment variables of its robot's token and secret; read them here only.
const groups = config.groups.map((group) => ({
  name: group.name,
  posts: group.posts,
  accessToken: process.env[group.tokenEnv]?.trim() || undefined,
  secret: group.secretEnv ? process.env[group.secretEnv]?.trim() || undefined : undefined,
}));
if (groups.length === 0) log.info('no groups configured: scheduled posts are printed to the console (dry run)');

const app = createApp({ config, logger: log, groups });
await app.listen(config.server.port);
log.info({ port: config.server.port }, 'listening');
await app.load();
await app.watchKnowledge();
app.startScheduler();

const shutdown = (signal: string) => {
  log.info({ signal }, 'shutting down');
  void app.close().then(() => process.exit(0));
};
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
