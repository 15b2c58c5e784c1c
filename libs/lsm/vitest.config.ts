import { defineConfig } from 'vitest/config';

// Tests run against source: the '@progress/source' condition resolves workspace packages to src/.
// ssr.resolve.conditions is the one vitest's node environment uses (nx-setup.md, note 5).
export default defineConfig({
  ssr: { resolve: { conditions: ['@progress/source'] } },
  resolve: { conditions: ['@progress/source'] },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
    // REL-only suites run in vitest.reliability.config.ts (npm run test:reliability), never in the PR tier.
    exclude: ['src/**/*.rel.test.ts', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000, // shared 2-core CI machines: a loaded fsync can take seconds
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
  },
});
