import { defineConfig } from 'vitest/config';

// End-to-end suites spawn the built `progress` binary (apps/progress-cli/bin/progress.js, which runs
// the esbuild bundle in apps/progress-cli/dist/bundle); Nx builds it first (test dependsOn ^build).
// Library imports (and the in-process `run` of the randomized argv test) resolve to source.
export default defineConfig({
  ssr: { resolve: { conditions: ['@progress/source'] } },
  resolve: { conditions: ['@progress/source'] },
  test: {
    environment: 'node',
    include: ['e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
  },
});
