import { defineConfig } from 'vitest/config';

// Tests run against source: the '@progress/source' condition resolves workspace packages to src/.
// ssr.resolve.conditions is the one vitest's node environment uses (nx-setup.md, note 5).
// Each test file starts its own 3-member etcd cluster; files run one at a time so two clusters
// never compete for the machine's two cores (timings in the fault tests stay meaningful).
export default defineConfig({
  ssr: { resolve: { conditions: ['@progress/source'] } },
  resolve: { conditions: ['@progress/source'] },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
  },
});
