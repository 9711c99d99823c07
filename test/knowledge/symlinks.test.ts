import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKnowledgeStore, type KnowledgeStore } from '../../src/knowledge/create-knowledge-store.js';
import { formatProblem } from '../../src/knowledge/entry.js';
import { loadKnowledge } from '../../src/knowledge/load-knowledge.js';
import { createLogger } from '../../src/logger.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';

const options = { zone: 'Asia/Shanghai', maxFileBytes: 1024 * 1024 };
const faq = (question: string, answer: string) => `---\nquestion: ${question}\n---\n${answer}\n`;
const OUTSIDE = 'a symbolic link to a file outside the knowledge folders is not followed';
const LINKED_FOLDER = 'warning: a symbolic link to a folder is not followed: link the files themselves, or add the folder to KNOWLEDGE_DIR';

/**
 * A knowledge folder laid out as a Kubernetes ConfigMap mount (files linked into a hidden folder
 * beside them), with a link to a file in a second knowledge folder, a link to a file outside all
 * of them (its text must never be served), and a linked folder.
 */
function layout(): { dir: string; other: string; secret: string } {
  const dir = tempKnowledge({ '..data/faq/jraft.md': faq('SOFAJRaft 支持 Multi-Raft 吗？', '支持。'), 'faq/own.md': faq('Seata 全局锁是行级的吗？', '是行级的。') });
  const other = tempKnowledge({ 'faq/common.md': faq('MOSN 支持 dubbo 吗？', '支持 dubbo。') });
  const secret = join(tempKnowledge({ 'secret.md': faq('密码是什么？', 'hunter2') }), 'secret.md');
  symlinkSync(join(dir, '..data/faq/jraft.md'), join(dir, 'faq/jraft.md'));
  symlinkSync(join(other, 'faq/common.md'), join(dir, 'faq/shared.md'));
  symlinkSync(secret, join(dir, 'faq/secret.md'));
  symlinkSync(join(dir, '..data/faq'), join(dir, 'more'));
  return { dir, other, secret };
}

describe('loadKnowledge and symbolic links', () => {
  it('follows a link to a file inside the knowledge folders only, and does not enter a linked folder', async () => {
    const { dir, other } = layout();
    const { entries, problems } = await loadKnowledge({ ...options, dirs: [dir, other] });
    expect(entries.map((e) => [e.id, e.body]).sort()).toEqual([
      ['faq/common', '支持 dubbo。'],
      ['faq/jraft', '支持。'],
      ['faq/own', '是行级的。'],
      ['faq/shared', '支持 dubbo。'],
    ]);
    expect(problems.map(formatProblem)).toEqual([`${join(dir, 'faq/secret.md')}:1: ${OUTSIDE}`, `${join(dir, 'more')}:1: ${LINKED_FOLDER}`]);
  });
});

describe('the knowledge store watching symbolic links', () => {
  let store: KnowledgeStore | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('applies the same rule to links made while watching, and follows an edit of a linked file', async () => {
    const dir = tempKnowledge({ 'faq/own.md': faq('Seata 全局锁是行级的吗？', '是行级的。') });
    const target = join(tempKnowledge({ 'x.md': '' }), 'x.md');
    store = createKnowledgeStore({ ...options, dirs: [dir], logger: createLogger('silent'), settleMs: 50 });
    await store.load();
    await store.watch(() => undefined);
    const running = store;
    const ids = () => (running.current()?.entries.map((e) => e.id) ?? []).sort();
    const settled = async (check: () => boolean) => {
      const since = Date.now();
      while (!check() && Date.now() - since < 5_000) await new Promise((resolve) => setTimeout(resolve, 20));
    };

    mkdirSync(join(dir, '..data'));
    writeFileSync(join(dir, '..data/jraft.md'), faq('SOFAJRaft 支持 Multi-Raft 吗？', '支持。'));
    symlinkSync(join(dir, '..data/jraft.md'), join(dir, 'faq/jraft.md'));
    writeFileSync(target, faq('密码是什么？', 'hunter2'));
    symlinkSync(target, join(dir, 'faq/secret.md'));
    mkdirSync(join(dir, 'elsewhere'));
    symlinkSync(join(dir, '..data'), join(dir, 'elsewhere/more'));
    await settled(() => ids().includes('faq/jraft') && (running.current()?.problems.length ?? 0) > 0);
    expect(ids()).toEqual(['faq/jraft', 'faq/own']);
    expect(store.current()?.problems.map(formatProblem)).toEqual([`${join(dir, 'faq/secret.md')}:1: ${OUTSIDE}`]);

    // The link's entry follows its target; the linked folder's copy never appears.
    writeFileSync(join(dir, '..data/jraft.md'), faq('SOFAJRaft 支持 Multi-Raft 吗？', '支持，第二版。'));
    await settled(() => running.current()?.entries.find((e) => e.id === 'faq/jraft')?.body === '支持，第二版。');
    expect(store.current()?.entries.find((e) => e.id === 'faq/jraft')?.body).toBe('支持，第二版。');
    expect(ids()).toEqual(['faq/jraft', 'faq/own']);
    expect(JSON.stringify(store.current())).not.toContain('hunter2');

    // A full reload reaches the same entries, and also names the linked folder.
    const reloaded = await store.reload();
    expect(reloaded.entries.map((e) => e.id).sort()).toEqual(['faq/jraft', 'faq/own']);
    expect(reloaded.problems.map(formatProblem)).toEqual([`${join(dir, 'elsewhere/more')}:1: ${LINKED_FOLDER}`, `${join(dir, 'faq/secret.md')}:1: ${OUTSIDE}`]);
  });
});
