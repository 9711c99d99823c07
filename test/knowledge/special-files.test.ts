import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, renameSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKnowledgeStore, type KnowledgeStore } from '../../src/knowledge/create-knowledge-store.js';
import { formatProblem } from '../../src/knowledge/entry.js';
import { loadFile, loadKnowledge } from '../../src/knowledge/load-knowledge.js';
import { createLogger } from '../../src/logger.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';

const options = { zone: 'Asia/Shanghai', maxFileBytes: 1024 * 1024 };
const faq = (question: string, answer: string) => `---\nquestion: ${question}\n---\n${answer}\n`;
const PIPE = 'not a regular file (a named pipe): only regular files are read';

function listenOn(path: string): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer().listen(path, () => resolve(server));
  });
}

/** Polls until `check` holds, for at most five seconds; the watcher settles edits in 50 ms here. */
async function until(check: () => boolean): Promise<void> {
  const since = Date.now();
  while (!check() && Date.now() - since < 5_000) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('loadKnowledge and files that are not regular files', () => {
  it('reports a named pipe and a socket by file name and loads the rest', async () => {
    const dir = tempKnowledge({ 'faq/good.md': faq('Seata 全局锁是行级的吗？', '是行级的。') });
    execFileSync('mkfifo', [join(dir, 'faq/pipe.md')]);
    const server = await listenOn(join(dir, 'faq/socket.md'));
    try {
      const { entries, problems } = await loadKnowledge({ ...options, dirs: [dir] });
      expect(problems.map(formatProblem)).toEqual([
        `${join(dir, 'faq/pipe.md')}:1: ${PIPE}`,
        `${join(dir, 'faq/socket.md')}:1: not a regular file (a socket): only regular files are read`,
      ]);
      expect(entries.map((e) => e.id)).toEqual(['faq/good']);
    } finally {
      server.close();
    }
  });

  it('gives up on a file the file system does not hand over within the read timeout', async () => {
    // Every libuv thread held opening a pipe (blocking, as a plain open does): from the inside this
    // is what a hung network mount looks like, every file-system call waits.
    const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const holder = tempKnowledge({});
    const pipes = Array.from({ length: threads }, (_, i) => join(holder, `pipe-${i}`));
    for (const pipe of pipes) execFileSync('mkfifo', [pipe]);
    const held: Array<Promise<FileHandle>> = pipes.map((pipe) => open(pipe, 'r'));
    const dir = tempKnowledge({ 'faq/good.md': faq('Seata 全局锁是行级的吗？', '是行级的。') });
    try {
      const result = await loadFile(join(dir, 'faq/good.md'), 'faq/good.md', { ...options, dirs: [dir], readTimeoutMs: 300 });
      expect(result.problems.map(formatProblem)).toEqual([`${join(dir, 'faq/good.md')}:1: the file system did not hand over the file within 0.3 s`]);
      expect(result.entries).toEqual([]);
    } finally {
      // A writer opening each pipe (from this thread, without blocking) lets the held opens return.
      for (const pipe of pipes) {
        for (;;) {
          try {
            closeSync(openSync(pipe, constants.O_WRONLY | constants.O_NONBLOCK));
            break;
          } catch {
            // ENXIO: that open has not reached the pipe yet.
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        }
      }
      for (const handle of await Promise.all(held)) await handle.close();
    }
  });
});

describe('the knowledge store and a named pipe', () => {
  let store: KnowledgeStore | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  const start = async (dir: string): Promise<KnowledgeStore> => {
    const started = createKnowledgeStore({ ...options, dirs: [dir], logger: createLogger('silent'), settleMs: 50 });
    await started.load();
    await started.watch(() => undefined);
    return started;
  };
  const bodyOf = (s: KnowledgeStore, id: string) => s.current()?.entries.find((e) => e.id === id)?.body;

  it('reports a pipe added while watching, applies later edits of other files and answers a reload', async () => {
    const dir = tempKnowledge({ 'faq/a.md': faq('SOFAJRaft 支持 Multi-Raft 吗？', '第一版。') });
    store = await start(dir);
    const running = store;
    execFileSync('mkfifo', [join(dir, 'faq/pipe.md')]);
    writeFileSync(join(dir, 'faq/a.md'), faq('SOFAJRaft 支持 Multi-Raft 吗？', '第二版。'));
    await until(() => bodyOf(running, 'faq/a') === '第二版。');
    expect(bodyOf(store, 'faq/a')).toBe('第二版。');
    expect(store.current()?.problems.map(formatProblem)).toEqual([`${join(dir, 'faq/pipe.md')}:1: ${PIPE}`]);
    // Before, the watcher's read of the pipe never returned, and the reload queued behind it.
    const reloaded = await store.reload();
    expect(reloaded.problems.map(formatProblem)).toEqual([`${join(dir, 'faq/pipe.md')}:1: ${PIPE}`]);
    expect(reloaded.entries.map((e) => e.id)).toEqual(['faq/a']);
  });

  it('keeps the last good entries of a file replaced by a named pipe', async () => {
    const dir = tempKnowledge({ 'faq/a.md': faq('SOFAJRaft 支持 Multi-Raft 吗？', '好的版本。') });
    store = await start(dir);
    const running = store;
    const staged = join(tempKnowledge({}), 'pipe');
    execFileSync('mkfifo', [staged]);
    // A rename replaces the file in one step, as editors and `git checkout` do.
    renameSync(staged, join(dir, 'faq/a.md'));
    await until(() => (running.current()?.problems.length ?? 0) > 0);
    expect(store.current()?.problems.map(formatProblem)).toEqual([`${join(dir, 'faq/a.md')}:1: ${PIPE}`]);
    expect(bodyOf(store, 'faq/a')).toBe('好的版本。');
  });
});
