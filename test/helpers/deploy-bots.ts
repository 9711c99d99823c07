import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '../../src/app.js';
import { startFakeDingTalk, type FakeDingTalk } from './fake-dingtalk.js';
import { FIXTURE_FILES } from './knowledge-fixture.js';
import { tempKnowledge } from './temp-knowledge.js';
import { startApp } from './start-app.js';

// Bot instances as an operator deploys them (createApp from configuration and environment), in
// this process, beside one fake DingTalk: for tests of several instances and of failures.

export const GROUP = { name: 'community', token: 'token-reliability', secret: 'SECreliability-test-secret' };

export type StoreKind = 'file' | 'redis';

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
export async function deploy(options: { store: StoreKind; instances: number; redisUrl?: string; knowledge: Record<string, string> }): Promise<Deployment> {
  const fake = await startFakeDingTalk({ robots: { [GROUP.token]: { secret: GROUP.secret } } });
  const knowledgeDir = tempKnowledge({ ...FIXTURE_FILES, ...options.knowledge });
  const prefix = `reliability-${process.pid}-${Date.now()}:`;
  const dir = configDir(`${FAST_ROBOT}state:\n  redisKeyPrefix: "${prefix}"\n`);
  const apps: App[] = [];
  const urls: string[] = [];
  for (let i = 0; i < options.instances; i++) {
    const { app, url } = await startApp({
      fake,
      knowledgeDir,
      env: { CONFIG_DIR: dir, ...(options.store === 'redis' ? { REDIS_URL: options.redisUrl } : {}) },
      deps: { groups: [{ name: GROUP.name, posts: ['digest', 'reminders', 'admin'], accessToken: GROUP.token, secret: GROUP.secret }] },
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
