// Composition root: the only place that reads process.env, listens, or exits.
import { loadConfig, ConfigError } from './config/load-config.js';
import { createLogger } from './logger.js';
import { loadKnowledge, type KnowledgeLoad } from './knowledge/load-knowledge.js';
import { formatProblem } from './knowledge/entry.js';
import { createHttpApp } from './http/create-http-app.js';

let config;
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
  log.warn('DINGTALK_APP_SECRET is not set: DingTalk callbacks cannot be verified and will be refused');
}
if (!process.env.KNOWLEDGE_DIR) log.info({ dirs: config.knowledge.dirs }, 'KNOWLEDGE_DIR is not set: serving the built-in sample knowledge');

// Served by the routes from the moment the server listens; filled once the first load finishes.
const current: { knowledge?: KnowledgeLoad } = {};
const app = createHttpApp({ knowledge: () => current.knowledge });
const server = app.listen(config.server.port, () => {
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
log.info(
  { files: knowledge.files.length, entries: knowledge.entries.length, ms: Math.round(performance.now() - started) },
  'knowledge loaded',
);
current.knowledge = knowledge;

const shutdown = (signal: string) => {
  log.info({ signal }, 'shutting down');
  server.close(() => process.exit(0));
};
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
