/**
 * The installed `lsm` command end to end: build the package with tsc (dist/), then spawn the
 * committed wrapper `bin/lsm.js` as a user would. Only what in-process tests cannot see is checked
 * here (the wrapper, the exit status of a real process, real pipes between two processes, a LOCK
 * held by another process); every command and error is covered in-process by lsm.test.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../index.js';

const PACKAGE = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const REPO = resolve(PACKAGE, '../..');
const BIN = join(PACKAGE, 'bin/lsm.js');
const ROOT = mkdtempSync(join(tmpdir(), 'lsm-bin-'));

function lsm(args: string[], input?: Buffer): { status: number; stdout: Buffer; stderr: string } {
  const child = spawnSync(process.execPath, [BIN, ...args], { input, timeout: 60_000 });
  return { status: child.status ?? -1, stdout: child.stdout, stderr: child.stderr.toString('utf8') };
}

beforeAll(() => {
  // Build dist/ (the wrapper imports ../dist/bin/lsm.js), as `npm run build` would.
  execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-b', join(PACKAGE, 'tsconfig.lib.json')], {
    cwd: REPO,
    stdio: 'pipe',
    timeout: 300_000,
  });
}, 300_000);

afterAll(() => {
  rmSync(ROOT, { recursive: true, force: true });
});

describe('bin/lsm.js', () => {
  it('is declared by the package, and its exit status is the command exit code', () => {
    const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
    expect(pkg.bin).toEqual({ lsm: './bin/lsm.js' });
    expect(pkg.files).toContain('bin');
    expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const none = lsm([]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^usage: lsm <command>/);
    expect(lsm(['--help']).status).toBe(0);
    const missing = join(ROOT, 'none');
    expect(lsm(['info', missing])).toMatchObject({ status: 1, stderr: `lsm: no database at ${missing}\n` });
  });

  it('backup to a pipe restores from a pipe; a database open in another process is LOCKED (exit 3)', async () => {
    const source = join(ROOT, 'source');
    const db = await openDb({ dir: source, valueThresholdBytes: 64 });
    await db.update((txn) => {
      for (let i = 0; i < 50; i++) txn.set(`key:${i}`, i % 5 === 0 ? 'L'.repeat(100) : `value ${i}`);
    });
    try {
      const locked = lsm(['info', source]);
      expect(locked.status).toBe(3);
      expect(locked.stderr).toMatch(/^lsm: database .* is locked by process \d+\n$/);
    } finally {
      await db.close();
    }
    const backup = lsm(['backup', source, '-']);
    expect(backup.status).toBe(0);
    expect(backup.stderr).toMatch(/^backed up 50 records changed in \(0, 1\] to stdout/);
    const target = join(ROOT, 'target');
    const restore = lsm(['restore', target, '-'], backup.stdout);
    expect(restore.status).toBe(0);
    expect(restore.stdout.toString('utf8')).toMatch(/^restored 50 records \(50 values, 0 deletions\) from stdin/);
    expect(lsm(['scan', target]).stdout.toString('utf8')).toBe(lsm(['scan', source]).stdout.toString('utf8'));
  });
});
