import { getHeapSpaceStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { collectCompacting, exposeGc } from '../../src/shared/expose-gc.js';
import { settleHeap, youngGenerationBytes } from '../../src/startup/settle-heap.js';

const MB = 1024 * 1024;
const youngGenerationMb = () => youngGenerationBytes() / MB;
const oldSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space');
const gc = exposeGc();

/** What start-up does to the young generation: many objects that survive scavenges grow it. */
function growYoungGeneration(): void {
  const kept: unknown[][] = [];
  for (let round = 0; round < 200 && youngGenerationMb() < 16; round++) {
    kept.push(Array.from({ length: 20_000 }, (_, i) => ({ i, text: `entry ${round} ${i}` })));
  }
  kept.length = 0;
}

/**
 * What start-up leaves in the old generation: pages about half of whose objects are garbage,
 * which a plain full collection leaves where they are (it moves objects only off mostly empty pages).
 */
function halfEmptyOldPages(): unknown[] {
  const all = Array.from({ length: 400_000 }, (_, i) => ({ i, text: `entry ${i}` }));
  gc();
  gc();
  return all.filter((_, i) => i % 2 === 0);
}

describe('settleHeap', () => {
  it('lets V8 give back a young generation that a burst of allocation grew, once the thread is quiet', async () => {
    growYoungGeneration();
    expect(youngGenerationMb()).toBeGreaterThanOrEqual(16);
    const settled = await new Promise<boolean>((resolve) => settleHeap(resolve));
    expect(settled).toBe(true);
    expect(youngGenerationMb()).toBeLessThanOrEqual(4);
  });

  it('ends with a compacting collection, which gives back the half-empty pages start-up left', async () => {
    const kept = halfEmptyOldPages();
    gc();
    gc();
    const plain = oldSpace()?.space_size ?? 0;
    await new Promise<boolean>((resolve) => settleHeap(resolve));
    const settled = oldSpace()?.space_size ?? 0;
    expect((plain - settled) / MB).toBeGreaterThanOrEqual(6);
    expect(kept).toHaveLength(200_000);
  });
});

describe('collectCompacting', () => {
  it('gives back the half-empty pages that plain full collections keep', () => {
    const kept = halfEmptyOldPages();
    gc();
    gc();
    const plain = oldSpace()?.space_size ?? 0;
    collectCompacting(gc);
    const compacted = oldSpace()?.space_size ?? 0;
    // The half of 400,000 small objects that died spans about 12 MB of pages.
    expect((plain - compacted) / MB).toBeGreaterThanOrEqual(6);
    expect(kept).toHaveLength(200_000);
  });
});
