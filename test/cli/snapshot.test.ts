import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, SNAPSHOT_FOLDER } from '../../src/cli.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';

const QUESTION = 'jraft 支持 multi raft 吗';
const faq = (answer: string) => `---\nquestion: SOFAJRaft 支持 Multi-Raft 吗？\nproject: SOFAJRaft\n---\n${answer}\n`;

async function ask(knowledge: string, dataDir: string, configDir = 'config', command = 'ask') {
  const out: string[] = [];
  const err: string[] = [];
  const args = command === 'ask' ? ['ask', '--knowledge', knowledge, QUESTION] : [command, '--knowledge', knowledge];
  const code = await runCli(args, { CONFIG_DIR: configDir, DATA_DIR: dataDir }, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The one snapshot file the runs so far wrote. */
function snapshotFile(dataDir: string): string {
  const dir = join(dataDir, SNAPSHOT_FOLDER);
  // The settings' parse is kept beside it (settings-…, load-config.ts).
  const names = readdirSync(dir).filter((name) => name.startsWith('knowledge-'));
  expect(names).toHaveLength(1);
  return join(dir, names[0] as string);
}

/** Rewrites text inside the snapshot, to tell an answer served from it from one read afresh. */
function tamper(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replaceAll(from, to));
}

describe('the command line\'s knowledge snapshot', () => {
  it('is served while the knowledge is unchanged, and never once a file is edited, added or removed', async () => {
    const knowledge = tempKnowledge({ 'faq/multi-raft.md': faq('支持，第一版答案。') });
    const dataDir = tempKnowledge({});
    expect((await ask(knowledge, dataDir)).out).toContain('第一版答案');
    const file = snapshotFile(dataDir);

    // Unchanged knowledge: the answer comes from the snapshot (here tampered with, to show it).
    tamper(file, '第一版答案', '快照里的答案');
    expect((await ask(knowledge, dataDir)).out).toContain('快照里的答案');

    // Edited: the file is imported again, whatever the snapshot holds.
    writeFileSync(join(knowledge, 'faq/multi-raft.md'), faq('支持，第二版答案。'));
    const edited = await ask(knowledge, dataDir);
    expect(edited.out).toContain('第二版答案');
    expect(edited.out).not.toContain('快照里的答案');

    // Removed, with another file added: the removed entry is gone.
    rmSync(join(knowledge, 'faq/multi-raft.md'));
    writeFileSync(join(knowledge, 'faq/other.md'), '---\nquestion: Seata 支持 XA 模式吗？\nproject: Seata\n---\n支持。\n');
    const removed = await ask(knowledge, dataDir, 'config', 'export');
    expect(removed.out).not.toContain('第二版答案');
    expect(removed.out).toContain('Seata 支持 XA 模式吗');
  });

  it('keeps the narrowed dictionary, and answers afresh when that part of it is unreadable', async () => {
    const knowledge = tempKnowledge({ 'faq/multi-raft.md': faq('支持，第一版答案。') });
    const dataDir = tempKnowledge({});
    const first = await ask(knowledge, dataDir);
    const file = snapshotFile(dataDir);
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { dictionary?: { key: string; dictionary: { lines: unknown } } };
    expect(snapshot.dictionary?.dictionary.lines).toEqual(expect.any(String));
    writeFileSync(file, JSON.stringify({ ...snapshot, dictionary: { ...snapshot.dictionary, dictionary: { lines: 42 } } }));
    const again = await ask(knowledge, dataDir);
    expect(again).toEqual(first);
    // Made again and kept.
    expect((JSON.parse(readFileSync(file, 'utf8')) as typeof snapshot).dictionary?.dictionary.lines).toEqual(expect.any(String));
  });

  it('is not used by other settings', async () => {
    const knowledge = tempKnowledge({ 'faq/multi-raft.md': faq('支持，第一版答案。') });
    const dataDir = tempKnowledge({});
    await ask(knowledge, dataDir);
    tamper(snapshotFile(dataDir), '第一版答案', '快照里的答案');
    // Another time zone: an event's time may read differently.
    const configDir = tempKnowledge({ 'local.yaml': 'timezone: Europe/Berlin\n' });
    for (const name of ['default.yaml', 'synonyms.yaml', 'glossary.yaml']) copyFileSync(`config/${name}`, join(configDir, name));
    const other = await ask(knowledge, dataDir, configDir);
    expect(other.out).toContain('第一版答案');
  });

  it('makes validate report the same problems from the snapshot as afresh', async () => {
    const knowledge = tempKnowledge({ 'faq/a.md': '---\nquestion: q\n---\n', 'faq/b.md': faq('支持。') });
    const dataDir = tempKnowledge({});
    const first = await ask(knowledge, dataDir, 'config', 'validate');
    const second = await ask(knowledge, dataDir, 'config', 'validate');
    expect(first.code).toBe(1);
    expect(second).toEqual(first);
    expect(second.out).toBe(`${knowledge}/faq/a.md:4: the answer (the text after the front matter) is empty`);
  });
});
