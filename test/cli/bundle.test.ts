// The command line runs bundled (scripts/bundle-cli.js, dist/cli.js): this bundles it the same way
// and runs the bundle as a user would, against the same commands run from the sources.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';

const exec = promisify(execFile);
const POST = '2019-08-02-sofa-weekly-20190802.md';
// Inside the project, as dist/cli.js is: the bundle finds node_modules and the package from there.
const cacheRoot = resolve('node_modules/.cache');
let bundle: string;

async function fromSources(args: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.map((l) => `${l}\n`).join(''), stderr: err.map((l) => `${l}\n`).join('') };
}

async function bundled(args: string[], env: NodeJS.ProcessEnv) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [bundle, ...args], { env: { PATH: process.env.PATH, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  mkdirSync(cacheRoot, { recursive: true });
  bundle = join(mkdtempSync(join(cacheRoot, 'cli-bundle-')), 'cli.js');
  await exec(process.execPath, ['scripts/bundle-cli.js', '--outfile', bundle]);
}, 60_000);

describe('the bundled command line', () => {
  it('answers, validates, exports and plans as the sources do, and keeps its snapshot', async () => {
    const knowledge = tempKnowledge({
      'faq/multi-raft.md': '---\nquestion: SOFAJRaft 支持 Multi-Raft 吗？\nproject: SOFAJRaft\n---\n支持，一个进程可以有多个 Raft 组。\n',
      [`weekly/${POST}`]: readFileSync(`test/fixtures/weekly/${POST}`, 'utf8'),
    });
    // Each its own DATA_DIR: the bundle must write its snapshot and settings cache itself.
    const env = { CONFIG_DIR: resolve('config'), DATA_DIR: join(tempKnowledge({}), 'data') };
    const sourcesEnv = { ...env, DATA_DIR: join(tempKnowledge({}), 'data') };
    for (const args of [
      ['ask', '--knowledge', knowledge, '--now', '2024-01-01T00:00:00Z', 'jraft 支持 multi raft 吗'],
      ['validate', '--knowledge', knowledge],
      ['export', '--knowledge', knowledge],
      ['digest', '--knowledge', knowledge, '--week', '2019-08-01', '--format', 'json'],
    ]) {
      const result = await bundled(args, env);
      expect(result, args[0]).toEqual(await fromSources(args, sourcesEnv));
    }
    expect((await bundled(['ask', '--knowledge', knowledge, 'jraft 支持 multi raft 吗'], env)).stdout).toContain('一个进程可以有多个 Raft 组');
    const cache = readdirSync(join(env.DATA_DIR, 'cache'));
    expect(cache.filter((n) => n.startsWith('knowledge-'))).toHaveLength(1);
    expect(cache.filter((n) => n.startsWith('settings-'))).toHaveLength(2);
  }, 60_000);

  it('fails as the sources do on a bad setting: one message, exit 2', async () => {
    const env = { CONFIG_DIR: resolve('config'), DATA_DIR: join(tempKnowledge({}), 'data'), DINGTALK_MODE: 'carrier-pigeon' };
    const result = await bundled(['validate'], env);
    expect(result.code).toBe(2);
    expect(result).toEqual(await fromSources(['validate'], env));
  });
});
