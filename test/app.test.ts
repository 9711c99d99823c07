import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/logger.js';
import { createApp, type App } from '../src/app.js';
import { startFakeDingTalk, type FakeDingTalk } from './helpers/fake-dingtalk.js';
import { FIXTURE_FILES } from './helpers/knowledge-fixture.js';
import { tempKnowledge } from './helpers/temp-knowledge.js';
import { APP_SECRET, groupMessage, signedHeaders } from './helpers/start-bot-server.js';

// What an operator sets is all the bot needs: the environment alone wires it to a group.
let fake: FakeDingTalk;
let app: App;
let url: string;

beforeAll(async () => {
  fake = await startFakeDingTalk();
  const config = loadConfig({
    CONFIG_DIR: 'config',
    PORT: '0',
    DINGTALK_APP_SECRET: APP_SECRET,
    KNOWLEDGE_DIR: tempKnowledge(FIXTURE_FILES),
    DATA_DIR: tempKnowledge({}),
    DINGTALK_SESSION_HOSTS: new URL(fake.url).host,
    DINGTALK_API_BASE: fake.url,
    LOG_LEVEL: 'silent',
  });
  app = createApp({ config, logger: createLogger(config.log.level) });
  const server = await app.listen(config.server.port, '127.0.0.1');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app.close();
  await fake.close();
});

describe('createApp from the environment', () => {
  it('is alive at once and ready once the knowledge is loaded', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect((await fetch(`${url}/dingtalk/callback`, { method: 'POST', headers: signedHeaders(), body: JSON.stringify(groupMessage('jraft', fake.sessionWebhook('early'))) })).status).toBe(503);
    await app.load();
    expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({ status: 'ready', entries: { faq: 5 } });
  });

  it('answers a signed group question through the allow-listed session webhook', async () => {
    const response = await fetch(`${url}/dingtalk/callback`, { method: 'POST', headers: signedHeaders(), body: JSON.stringify(groupMessage('jraft 支持 multi raft 吗', fake.sessionWebhook('env'))) });
    expect(response.status).toBe(200);
    const [reply] = await fake.waitFor((r) => r.query.session === 'env');
    expect(JSON.stringify(reply?.json)).toContain('RheaKV');
  });
});
