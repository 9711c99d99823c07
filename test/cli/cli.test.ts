import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';
import { badKnowledge, jsFrontMatterMarker } from '../helpers/bad-knowledge.js';

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { CONFIG_DIR: 'config' }, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('cli validate', () => {
  it('passes on good knowledge and prints a summary', async () => {
    const dir = tempKnowledge({ 'faq/a.md': '---\nquestion: q\n---\na\n' });
    const { code, out, err } = await run(['validate', '--knowledge', dir]);
    expect(code).toBe(0);
    expect(out).toEqual([]);
    expect(err).toEqual(['1 files, 1 entries, 0 errors, 0 warnings']);
  });

  it('prints every problem as file:line: message and exits 1', async () => {
    const a = tempKnowledge({ 'faq/a.md': '---\nquestion: q\n---\n' });
    const b = tempKnowledge({ 'faq/b.md': '---\nquestion: [\n---\nx\n' });
    const { code, out } = await run(['validate', '--knowledge', a, '--knowledge', b]);
    expect(code).toBe(1);
    expect(out).toEqual([`${a}/faq/a.md:4: the answer (the text after the front matter) is empty`, expect.stringMatching(new RegExp(`^${b}/faq/b\\.md:\\d+: invalid YAML`))]);
  });

  it('rejects unknown options and commands with usage, exit 2', async () => {
    expect((await run(['validate', '--knowlege', 'x'])).code).toBe(2);
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err.join('\n')).toMatch(/unknown command "frobnicate"/);
  });
});

describe('cli export', () => {
  it('prints one JSON object a line with the documented fields', async () => {
    const dir = tempKnowledge({
      'faq/a.md': '---\nquestion: 问题？\nproject: Seata\nlinks:\n  - title: t\n    url: https://example.org/t\n---\n答案\n',
      'releases/r.md': '---\nproject: MOSN\nversion: v0.12.0\ndate: 2020-05-01\n---\n- SkyWalking\n',
      'events/e.md': '---\ntitle: 直播\nstart: 2024-05-30T19:00\n---\n',
    });
    const { code, out } = await run(['export', '--knowledge', dir]);
    expect(code).toBe(0);
    const records = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toEqual([
      expect.objectContaining({ id: 'events/e', kind: 'event', title: '直播', start: '2024-05-30T19:00:00+08:00', answer: '', source: { file: `${dir}/events/e.md`, line: 1 } }),
      expect.objectContaining({ id: 'faq/a', kind: 'faq', title: '问题？', answer: '答案', project: 'Seata', url: 'https://example.org/t', links: [{ title: 't', url: 'https://example.org/t' }] }),
      expect.objectContaining({ id: 'releases/r', kind: 'release', title: 'MOSN v0.12.0', version: 'v0.12.0', date: '2020-05-01', answer: '- SkyWalking' }),
    ]);
  });
});

describe('`npm run --silent cli -- validate` as a process', () => {
  const env = { ...process.env, KNOWLEDGE_DIR: '', CONFIG_DIR: '' };

  it('passes on the sample knowledge', async () => {
    const { stdout, stderr } = await promisify(execFile)('npm', ['run', '--silent', 'cli', '--', 'validate'], { env });
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^\d+ files, \d+ entries, 0 errors, 0 warnings\n$/);
  }, 30_000);

  it('names every bad file, exits 1, runs no front-matter code and does not crash', async () => {
    rmSync(jsFrontMatterMarker, { force: true });
    const { dir, expected } = badKnowledge();
    const result = await promisify(execFile)('npm', ['run', '--silent', 'cli', '--', 'validate', '--knowledge', dir], { env }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (err: { code: number; stdout: string; stderr: string }) => err,
    );
    expect(result.code).toBe(1);
    expect(result.stdout.trimEnd().split('\n')).toEqual(expected);
    expect(result.stderr).toBe('14 files, 4 entries, 10 errors, 0 warnings\n');
    expect(existsSync(jsFrontMatterMarker)).toBe(false);
  }, 30_000);
});
