import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import writeFileAtomic from 'write-file-atomic';
import { createFileSuggestions } from '../../src/state/create-file-suggestions.js';
import { tempKnowledge } from '../helpers/temp-knowledge.js';

describe('createFileSuggestions', () => {
  it('keeps storing lists after a write failed, and a reopen reads the last one written', async () => {
    const dataDir = join(tempKnowledge({}), 'data');
    // A file where the folder should be: the first write cannot happen.
    writeFileSync(dataDir, 'not a folder');
    const suggestions = createFileSuggestions(dataDir);
    const now = Date.now();
    await expect(suggestions.set('cid:user', ['faq/a'], now)).rejects.toThrow();
    rmSync(dataDir);
    await suggestions.set('cid:user', ['faq/b'], now);
    expect(await createFileSuggestions(dataDir).get('cid:user', now)).toEqual(['faq/b']);
  });

  it('starts empty from an unreadable file, and writes a good one over it', async () => {
    const dataDir = tempKnowledge({ 'suggestions.json': '{"cid:user": {"ids": "not a list"' });
    const now = Date.now();
    expect(await createFileSuggestions(dataDir).get('cid:user', now)).toBeUndefined();
    await createFileSuggestions(dataDir).set('cid:user', ['faq/a'], now);
    expect(await createFileSuggestions(dataDir).get('cid:user', now)).toEqual(['faq/a']);
  });

  it('keeps at most the given number of lists, the latest', async () => {
    const dataDir = tempKnowledge({});
    const suggestions = createFileSuggestions(dataDir, 2);
    const now = Date.now();
    for (const [i, key] of ['a', 'b', 'c'].entries()) await suggestions.set(key, [`faq/${key}`], now + i);
    const reopened = createFileSuggestions(dataDir, 2);
    expect([await reopened.get('a', now), await reopened.get('b', now), await reopened.get('c', now)]).toEqual([undefined, ['faq/b'], ['faq/c']]);
  });

  it('stores lists set at once in shared writes, each on disk once its set resolves', async () => {
    const dataDir = tempKnowledge({});
    let writes = 0;
    const suggestions = createFileSuggestions(dataDir, 10_000, async (file, text) => {
      writes++;
      await writeFileAtomic(file, text, { fsync: true });
    });
    const now = Date.now();
    const keys = Array.from({ length: 300 }, (_, i) => `cid:user${i}`);
    // Each set is checked against the file as soon as it resolves, by a store opened afresh.
    const seen = await Promise.all(
      keys.map(async (key) => {
        await suggestions.set(key, [`faq/${key}`], now);
        return createFileSuggestions(dataDir).get(key, now);
      }),
    );
    expect(seen).toEqual(keys.map((key) => [`faq/${key}`]));
    // One write for the sets made together, and at most one more for those made while it ran.
    expect(writes).toBeLessThanOrEqual(2);
    // A list set after the others is in the file too, not only in memory.
    await suggestions.set('late', ['faq/late'], now + 1);
    expect(await createFileSuggestions(dataDir).get('late', now)).toEqual(['faq/late']);
  });
});
