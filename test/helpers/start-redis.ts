import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real redis-server of the test's own, on a loopback port and a temporary folder, keeping what it
 * acknowledged across its restarts (append-only file, fsync on every write) as production should.
 */
export interface TestRedis {
  url: string;
  port: number;
  /** Stops it (SIGKILL: nothing gets a chance to flush) and starts it again on the same port and data. */
  restart(options?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

const SERVER = 'redis-server';

/** Whether Debian's redis-server is installed; CI installs it (.ci/run), a user's machine may not have it. */
export function redisAvailable(): boolean {
  return spawnSync(SERVER, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Skip the Redis tests without redis-server, except where REQUIRE_REDIS=1 (CI) makes that a failure. */
export const skipRedis = !redisAvailable() && process.env.REQUIRE_REDIS !== '1';
if (skipRedis) process.stderr.write('redis-server not found: Redis tests skipped (apt-get install redis-server, or run .ci/run)\n');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'qa-bot-redis-'));
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--protected-mode', 'no'], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await accepting(port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    async restart({ downMs = 0 } = {}) {
      await stop();
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    close: stop,
  };
}
