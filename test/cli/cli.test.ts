import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';
import { badKnowledge, jsFrontMatterMarker } from '../helpers/bad-knowledge.js';

/** An archived weekly post with mistyped links (test/fixtures/weekly). */
const POST = '2019-08-02-sofa-weekly-20190802.md';

async function run(args: string[], stdin?: string, configDir = 'config') {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), ...(stdin === undefined ? {} : { stdin: Readable.from([stdin]) }) };
  const code = await runCli(args, { CONFIG_DIR: configDir }, io);
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

  it('warns about each mistyped link of an archived post, with its line', async () => {
    const dir = tempKnowledge({ [`weekly/${POST}`]: readFileSync(`test/fixtures/weekly/${POST}`, 'utf8') });
    const { code, out, err } = await run(['validate', '--knowledge', dir]);
    expect(code).toBe(0);
    expect(out).toEqual([
      `${dir}/weekly/${POST}:22: warning: mistyped link target "https:/github.com/sofastack/sofa-rpc/blob/master/generic.md": read as https://github.com/sofastack/sofa-rpc/blob/master/generic.md`,
      `${dir}/weekly/${POST}:22: warning: mistyped link target "ttps://github.com/sofastack/sofa-rpc/issues/1234": read as https://github.com/sofastack/sofa-rpc/issues/1234`,
      `${dir}/weekly/${POST}:22: warning: link target "h/blog/rpc-connection/" is not a URL and no repair is certain: the link is dropped`,
      `${dir}/weekly/${POST}:30: warning: mistyped link target "http//seata.example.org/docs/at": read as http://seata.example.org/docs/at`,
    ]);
    expect(err).toEqual(['1 files, 3 entries, 0 errors, 4 warnings']);
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

describe('cli ask', () => {
  const dir = tempKnowledge({
    'faq/a.md': '---\nquestion: SOFAJRaft 支持 Multi-Raft 吗？\nproject: SOFAJRaft\nlinks:\n  - title: RheaKV\n    url: https://example.org/rheakv\n---\n支持，RheaKV 就是基于 multi raft group 实现的。\n',
    'events/next.md': '---\ntitle: SOFAChannel#40\nstart: 2024-05-30T19:00\nkind: live\n---\n',
  });

  it('answers JSON lines in the scorer\'s contract, one per question', async () => {
    const { code, out } = await run(['ask', '--knowledge', dir, '--now', '2024-05-20T12:00:00+08:00', '--jsonl'], 'jraft 支持 multi raft 吗\n大家早上好\n下次直播什么时候\n');
    expect(code).toBe(0);
    const [answered, quiet, event] = out.map((l) => JSON.parse(l) as { question: string; answered: boolean; ms: number; matches: Record<string, unknown>[] });
    expect(answered).toMatchObject({ question: 'jraft 支持 multi raft 吗', answered: true });
    expect(answered?.ms).toBeGreaterThanOrEqual(0);
    expect(answered?.matches[0]).toMatchObject({
      kind: 'faq',
      id: 'faq/a',
      title: 'SOFAJRaft 支持 Multi-Raft 吗？',
      answer: '支持，RheaKV 就是基于 multi raft group 实现的。',
      url: 'https://example.org/rheakv',
      source: { file: `${dir}/faq/a.md`, line: 1 },
    });
    expect(quiet).toMatchObject({ question: '大家早上好', answered: false, matches: [] });
    expect(event?.matches[0]).toMatchObject({ kind: 'event', id: 'events/next' });
  });

  it('prints the reply as the group sees it', async () => {
    const { code, out } = await run(['ask', '--knowledge', dir, 'jraft 支持 multi raft 吗']);
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/^\*\*SOFAJRaft 支持 Multi-Raft 吗？\*\*\n\n支持，RheaKV/);
    expect(out.join('\n')).toContain('[RheaKV](https://example.org/rheakv)');
  });

  it('cites an archived answer\'s post on the website set by knowledge.archiveSiteUrl', async () => {
    const weekly = tempKnowledge({ [`weekly/${POST}`]: readFileSync(`test/fixtures/weekly/${POST}`, 'utf8') });
    const site = tempKnowledge({ 'local.yaml': 'knowledge:\n  archiveSiteUrl: https://mirror.example.org\n' });
    for (const name of ['default.yaml', 'synonyms.yaml']) copyFileSync(`config/${name}`, join(site, name));
    const { code, out } = await run(['ask', '--knowledge', weekly, 'SOFATracer 能和 Dubbo 一起用吗'], undefined, site);
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/\n\n来自 \[SOFA Weekly 2019-08-02\]\(https:\/\/mirror\.example\.org\/blog\/sofa-weekly-20190802\/\)$/);
  });

  it('needs a question or --jsonl, and a valid --now', async () => {
    expect((await run(['ask', '--knowledge', dir])).code).toBe(2);
    expect((await run(['ask', '--knowledge', dir, '--now', 'tomorrow', 'q'])).code).toBe(2);
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
