import { describe, expect, it } from 'vitest';
import { createMessageDeduper } from '../../src/state/create-message-deduper.js';

describe('createMessageDeduper', () => {
  it('claims an id once within the retention time', async () => {
    const deduper = createMessageDeduper(1000);
    expect(await deduper.claim('a', 0)).toBe(true);
    expect(await deduper.claim('a', 999)).toBe(false);
    expect(await deduper.claim('b', 999)).toBe(true);
    expect(await deduper.claim('a', 1000)).toBe(true);
  });

  it('lets a released claim be made again', async () => {
    const deduper = createMessageDeduper(1000);
    await deduper.claim('a', 0);
    await deduper.release('a');
    expect(await deduper.claim('a', 1)).toBe(true);
  });

  it('forgets expired ids and keeps at most maxEntries', async () => {
    const deduper = createMessageDeduper(1000, 3);
    for (const id of ['a', 'b', 'c', 'd']) await deduper.claim(id, 0);
    expect(deduper.size).toBe(3);
    expect(await deduper.claim('a', 1)).toBe(true);
    await deduper.claim('z', 5000);
    expect(deduper.size).toBe(1);
  });
});
