// Regression, found by the CLI reliability suite (test/reliability/cli-corruption.rel.test.ts):
// a writable open of a store with a damaged table footer started a fresh MANIFEST, swapped
// CURRENT to it and deleted the old MANIFEST, and only then opened the tables and failed with
// CORRUPTION, so every failed `progress` command rewrote two files of a corrupt store.
// Goal: an open that fails on corruption (table footer, WAL damage followed by valid records)
// leaves every file byte-identical. Method: a real store on disk (NodeFs), damaged, hashed
// before and after the failing open.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) out[name] = createHash('sha256').update(readFileSync(join(dir, name))).digest('hex');
  return out;
}

function damage(dir: string, suffix: string, offsetOf: (size: number) => number): void {
  const name = readdirSync(dir).find((file) => file.endsWith(suffix));
  if (name === undefined) throw new Error(`no ${suffix} file`);
  const bytes = readFileSync(join(dir, name));
  const at = offsetOf(bytes.length);
  for (let i = 0; i < 8; i += 1) bytes[at + i] = (bytes[at + i] as number) ^ 0x5a;
  writeFileSync(join(dir, name), bytes);
}

async function store(options: { closeCleanly: boolean }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lsm-open-corrupt-'));
  dirs.push(dir);
  const db = await openDb({ dir });
  for (let i = 0; i < 50; i += 1) await db.set(`k${String(i).padStart(3, '0')}`, `value ${i}`);
  await db.flush();
  for (let i = 0; i < 8; i += 1) await db.set(`w${i}`, 'x'.repeat(200));
  if (options.closeCleanly) {
    await db.close();
    return dir;
  }
  // as a crash would leave it: the WAL records of the last sets are not yet in a table
  const copy = mkdtempSync(join(tmpdir(), 'lsm-open-corrupt-copy-'));
  dirs.push(copy);
  for (const name of readdirSync(dir)) if (name !== 'LOCK') writeFileSync(join(copy, name), readFileSync(join(dir, name)));
  await db.close();
  return copy;
}

describe('an open that fails on a corrupt store changes no file', () => {
  it('table footer damaged', async () => {
    const dir = await store({ closeCleanly: true });
    damage(dir, '.sst', (size) => size - 40);
    const before = files(dir);
    await expect(openDb({ dir })).rejects.toMatchObject({ code: 'CORRUPTION' });
    expect(files(dir)).toEqual(before);
  });

  it('WAL damaged in the middle, valid records after', async () => {
    const dir = await store({ closeCleanly: false });
    damage(dir, '.wal', (size) => 16 + Math.floor((size - 16) / 4));
    const before = files(dir);
    await expect(openDb({ dir })).rejects.toMatchObject({ code: 'CORRUPTION' });
    expect(files(dir)).toEqual(before);
  });
});
