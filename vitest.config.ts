// Test runner settings. Two groups: tests of our own code run in parallel; tests against the real stack
// (Kafka, MariaDB, Elasticsearch) run one file at a time after them, because some stop and restart a
// shared server on purpose. Job and connector tests start real work, so they get time; no retries (a
// flaky test is a bug to fix, not to hide).
import { defineConfig } from 'vitest/config';

const STACK = ['test/stack/**/*.test.ts', 'test/kafka/**/*.test.ts', 'test/jdbc/**/*.test.ts', 'test/elasticsearch/**/*.test.ts', 'test/e2e/**/*.test.ts'];

export default defineConfig({
  // Vite's transformer lowers only legacy decorators; runtime/core/udf.ts accepts both forms.
  oxc: { decorator: { legacy: true } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Jobs compiled in tests skip the TypeScript check of the job file (test/cli/type-check.test.ts tests it):
    // its first run costs seconds of CPU that would land on whichever test compiles first.
    env: { SLUICE_TYPECHECK: '0' },
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: STACK, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'stack', include: STACK, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
