import { defineConfig } from 'vitest/config';

// End-to-end suites spawn the built `progress` binary (apps/progress-cli/dist/main.js); Nx builds
// it first (test dependsOn ^build). Library imports still resolve to source.
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
