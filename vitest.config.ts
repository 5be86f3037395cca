import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs nothing; `cluster` (files named *.cluster.test.ts) runs against one
// real cluster that test/setup/cluster.ts starts once per run (or FIREDRILL_TEST_TARGET).
export default defineConfig({
  test: {
    // In CI every test is listed, so skipped ones show the reason in their names.
    reporters: process.env.CI ? ['verbose'] : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.cluster.test.ts', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'cluster',
          include: ['src/**/*.cluster.test.ts', 'test/**/*.cluster.test.ts'],
          globalSetup: ['test/setup/cluster.ts'],
          // One shared node on a 2-core machine: files take turns, tests isolate by index/marker names.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
