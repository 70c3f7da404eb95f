import { defineConfig } from 'vitest/config';

// Fault tests (`npm run test:faults`): heavy, one file at a time so they do not starve each
// other on a 2-core machine; --expose-gc so memory can be compared with baseline after a GC.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
    fileParallelism: false,
    pool: 'forks',
    execArgv: ['--expose-gc'],
    reporters: ['default', 'json'],
    outputFile: { json: '.tmp/vitest-faults-results.json' },
  },
});
