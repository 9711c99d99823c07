import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Real HTTP on loopback beside process-spawning tests (crash test) on two cores: allow for load.
    testTimeout: 15_000,
  },
});
