import { describe, expect, it } from 'vitest';
import { createMessageDeduper } from '../../src/state/create-message-deduper.js';

describe('createMessageDeduper', () => {
  it('claims an id once within the retention time', () => {
    const deduper = createMessageDeduper(1000);
    expect(deduper.claim('a', 0)).toBe(true);
    expect(deduper.claim('a', 999)).toBe(false);
    expect(deduper.claim('b', 999)).toBe(true);
    expect(deduper.claim('a', 1000)).toBe(true);
  });

  it('lets a released claim be made again', () => {
    const deduper = createMessageDeduper(1000);
    deduper.claim('a', 0);
    deduper.release('a');
    expect(deduper.claim('a', 1)).toBe(true);
  });

  it('forgets expired ids and keeps at most maxEntries', () => {
    const deduper = createMessageDeduper(1000, 3);
    for (const id of ['a', 'b', 'c', 'd']) deduper.claim(id, 0);
    expect(deduper.size).toBe(3);
    expect(deduper.claim('a', 1)).toBe(true);
    deduper.claim('z', 5000);
    expect(deduper.size).toBe(1);
  });
});
