import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempKnowledge } from '../helpers/temp-knowledge.js';

const run = promisify(execFile);

// A bot on HTTP callbacks with its state in files, not posting yet, as `npm start` runs it on the
// sample configuration: ioredis (Redis state), ws (Stream mode) and axios (requests to DingTalk)
// stay unloaded until something needs them, 8 MB of the main thread's heap between them.
const START_AND_LIST = `
const { loadConfig } = await import('./src/config/load-config.ts');
const { createLogger } = await import('./src/logger.ts');
const { createApp } = await import('./src/app.ts');
const config = loadConfig({ CONFIG_DIR: 'config', DATA_DIR: process.env.TEST_DATA_DIR, LOG_LEVEL: 'silent' });
const app = createApp({ config, logger: createLogger('silent') });
await app.listen(0, '127.0.0.1');
await app.load();
await app.close();
// ioredis is required (CommonJS), which the ESM hooks do not see: the require cache holds it then.
const { createRequire } = await import('node:module');
const required = Object.keys(createRequire(process.cwd() + '/').cache).map((path) => 'file://' + path);
process.stdout.write(JSON.stringify([...globalThis.recordedImports, ...required]));
`;

describe('what a start loads', () => {
  it('leaves the Redis client, the WebSocket client and axios unloaded until they are needed', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--import', './test/helpers/record-imports.js', '--input-type=module', '-e', START_AND_LIST], {
      env: { ...process.env, TEST_DATA_DIR: tempKnowledge({}) },
    });
    const imported = JSON.parse(stdout) as string[];
    // The recording itself works: the app's own modules and express are among them.
    expect(imported.some((url) => url.endsWith('/src/app.ts'))).toBe(true);
    expect(imported.some((url) => url.includes('/node_modules/express/'))).toBe(true);
    for (const lazy of ['ioredis', 'ws', 'axios']) expect(imported.filter((url) => url.includes(`/node_modules/${lazy}/`))).toEqual([]);
  });
});
