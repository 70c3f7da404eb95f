import { defineConfig } from 'vitest/config';

// Real sockets and real TLS peers (openssl, curl, java) are slow to start on a 2-core
// machine: generous timeouts, and a bounded number of files in parallel.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fault tests are heavy (10,000-post storms): `npm run test:faults`, vitest.faults.config.ts.
    exclude: ['test/faults/**', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    pool: 'forks',
    // The JSON report lets .ci/run print one plain "N passed, N failed" line per run.
    reporters: ['default', 'json'],
    outputFile: { json: '.tmp/vitest-results.json' },
  },
});
