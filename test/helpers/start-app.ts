import type { AddressInfo } from 'node:net';
import { loadConfig, type Config } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logger.js';
import { createApp, type App, type AppDeps } from '../../src/app.js';
import type { FakeDingTalk } from './fake-dingtalk.js';
import { tempKnowledge } from './temp-knowledge.js';
import { APP_SECRET, groupMessage, signedHeaders } from './start-bot-server.js';

export interface StartedApp {
  app: App;
  config: Readonly<Config>;
  /** `http://127.0.0.1:<port>` */
  url: string;
}

/**
 * The bot as an operator starts it (configuration from the project's files and the environment,
 * createApp), listening on loopback with its knowledge loaded, talking to the fake DingTalk.
 * `env` adds to or overrides the environment; `deps` goes to createApp.
 */
export async function startApp(options: {
  fake: FakeDingTalk;
  knowledgeDir: string;
  env?: Record<string, string | undefined>;
  deps?: Omit<AppDeps, 'config' | 'logger'>;
}): Promise<StartedApp> {
  const config = loadConfig({
    CONFIG_DIR: 'config',
    DINGTALK_APP_SECRET: APP_SECRET,
    KNOWLEDGE_DIR: options.knowledgeDir,
    DATA_DIR: tempKnowledge({}),
    DINGTALK_SESSION_HOSTS: new URL(options.fake.url).host,
    DINGTALK_API_BASE: options.fake.url,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const app = createApp({ config, logger: createLogger(config.log.level), ...options.deps });
  const server = await app.listen(0, '127.0.0.1');
  await app.load();
  return { app, config, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Sends a signed group message to the bot at `url` and resolves with the reply the fake received. */
export async function askInGroup(fake: FakeDingTalk, url: string, session: string, text: string, overrides: Record<string, unknown> = {}): Promise<unknown> {
  const body = groupMessage(text, fake.sessionWebhook(session), overrides);
  const response = await fetch(`${url}/dingtalk/callback`, { method: 'POST', headers: signedHeaders(), body: JSON.stringify(body) });
  if (response.status !== 200) throw new Error(`callback answered ${response.status}`);
  const [reply] = await fake.waitFor((r) => r.query.session === session);
  return reply?.json;
}
