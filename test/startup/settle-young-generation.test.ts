import { describe, expect, it } from 'vitest';
import { settleYoungGeneration, youngGenerationBytes } from '../../src/startup/settle-young-generation.js';

const youngGenerationMb = () => youngGenerationBytes() / 1024 / 1024;

/** What start-up does to the young generation: many objects that survive scavenges grow it. */
function growYoungGeneration(): void {
  const kept: unknown[][] = [];
  for (let round = 0; round < 200 && youngGenerationMb() < 16; round++) {
    kept.push(Array.from({ length: 20_000 }, (_, i) => ({ i, text: `entry ${round} ${i}` })));
  }
  kept.length = 0;
}

describe('settleYoungGeneration', () => {
  it('lets V8 give back a young generation that a burst of allocation grew, once the thread is quiet', async () => {
    growYoungGeneration();
    expect(youngGenerationMb()).toBeGreaterThanOrEqual(16);
    const settled = await new Promise<boolean>((resolve) => settleYoungGeneration(resolve));
    expect(settled).toBe(true);
    expect(youngGenerationMb()).toBeLessThanOrEqual(4);
  });
});
