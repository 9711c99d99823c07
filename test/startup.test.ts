import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURE_FILES } from './helpers/knowledge-fixture.js';
import { tempKnowledge } from './helpers/temp-knowledge.js';

interface Started {
  code: number | null;
  stderr: string;
}

const running = new Set<ChildProcess>();
afterEach(() => {
  // A test that failed leaves no bot behind.
  for (const child of running) child.kill('SIGKILL');
});

/** The bot as `npm start` runs it (from the sources, through tsx, so nothing is compiled), with these settings. */
function startBot(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, CONFIG_DIR: 'config', KNOWLEDGE_DIR: tempKnowledge(FIXTURE_FILES), DATA_DIR: join(tempKnowledge({}), 'data'), PORT: '0', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Started>((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  /** The first log line with this message. */
  const logged = (msg: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const record = JSON.parse(line) as Record<string, unknown>;
        if (record.msg === msg) resolve(record);
      });
      void exited.then(() => reject(new Error(`the bot exited without logging "${msg}": ${stderr}`)));
    });
  return { child, exited, logged };
}

const listening = (host: string) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer().listen(0, host, () => resolve(server));
    server.once('error', reject);
  });

let blocker: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
  blocker = undefined;
});

describe('start-up failures', () => {
  it('a port in use: exits 2 within 10 s with one line naming the port', async () => {
    blocker = await listening('::');
    const { port } = blocker.address() as AddressInfo;
    const started = Date.now();
    const { code, stderr } = await startBot({ PORT: String(port) }).exited;
    expect(code).toBe(2);
    expect(stderr).toBe(`cannot listen on port ${port} (PORT / server.port): the port is in use by another program; stop it or set PORT to a free port\n`);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 20_000);

  it('a knowledge folder that cannot be read: exits 2 with one line naming the folder', async () => {
    const missing = join(tempKnowledge({}), 'no-such-folder');
    const { code, stderr } = await startBot({ KNOWLEDGE_DIR: missing }).exited;
    expect(code).toBe(2);
    expect(stderr).toBe(`cannot read the knowledge folder ${missing} (KNOWLEDGE_DIR / knowledge.dirs): it does not exist\n`);
  }, 20_000);

  it('a Redis that refuses: exits 2 with one line naming its host and port, never the password', async () => {
    // A port nothing listens on: taken, then freed.
    const free = await listening('127.0.0.1');
    const { port } = free.address() as AddressInfo;
    await new Promise((resolve) => free.close(resolve));
    const { code, stderr } = await startBot({ REDIS_URL: `redis://:s3cret-pass@127.0.0.1:${port}/0` }).exited;
    expect(code).toBe(2);
    expect(stderr).toBe(`cannot use Redis at 127.0.0.1:${port} (REDIS_URL): the connection was refused (is Redis running there?)\n`);
  }, 20_000);
});

describe('HOST', () => {
  it('listens on the address it names only; without it, on every interface', async () => {
    const only = startBot({ HOST: '127.0.0.1' });
    const every = startBot({});
    const [one, all] = await Promise.all([only.logged('listening'), every.logged('listening')]);
    expect(one).toMatchObject({ host: '127.0.0.1' });
    expect(all).toMatchObject({ host: '::' });
    const status = (url: string) => fetch(url).then((r) => r.status, () => 'refused');
    expect(await status(`http://127.0.0.1:${String(one.port)}/healthz`)).toBe(200);
    expect(await status(`http://[::1]:${String(one.port)}/healthz`)).toBe('refused');
    expect(await status(`http://[::1]:${String(all.port)}/healthz`)).toBe(200);
  }, 20_000);
});
