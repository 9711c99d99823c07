import { describe, expect, it } from 'vitest';
import { coalesceLatest } from '../../src/shared/coalesce-latest.js';

/** A run that finishes when the test says so. */
function controlledRuns() {
  const started: { value: number; finish: (ok?: boolean) => void }[] = [];
  const run = (value: number) =>
    new Promise<string>((resolve, reject) => {
      started.push({ value, finish: (ok = true) => (ok ? resolve(`built ${value}`) : reject(new Error(`failed ${value}`))) });
    });
  return { started, run };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('coalesceLatest', () => {
  it('runs the first value at once and only the latest of those submitted meanwhile', async () => {
    const { started, run } = controlledRuns();
    const runner = coalesceLatest(run);
    const first = runner.submit(1);
    const burst = [2, 3, 4, 5].map((v) => runner.submit(v));
    await tick();
    expect(started.map((s) => s.value)).toEqual([1]);
    expect(runner.running()).toBe(true);
    expect(runner.queued()).toBe(true);
    started[0]?.finish();
    expect(await first).toBe('built 1');
    await tick();
    expect(started.map((s) => s.value)).toEqual([1, 5]);
    expect(runner.queued()).toBe(false);
    started[1]?.finish();
    // Every value replaced in the burst settles with the run that replaced it.
    expect(await Promise.all(burst)).toEqual(['built 5', 'built 5', 'built 5', 'built 5']);
    await tick();
    expect(runner.running()).toBe(false);
  });

  it('rejects the callers of a failed run and goes on with the next value', async () => {
    const { started, run } = controlledRuns();
    const runner = coalesceLatest(run);
    const first = runner.submit(1);
    const second = runner.submit(2);
    await tick();
    started[0]?.finish(false);
    await expect(first).rejects.toThrow('failed 1');
    await tick();
    started[1]?.finish();
    expect(await second).toBe('built 2');
  });
});
