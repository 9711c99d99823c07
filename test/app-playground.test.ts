import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/logger.js';
import { createApp, type App } from '../src/app.js';
import { FIXTURE_FILES } from './helpers/knowledge-fixture.js';
import { tempKnowledge } from './helpers/temp-knowledge.js';

// Switching the playground on is a setting and a secret: both are needed, and the log says which is missing.
const TOKEN = 'app-playground-token-0123456789';
let app: App | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(env: Record<string, string>): Promise<{ url: string; logLines: string[] }> {
  const configDir = tempKnowledge({ 'local.yaml': 'playground:\n  enabled: true\n' });
  for (const name of ['default.yaml', 'synonyms.yaml']) copyFileSync(join('config', name), join(configDir, name));
  const config = loadConfig({ CONFIG_DIR: configDir, PORT: '0', KNOWLEDGE_DIR: tempKnowledge(FIXTURE_FILES), DATA_DIR: tempKnowledge({}), ...env });
  const logLines: string[] = [];
  app = createApp({ config, logger: createLogger('info', { write: (line: string) => void logLines.push(line) }), print: () => undefined });
  const server = await app.listen(0, '127.0.0.1');
  await app.load();
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, logLines };
}

describe('playground.enabled', () => {
  it('without PLAYGROUND_TOKEN keeps the playground off and warns why; the bot still serves', async () => {
    const { url, logLines } = await start({});
    expect((await fetch(`${url}/playground`)).status).toBe(404);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(logLines.some((l) => l.includes('"level":"warn"') && l.includes('PLAYGROUND_TOKEN is not set: the playground stays off'))).toBe(true);
  });

  it('with PLAYGROUND_TOKEN serves it, and never logs the token', async () => {
    const { url, logLines } = await start({ PLAYGROUND_TOKEN: TOKEN });
    expect((await fetch(`${url}/playground`)).status).toBe(401);
    const response = await fetch(`${url}/playground/api/ask`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'jraft 支持 multi raft 吗' }),
    });
    expect(((await response.json()) as { handledAs: string }).handledAs).toBe('answer');
    expect(logLines.some((l) => l.includes('"msg":"playground enabled"'))).toBe(true);
    expect(logLines.join('\n')).not.toContain(TOKEN);
  });

  it('lists the groups subscribed from the chat, with what each receives', async () => {
    const dataDir = tempKnowledge({ 'subscriptions.json': JSON.stringify({ 'cidGroupA==': { title: 'Group A', posts: { digest: '2024-05-20T02:00:00.000Z' } } }) });
    const { url } = await start({ PLAYGROUND_TOKEN: TOKEN, DATA_DIR: dataDir });
    const response = await fetch(`${url}/playground/api/subscriptions`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await response.json()).toEqual({ groups: [{ title: 'Group A', openConversationId: 'cidGroupA==', posts: { digest: '2024-05-20 10:00' } }] });
    expect((await fetch(`${url}/playground/api/subscriptions`)).status).toBe(401);
  });
});
