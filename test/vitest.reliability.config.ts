import { defineConfig } from 'vitest/config';

// The CLI part of the reliability tier (REL, RELIABILITY.md section 5): kill -9 cycles, corrupted
// stores and a full disk against the built `progress` binary. Not part of `npm test` (the PR tier);
// run by `nx run @progress/test:reliability` (root: `npm run test:reliability`). See reliability/README.md.
export default defineConfig({
  ssr: { resolve: { conditions: ['@progress/source'] } },
  resolve: { conditions: ['@progress/source'] },
  test: {
    environment: 'node',
    include: ['reliability/**/*.rel.test.ts'],
    // each file spawns many `progress` processes; two at a time fill a 2-core machine
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 300_000,
    reporters: ['default', ['json', { outputFile: '.test-results/reliability.json' }]],
  },
});
