import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The reliability suite runs on its own: npm run test:reliability (vitest.reliability.config.ts).
    exclude: ['test/reliability/**', '**/node_modules/**'],
    environment: 'node',
    // Real HTTP on loopback beside process-spawning tests on two cores: allow for load.
    testTimeout: 15_000,
  },
});
