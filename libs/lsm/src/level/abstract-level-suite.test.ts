/**
 * abstract-level's own exported test suite against LsmLevel on disk (one temp directory per
 * database the suite's factory creates), run in-process under vitest through a tape harness.
 * The in-memory variant is abstract-level-suite-memory.test.ts (a separate file so that vitest
 * runs the two in parallel).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { LsmLevel } from './index.js';
import { expectAllPassed, runAbstractLevelSuite } from './suite-runner.test-util.js';

describe('abstract-level test suite, on disk', () => {
  // The suite opens and closes about two thousand databases: on Linux, put them on tmpfs when
  // there is one (same NodeFs code path; only directory and file fsyncs at open/close get cheap).
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const root = mkdtempSync(join(base, 'lsm-level-suite-'));
  const created: LsmLevel[] = [];

  afterAll(async () => {
    // The suite re-runs itself on sublevels and leaves their parent databases open.
    await Promise.allSettled(created.map((db) => db.close()));
    rmSync(root, { recursive: true, force: true });
  });

  it('every assertion passes', { timeout: 300_000 }, async () => {
    let n = 0;
    const summary = await runAbstractLevelSuite((options) => {
      const db = new LsmLevel(join(root, `db-${n++}`), { ...options, syncWrites: false, memTableBytes: 1024 * 1024 });
      created.push(db);
      return db;
    });
    expectAllPassed('on disk', summary);
  });
});
