import { describe, expect, it } from 'vitest';
import { batchMessages } from '../../src/search/batch-messages.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('batchMessages', () => {
  it('sends the messages of one turn of the event loop together, in order, and later ones in a batch of their own', async () => {
    const sent: number[][] = [];
    const post = batchMessages<number>((batch) => sent.push(batch));
    post(1);
    post(2);
    post(3);
    expect(sent).toEqual([]);
    await nextTurn();
    expect(sent).toEqual([[1, 2, 3]]);
    post(4);
    await nextTurn();
    expect(sent).toEqual([[1, 2, 3], [4]]);
  });
});
