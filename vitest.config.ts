import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The reliability suite runs on its own: npm run test:reliability (vitest.reliability.config.ts).
    exclude: ['test/reliability/**', '**/node_modules/**'],
    environment: 'node',
    // Real HTTP on loopback beside process-spawning tests on two cores: allow for load.
    testTimeout: 15_000,
    // Most test time is waiting on sockets, timers and child processes, not CPU: more workers than cores
    // overlap that waiting (measured on 2 cores: 258 s with the defaults, 102 s with these two settings).
    maxWorkers: Math.max(4, availableParallelism()),
    // Every test file builds its own app and cleans up after itself; no test relies on a fresh module
    // registry, so re-importing the modules for each file is only start-up cost.
    isolate: false,
  },
});
