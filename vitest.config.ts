// Test runner settings: job and connector tests start real work, so allow them time; no retries (a flaky
// test is a bug to fix, not to hide).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Vite's transformer lowers only legacy decorators; runtime/core/udf.ts accepts both forms.
  oxc: { decorator: { legacy: true } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
