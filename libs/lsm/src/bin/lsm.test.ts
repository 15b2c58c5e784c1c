/**
 * End-to-end tests of the `lsm` command: build the package with tsc (dist/), then spawn the
 * committed wrapper `bin/lsm.js` as a user would, against databases in temp directories.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../index.js';
import { escapeBytes, unescapeBytes } from './lsm.js';

const PACKAGE = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const REPO = resolve(PACKAGE, '../..');
const BIN = join(PACKAGE, 'bin/lsm.js');
const ROOT = mkdtempSync(join(tmpdir(), 'lsm-cli-'));

interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

function lsm(args: string[], input?: string | Buffer): Result {
  const run = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input, timeout: 60_000 });
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

function lsmBytes(args: string[], input?: Buffer): { status: number; stdout: Buffer; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, ...args], { input, timeout: 60_000 });
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr.toString('utf8') };
}

let counter = 0;
function newDir(): string {
  return join(ROOT, `db${++counter}`);
}

const BINARY_KEY = new Uint8Array([0, 1, 0x5c, 0xff, 0x41]);

/** A database with 300 keys (some in the value log, some with user meta), one binary key. */
async function makeDb(dir = newDir()): Promise<string> {
  const db = await openDb({ dir, valueThresholdBytes: 64, memTableBytes: 16 * 1024 });
  await db.update((txn) => {
    for (let i = 0; i < 300; i++) {
      txn.setEntry(`key:${String(i).padStart(3, '0')}`, i % 10 === 0 ? 'L'.repeat(100) + i : `value ${i}`, { userMeta: i % 4 });
    }
    txn.set(BINARY_KEY, new Uint8Array([0xc8, 0x0a]));
  });
  await db.flush();
  await db.update((txn) => txn.delete('key:007'));
  await db.close();
  return dir;
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text.trim().split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The scan as (key, value, userMeta, expiresAt): versions differ between a store and its restore. */
function scanRows(dir: string): unknown[] {
  const result = lsm(['scan', dir, '--json', '--hex']);
  expect(result.status).toBe(0);
  return jsonLines(result.stdout).map(({ key, value, userMeta, expiresAt }) => ({ key, value, userMeta, expiresAt }));
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

describe('lsm command', () => {
  it('usage errors exit 2; --help exits 0; the package declares the bin', () => {
    const none = lsm([]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^usage: lsm <command>/);
    expect(lsm(['--help']).status).toBe(0);
    expect(lsm(['scan', '--help']).stdout).toMatch(/usage: lsm/);
    for (const args of [['frobnicate', 'x'], ['scan'], ['get', 'x'], ['scan', 'x', '--bogus'], ['scan', 'x', '--limit'], ['scan', 'x', '--limit', '-1']]) {
      const result = lsm(args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr.split('\n')[0]).toMatch(/^lsm: /);
    }
    const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
    expect(pkg.bin).toEqual({ lsm: './bin/lsm.js' });
    expect(pkg.files).toContain('bin');
    expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('a directory without a database is "not found" (exit 1) and is not created', () => {
    const dir = newDir();
    for (const command of ['info', 'scan', 'verify', 'flatten', 'gc']) {
      const result = lsm([command, dir]);
      expect(result.status, command).toBe(1);
      expect(result.stderr).toBe(`lsm: no database at ${dir}\n`);
    }
    expect(lsm(['get', dir, 'k']).status).toBe(1);
    expect(() => readdirSync(dir)).toThrow();
  });

  it('info, human and --json', async () => {
    const dir = await makeDb();
    const human = lsm(['info', dir]);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/^database {4}.*\ntimestamp {3}\d+\ntables/);
    const json = JSON.parse(lsm(['info', dir, '--json']).stdout) as { timestamp: number; stats: { levels: { tables: number }[] } };
    expect(json.timestamp).toBe(2);
    expect(json.stats.levels.reduce((n, l) => n + l.tables, 0)).toBeGreaterThan(0);
  });

  it('scan with --prefix, --limit, --reverse, --json and --hex; binary keys round-trip through get', async () => {
    const dir = await makeDb();
    const all = lsm(['scan', dir]);
    expect(all.status).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(300); // 299 keys left + the binary key
    expect(lines[0]).toBe('\\x00\\x01\\\\\\xffA\t\\xc8\\x0a');
    expect(lines[1]).toBe('key:000\t' + 'L'.repeat(100) + '0');
    expect(lsm(['scan', dir, '--prefix', 'key:00', '--limit', '3']).stdout).toBe('key:000\t' + 'L'.repeat(100) + '0\nkey:001\tvalue 1\nkey:002\tvalue 2\n');
    expect(lsm(['scan', dir, '--prefix=key:1', '--reverse', '--limit=1']).stdout).toBe('key:199\tvalue 199\n');
    const rows = jsonLines(lsm(['scan', dir, '--prefix', 'key:01', '--json']).stdout);
    expect(rows).toHaveLength(10);
    expect(rows[3]).toEqual({ key: 'key:013', value: 'value 13', version: 1, userMeta: 1, expiresAt: 0 });
    const hex = jsonLines(lsm(['scan', dir, '--hex', '--json', '--limit', '1']).stdout)[0];
    expect(hex).toMatchObject({ key: '00015cff41', value: 'c80a' });
    // The printed key is a valid argument.
    const printed = (lines[0] as string).split('\t')[0] as string;
    expect(lsm(['get', dir, printed]).stdout).toBe('\\xc8\\x0a\n');
    expect(lsm(['get', dir, '00015cff41', '--hex']).stdout).toBe('c80a\n');
    expect(lsm(['get', dir, 'key:042', '--json']).stdout).toBe(`${JSON.stringify({ key: 'key:042', value: 'value 42', version: 1, userMeta: 2, expiresAt: 0 })}\n`);
    const missing = lsm(['get', dir, 'key:007']);
    expect(missing).toEqual({ status: 1, stdout: '', stderr: 'lsm: key not found: key:007\n' });
    expect(JSON.parse(lsm(['get', dir, 'nope', '--json']).stderr)).toEqual({ error: { code: 'NOT_FOUND', message: 'key not found: nope', exitCode: 1 } });
  });

  it('escaping is lossless', () => {
    for (const bytes of [BINARY_KEY, new TextEncoder().encode('plain ünïcode ✓ \\x41'), new Uint8Array([0xe2, 0x82]), new Uint8Array(256).map((_, i) => i)]) {
      expect(unescapeBytes(escapeBytes(bytes))).toEqual(bytes);
    }
  });

  it('verify: ok exits 0; a flipped byte in a table exits 4 naming file and offset', async () => {
    const dir = await makeDb();
    const ok = lsm(['verify', dir]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^ok: checked \d+ tables/);
    const table = readdirSync(dir).find((name) => name.endsWith('.sst')) as string;
    const bytes = readFileSync(join(dir, table));
    bytes[30] = (bytes[30] as number) ^ 0xff;
    writeFileSync(join(dir, table), bytes);
    const bad = lsm(['verify', dir]);
    expect(bad.status).toBe(4);
    expect(bad.stdout).toContain(`problem: ${table} at offset 0: block checksum mismatch`);
    const json = JSON.parse(lsm(['verify', dir, '--json']).stdout) as { ok: boolean; problems: { file: string; offset: number }[] };
    expect(json.ok).toBe(false);
    expect(json.problems[0]).toMatchObject({ file: table, offset: 0 });
  });

  it('backup to a file and restore into a new directory gives the same scan; incremental and pipes work', async () => {
    const source = await makeDb();
    const file = join(ROOT, 'full.lsmbak');
    const full = lsm(['backup', source, file, '--json']);
    expect(full.status).toBe(0);
    const report = JSON.parse(full.stdout) as { records: number; until: number; since: number };
    expect(report).toMatchObject({ records: 300, since: 0, until: 2 });
    expect(readdirSync(ROOT).filter((n) => n.endsWith('.partial'))).toEqual([]);
    const target = newDir();
    const restored = lsm(['restore', target, file]);
    expect(restored.status).toBe(0);
    expect(restored.stdout).toMatch(/^restored 300 records \(300 values, 0 deletions\)/);
    expect(scanRows(target)).toEqual(scanRows(source));

    // Incremental: change two keys and delete one, back up through stdout, restore from stdin.
    const db = await openDb({ dir: source });
    await db.update((txn) => {
      txn.set('key:001', 'changed');
      txn.set('key:999', 'new');
      txn.delete('key:002');
    });
    await db.close();
    const incremental = lsmBytes(['backup', source, '-', '--since', String(report.until)]);
    expect(incremental.status).toBe(0);
    expect(incremental.stderr).toMatch(/^backed up 3 records \(1 deletions\) changed in \(2, 3\] to stdout/);
    const applied = lsm(['restore', target, '-', '--json'], incremental.stdout);
    expect(applied.status).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ records: 3, values: 2, deletes: 1 });
    expect(scanRows(target)).toEqual(scanRows(source));
  });

  it('a corrupted or truncated backup file is rejected (exit 4) and restores nothing', async () => {
    const source = await makeDb();
    const file = join(ROOT, 'to-damage.lsmbak');
    expect(lsm(['backup', source, file]).status).toBe(0);
    const bytes = readFileSync(file);
    const damaged = Buffer.from(bytes);
    damaged[Math.floor(bytes.length / 2)] = (damaged[Math.floor(bytes.length / 2)] as number) ^ 1;
    for (const [name, content] of [['flipped', damaged], ['truncated', bytes.subarray(0, bytes.length - 40)]] as const) {
      const path = join(ROOT, `${name}.lsmbak`);
      writeFileSync(path, content);
      const target = newDir();
      const result = lsm(['restore', target, path]);
      expect(result.status, name).toBe(4);
      expect(result.stderr).toMatch(/^lsm: corruption in backup at offset \d+: .*\n$/);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(lsm(['scan', target]).stdout).toBe('');
    }
    expect(lsm(['restore', newDir(), join(ROOT, 'missing.lsmbak')]).status).toBe(1);
  });

  it('a database open in another process is LOCKED (exit 3)', async () => {
    const dir = await makeDb();
    const db = await openDb({ dir });
    try {
      const result = lsm(['info', dir]);
      expect(result.status).toBe(3);
      expect(result.stderr).toMatch(/^lsm: database .* is locked by process \d+\n$/);
      expect(lsm(['verify', dir]).status).toBe(3);
    } finally {
      await db.close();
    }
  });

  it('flatten and gc run; bad options exit 2', async () => {
    const dir = await makeDb();
    const before = scanRows(dir);
    const flat = lsm(['flatten', dir]);
    expect(flat.status).toBe(0);
    expect(flat.stdout).toMatch(/^flattened: L\d+ 1 tables/);
    expect(scanRows(dir)).toEqual(before);
    const gc = lsm(['gc', dir, '--discard-ratio', '0.5', '--json']);
    expect(gc.status).toBe(0);
    expect(JSON.parse(gc.stdout)).toHaveProperty('dir', dir);
    expect(lsm(['gc', dir, '--discard-ratio', '1.5']).status).toBe(2);
    expect(lsm(['verify', dir]).status).toBe(0);
  });

  it('an unreadable store exits 4 with one line; --debug adds the stack', async () => {
    const dir = await makeDb();
    writeFileSync(join(dir, 'CURRENT'), 'MANIFEST-999999\n');
    const plain = lsm(['info', dir]);
    expect(plain.status).toBe(4);
    expect(plain.stderr.trimEnd().split('\n')).toHaveLength(1);
    const debug = lsm(['info', dir, '--debug']);
    expect(debug.status).toBe(4);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});
