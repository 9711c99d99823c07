import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/** util-linux's `script`, which runs a command on a terminal of its own; CI's image has it. */
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasScript) process.stderr.write('script not found: the test of logs on a terminal is skipped (apt-get install util-linux)\n');

/**
 * The bot as `npm start` runs it (from the sources, through tsx, so nothing is compiled), with these
 * settings; with `terminal`, its standard output is a terminal (through `script`).
 */
function startBot(env: Record<string, string>, { terminal = false } = {}) {
  const bot = [process.execPath, '--import', 'tsx', 'src/main.ts'];
  const [command, ...args] = terminal ? ['script', '--quiet', '--flush', '--return', '--command', `exec ${bot.join(' ')}`, '/dev/null'] : bot;
  const child = spawn(command as string, args, {
    env: { ...process.env, CONFIG_DIR: 'config', KNOWLEDGE_DIR: tempKnowledge(FIXTURE_FILES), DATA_DIR: join(tempKnowledge({}), 'data'), PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Started>((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const wake of [...waiters]) wake();
  });
  /** Resolves with the lines so far once one of them contains `text`. */
  const printed = (text: string) =>
    new Promise<string[]>((resolve, reject) => {
      const check = () => {
        if (!lines.some((l) => l.includes(text))) return;
        waiters.delete(check);
        resolve(lines);
      };
      waiters.add(check);
      check();
      void exited.then(() => waiters.has(check) && reject(new Error(`the bot exited without printing "${text}": ${stderr}`)));
    });
  /** The first JSON log line with this message. */
  const logged = async (msg: string) =>
    (await printed(`"msg":"${msg}"`)).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === msg) as Record<string, unknown>;
  return { child, exited, printed, logged };
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

describe('logs', () => {
  const LOCAL_TIME = /^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}):\d{2}\.\d{3}\] /;
  /** GitHub's anchor of each heading in README.md. */
  const readmeAnchors = readFileSync('README.md', 'utf8')
    .split('\n')
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) => line.replace(/^#+ /, '').toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-'));

  it('are JSON with ISO times when standard output is not a terminal, and the first lines name the callback path and link the README section on connecting DingTalk', async () => {
    const bot = startBot({ DINGTALK_APP_SECRET: '' });
    const lines = (await bot.printed('listening')).map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const line of lines) expect(line.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(lines[0]).toMatchObject({ level: 'info', callback: '/dingtalk/callback', guide: 'README.md#connecting-dingtalk' });
    expect(lines[0]?.msg).toContain('POST /dingtalk/callback');
    expect(readmeAnchors).toContain('connecting-dingtalk');
    expect(lines[1]).toMatchObject({ level: 'warn', msg: expect.stringMatching(/^DINGTALK_APP_SECRET is not set: .*README\.md#connecting-dingtalk/) as string });
  }, 20_000);

  it('are readable lines with the local time with LOG_FORMAT=pretty', async () => {
    const bot = startBot({ LOG_FORMAT: 'pretty', TZ: 'Asia/Shanghai' });
    const lines = await bot.printed('listening');
    const shanghai = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short' });
    const [first] = lines;
    expect(first).toMatch(LOCAL_TIME);
    expect(first).toContain('INFO: DingTalk delivers messages to POST /dingtalk/callback');
    // The local time of the zone, not UTC (within the minute it was written, allowing for a slow start).
    const written = LOCAL_TIME.exec(first ?? '')?.[1];
    const aroundNow = [0, 60_000, 120_000].map((ago) => shanghai.format(new Date(Date.now() - ago)));
    expect(aroundNow).toContain(written);
  }, 20_000);

  it.skipIf(!hasScript)('are readable coloured lines on a terminal, and JSON there with LOG_FORMAT=json', async () => {
    const [pretty, json] = await Promise.all([startBot({}, { terminal: true }).printed('listening'), startBot({ LOG_FORMAT: 'json' }, { terminal: true }).printed('listening')]);
    expect(pretty[0]).toMatch(LOCAL_TIME);
    // INFO in green.
    expect(pretty[0]).toContain('\x1b[32mINFO\x1b[39m');
    expect(pretty.filter((l) => l.startsWith('{'))).toEqual([]);
    for (const line of json) expect(JSON.parse(line)).toMatchObject({ time: expect.stringMatching(/Z$/) as string });
  }, 20_000);

  it('refuses an unknown LOG_FORMAT naming it', async () => {
    const { code, stderr } = await startBot({ LOG_FORMAT: 'xml' }).exited;
    expect(code).toBe(2);
    expect(stderr).toMatch(/log\.format: .*\(from env LOG_FORMAT\)/);
  }, 20_000);
});
