/** abstract-level's own exported test suite against LsmLevel in memory (`{ inMemory: true }`). */
import { afterAll, describe, it } from 'vitest';
import { LsmLevel } from './index.js';
import { expectAllPassed, runAbstractLevelSuite } from './suite-runner.test-util.js';

describe('abstract-level test suite, in memory', () => {
  const created: LsmLevel[] = [];

  afterAll(async () => {
    await Promise.allSettled(created.map((db) => db.close()));
  });

  it('every assertion passes', { timeout: 300_000 }, async () => {
    const summary = await runAbstractLevelSuite((options) => {
      const db = new LsmLevel({ ...options, inMemory: true, memTableBytes: 1024 * 1024 });
      created.push(db);
      return db;
    });
    expectAllPassed('in memory', summary);
  });
});
