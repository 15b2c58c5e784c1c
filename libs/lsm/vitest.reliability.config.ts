import { defineConfig } from 'vitest/config';

// The REL tier (RELIABILITY.md section 3; libs/lsm/RELIABILITY.md): every libs/lsm test at its REL
// size (LSM_TIER=rel, read by src/testing/tier.test-util.ts) plus the REL-only suites
// (src/**/*.rel.test.ts), with branch coverage. Run: `npm run test:reliability -w @progress/lsm`
// (or `nx run @progress/lsm:reliability`); LSM_TIER=soak for the SOAK sizes.
export default defineConfig({
  ssr: { resolve: { conditions: ['@progress/source'] } },
  resolve: { conditions: ['@progress/source'] },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
    env: { LSM_TIER: process.env['LSM_TIER'] ?? 'rel' },
    testTimeout: 1_800_000,
    // Two workers on a 2-core machine: the kill -9 suite mostly waits for its child processes.
    pool: 'forks',
    maxWorkers: 2,
    hookTimeout: 120_000,
    globalSetup: ['src/testing/reliability-setup.test-util.ts'],
    reporters: ['default', ['json', { outputFile: '.test-results/reliability.json' }]],
    coverage: {
      enabled: process.env['COVERAGE'] !== '0',
      provider: 'v8',
      reportOnFailure: true,
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.test.ts', 'src/**/*.test-util.ts', 'src/**/*.bench.ts', 'src/testing/**'],
      reporter: ['text-summary', ['json-summary', { file: 'coverage-summary.json' }], ['text', { file: 'coverage.txt' }]],
      reportsDirectory: 'coverage/reliability',
      // Floors just under the last measured figures (RELIABILITY.md "Figures of the last REL
      // run"): overall branches, and 100% for the pure codecs and the on-disk format files.
      thresholds: {
        branches: 92,
        'src/codec/**': { branches: 100 },
        'src/**/*-format.ts': { branches: 100 },
      },
    },
  },
});
