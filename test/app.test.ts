import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/logger.js';
import { createApp, type App } from '../src/app.js';
import { startFakeDingTalk, type FakeDingTalk } from './helpers/fake-dingtalk.js';
import { FIXTURE_FILES } from './helpers/knowledge-fixture.js';
import { tempKnowledge } from './helpers/temp-knowledge.js';
import { APP_SECRET, groupMessage, signedHeaders } from './helpers/start-bot-server.js';
import { parseMetrics, sampleValue } from './helpers/parse-metrics.js';

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

// The steps of one story, in order: each test starts from the state the one before it left
// (vitest's sequence.shuffle must not reorder them).
describe('createApp from the environment', { shuffle: false }, () => {
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

  it('serves its metrics, with the knowledge it serves', async () => {
    const samples = parseMetrics(await (await fetch(`${url}/metrics`)).text());
    const entries = (kind: string) => sampleValue(samples, 'dingtalk_qa_bot_knowledge_entries', { kind });
    expect([entries('faq'), entries('release'), entries('event'), entries('reading')]).toEqual([5, 4, 3, 1]);
    expect(sampleValue(samples, 'dingtalk_qa_bot_knowledge_errors')).toBe(0);
    expect(sampleValue(samples, 'dingtalk_qa_bot_knowledge_builds_pending')).toBe(0);
    expect(sampleValue(samples, 'dingtalk_qa_bot_callbacks_total', { outcome: 'not_ready' })).toBe(1);
    expect(sampleValue(samples, 'dingtalk_qa_bot_callbacks_total', { outcome: 'accepted' })).toBe(1);
    expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('has no /metrics with metrics.enabled false', async () => {
    const config = loadConfig({ CONFIG_DIR: 'config', DATA_DIR: tempKnowledge({}), LOG_LEVEL: 'silent' });
    const quiet = createApp({ config: { ...config, metrics: { enabled: false } }, logger: createLogger('silent') });
    const server = await quiet.listen(0, '127.0.0.1');
    try {
      expect(quiet.metrics).toBeUndefined();
      expect((await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`)).status).toBe(404);
    } finally {
      await quiet.close();
    }
  });
});
