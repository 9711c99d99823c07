import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '../../src/app.js';
import { startFakeDingTalk, type FakeDingTalk } from './fake-dingtalk.js';
import { FIXTURE_FILES } from './knowledge-fixture.js';
import { tempKnowledge } from './temp-knowledge.js';
import { startApp } from './start-app.js';
import { createFileStateStore } from '../../src/state/create-file-state-store.js';
import { createRedisStateStore } from '../../src/state/create-redis-state-store.js';
import { createLogger } from '../../src/logger.js';

// Bot instances as an operator deploys them (createApp from configuration and environment), in
// this process, beside one fake DingTalk: for tests of several instances and of failures.

export const GROUP = { name: 'community', token: 'token-reliability', secret: 'SECreliability-test-secret' };

export type StoreKind = 'file' | 'redis';

/** How posts reach the group: its custom robot's webhook, or the app robot (a group subscribed from the chat). */
export type Destination = 'webhook' | 'app';

/** The app robot's credentials, and the group subscribed to reminders before the posts fell due. */
export const APP_ROBOT = { appKey: 'dingreliabilityapp', appSecret: 'reliability-app-secret', openConversationId: 'cidReliability==', title: 'Reliability' };

/** The environment that turns the app robot on, talking to `fake`. */
export const appRobotEnv = (fake: FakeDingTalk) => ({ DINGTALK_APP_KEY: APP_ROBOT.appKey, DINGTALK_APP_SECRET: APP_ROBOT.appSecret, DINGTALK_OPENAPI_BASE: fake.url });

/** Subscribes APP_ROBOT's group to reminders an hour ago, in the store the instances will share. */
export async function subscribeAppGroup(store: { dataDir: string } | { redisUrl: string; keyPrefix: string }): Promise<void> {
  const state = 'dataDir' in store ? createFileStateStore({ dataDir: store.dataDir, dedupeRetentionMs: 1, logger: createLogger('silent') }) : createRedisStateStore({ url: store.redisUrl, keyPrefix: store.keyPrefix, dedupeRetentionMs: 1, logger: createLogger('silent') });
  try {
    await state.subscriptions.subscribe({ openConversationId: APP_ROBOT.openConversationId, title: APP_ROBOT.title }, ['reminders'], new Date(Date.now() - 60 * 60_000).toISOString());
  } finally {
    await state.close();
  }
}

/** Events whose 1-hour reminders fell due in the last minutes: inside the catch-up window. */
export function dueEvents(count: number, tag: string): Record<string, string> {
  const now = Date.now();
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`events/${tag}-${i}.md`, `---\ntitle: ${tag} 直播 ${i}\nstart: ${new Date(now + 60 * 60_000 - (i + 1) * 30_000).toISOString()}\nkind: live\nremind: [1h]\n---\n`]),
  );
}

/** A config folder: the project's defaults plus `local` as config/local.yaml. */
export function configDir(local: string): string {
  const dir = tempKnowledge({});
  copyFileSync('config/default.yaml', join(dir, 'default.yaml'));
  copyFileSync('config/synonyms.yaml', join(dir, 'synonyms.yaml'));
  writeFileSync(join(dir, 'local.yaml'), local);
  return dir;
}

// Short enough that timeouts and throttling play out in seconds, not minutes.
const FAST_ROBOT = 'dingtalk:\n  requestTimeoutMs: 400\n  throttlePauseMs: 1500\n';

export interface Deployment {
  fake: FakeDingTalk;
  /** CONFIG_DIR of every instance (its local.yaml holds the Redis key prefix). */
  configDir: string;
  apps: App[];
  urls: string[];
  close(): Promise<void>;
}

/** `instances` bots in this process, sharing one store (Redis) or one of their own (files), and one fake DingTalk. */
export async function deploy(options: { store: StoreKind; instances: number; redisUrl?: string; knowledge: Record<string, string>; destination?: Destination }): Promise<Deployment> {
  const toApp = options.destination === 'app';
  const fake = await startFakeDingTalk({ robots: { [GROUP.token]: { secret: GROUP.secret } }, ...(toApp ? { app: { appKey: APP_ROBOT.appKey, appSecret: APP_ROBOT.appSecret } } : {}) });
  const knowledgeDir = tempKnowledge({ ...FIXTURE_FILES, ...options.knowledge });
  const prefix = `reliability-${process.pid}-${Date.now()}:`;
  const dir = configDir(`${FAST_ROBOT}state:\n  redisKeyPrefix: "${prefix}"\n`);
  const dataDir = tempKnowledge({});
  if (toApp) await subscribeAppGroup(options.store === 'redis' ? { redisUrl: options.redisUrl ?? '', keyPrefix: prefix } : { dataDir });
  const apps: App[] = [];
  const urls: string[] = [];
  for (let i = 0; i < options.instances; i++) {
    const { app, url } = await startApp({
      fake,
      knowledgeDir,
      env: { CONFIG_DIR: dir, ...(options.store === 'redis' ? { REDIS_URL: options.redisUrl } : {}), ...(toApp ? { ...appRobotEnv(fake), DATA_DIR: dataDir } : {}) },
      deps: toApp
        ? { groups: [], print: () => undefined }
        : { groups: [{ name: GROUP.name, posts: ['digest', 'reminders', 'admin'], accessToken: GROUP.token, secret: GROUP.secret }] },
    });
    apps.push(app);
    urls.push(url);
  }
  return {
    fake,
    configDir: dir,
    apps,
    urls,
    async close() {
      await Promise.all(apps.map((app) => app.close()));
      await fake.close();
    },
  };
}
