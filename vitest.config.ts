import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    setupFiles: ['./test/support/setup.ts'],
    // Most tests wait on paced virtual boards, brokers and child processes rather than compute, so three
    // files at a time fit a 2-core machine (vitest's default there is one). FLASHBACK_TEST_WORKERS overrides.
    maxWorkers: Number(process.env.FLASHBACK_TEST_WORKERS) || 3,
    // Builds dist/ when stale: tests that spawn the CLI run the current sources.
    globalSetup: ['./test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
