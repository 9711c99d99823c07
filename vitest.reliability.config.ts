import { defineConfig } from 'vitest/config';

// npm run test:reliability: fault injection, kills and Redis restarts; prints a table at the end.
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    // One scenario at a time: they share the machine's two cores and measure timing-sensitive faults.
    fileParallelism: false,
  },
});
