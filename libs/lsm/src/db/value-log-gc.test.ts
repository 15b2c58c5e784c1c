// Goal: value-log GC running concurrently with writers, deleters and readers on real files never
// lets a reader go back in time: no key reads an older value than one already seen or committed,
// no deleted key comes back (Badger #2286), and every iterator opened before GC still reads its
// snapshot after GC has rewritten (and tried to retire) the files it points into. Randomized:
// prints its seed; SEED=n repeats a run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../db.js';
import type { DbOptions } from '../options.js';
import { createPrng } from '../testing/seeded-prng.js';
import type { Txn } from '../txn/txn.js';

const seed = Number(process.env['SEED'] ?? Date.now() % 2 ** 31);
const dec = new TextDecoder();
const KEYS = 240;
/** keys `d:` are deleted once during the run and never written again */
const DELETED = 60;
const WRITERS = 3;
const READERS = 3;
const COMMITS_PER_WRITER = 150;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function options(dir: string): DbOptions {
  return {
    dir, syncWrites: false, autoValueLogGc: false, valueThresholdBytes: 64, valueLogFileBytes: 64 * 1024,
    memTableBytes: 48 * 1024, baseTableBytes: 16 * 1024, baseLevelBytes: 64 * 1024, blockBytes: 1024, seed,
  };
}

const liveKey = (i: number): string => `k:${String(i).padStart(4, '0')}`;
const deadKey = (i: number): string => `d:${String(i).padStart(4, '0')}`;
/** value = "<key>|<version>|" + padding, always >= 64 bytes, so always in the value log */
const valueOf = (key: string, version: number): string => `${key}|${version}|${'x'.repeat(80 + (version % 50))}`;
function versionOf(key: string, value: Uint8Array): number {
  const [k, v] = dec.decode(value).split('|');
  expect(k).toBe(key);
  return Number(v);
}

/** Everything a snapshot sees, as key → value text. */
function scan(txn: Txn): Map<string, string> {
  return new Map([...txn.iterate()].map((item) => [dec.decode(item.key), dec.decode(item.value)]));
}

describe(`value-log GC under concurrent writers and readers (seed ${seed})`, () => {
  it('never shows an older value, never resurrects a deleted key, keeps old iterators on their snapshot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsm-gc-'));
    dirs.push(dir);
    const prng = createPrng(seed);
    const db: Db = await openDb(options(dir));
    // floor[key]: the newest version known committed or already read; reads must not go below.
    const floor = new Map<string, number>();
    const deleted = new Set<string>();
    await db.update((txn) => {
      for (let i = 0; i < KEYS; i++) txn.set(liveKey(i), valueOf(liveKey(i), 0));
      for (let i = 0; i < DELETED; i++) txn.set(deadKey(i), valueOf(deadKey(i), 0));
    });
    for (let i = 0; i < KEYS; i++) floor.set(liveKey(i), 0);
    // Some garbage before the run starts, so the first GC rounds already find candidates.
    for (let round = 1; round <= 3; round++) {
      await db.update((txn) => {
        for (let i = 0; i < KEYS; i++) txn.set(liveKey(i), valueOf(liveKey(i), round));
      });
      for (let i = 0; i < KEYS; i++) floor.set(liveKey(i), round);
    }
    await db.flush();
    await db.waitForCompactions();

    // Snapshots and half-read iterators opened before GC.
    const snapshots: { txn: Txn; expected: Map<string, string> }[] = [];
    const partial: { txn: Txn; iterator: ReturnType<Txn['iterate']>; expected: string[]; seen: string[] }[] = [];
    for (let s = 0; s < 3; s++) {
      const txn = db.newTransaction({ timeoutMs: 10 * 60_000 });
      snapshots.push({ txn, expected: scan(txn) });
      const ptxn = db.newTransaction({ timeoutMs: 10 * 60_000 });
      const expected = [...scan(ptxn)].map(([k, v]) => `${k}=${v}`);
      const iterator = ptxn.iterate();
      const seen: string[] = [];
      for (let n = 0; n < 50 + s * 40; n++) {
        const step = iterator.next();
        if (step.done === true) break;
        seen.push(`${dec.decode(step.value.key)}=${dec.decode(step.value.value)}`);
      }
      partial.push({ txn: ptxn, iterator, expected, seen });
      // More overwrites between snapshots: each snapshot pins different versions.
      await db.update((txn) => {
        for (let i = 0; i < KEYS; i += 2) txn.set(liveKey(i), valueOf(liveKey(i), 10 + s));
      });
      for (let i = 0; i < KEYS; i += 2) floor.set(liveKey(i), 10 + s);
    }

    let stop = false;
    const problems: string[] = [];
    let reads = 0;
    let gcFiles = 0;
    let gcValues = 0;

    const writer = async (w: number): Promise<void> => {
      for (let c = 0; c < COMMITS_PER_WRITER; c++) {
        const keys = new Set<string>();
        for (let n = 0; n < 1 + prng.nextInt(8); n++) keys.add(liveKey(prng.nextInt(KEYS)));
        const written = await db.update(
          (txn) => {
            const out: [string, number][] = [];
            for (const key of keys) {
              const current = txn.tryGet(key);
              const next = (current === undefined ? 0 : versionOf(key, current)) + 1;
              txn.set(key, valueOf(key, next));
              out.push([key, next]);
            }
            return out;
          },
          { retries: 100 },
        );
        for (const [key, version] of written) if (version > (floor.get(key) ?? 0)) floor.set(key, version);
        if (c % 10 === w) await new Promise((resolve) => setImmediate(resolve));
      }
    };

    const deleter = async (): Promise<void> => {
      for (let i = 0; i < DELETED; i++) {
        await db.delete(deadKey(i));
        deleted.add(deadKey(i));
        await new Promise((resolve) => setTimeout(resolve, 1 + prng.nextInt(3)));
      }
    };

    const reader = async (): Promise<void> => {
      while (!stop) {
        const live = prng.nextInt(4) !== 0;
        const key = live ? liveKey(prng.nextInt(KEYS)) : deadKey(prng.nextInt(DELETED));
        const atLeast = floor.get(key) ?? 0;
        const wasDeleted = deleted.has(key);
        const value = await db.get(key);
        reads++;
        if (live) {
          if (value === undefined) problems.push(`${key} vanished`);
          else {
            const version = versionOf(key, value);
            if (version < atLeast) problems.push(`${key} read version ${version} after ${atLeast} was seen`);
            if (version > (floor.get(key) ?? 0)) floor.set(key, version);
          }
        } else if (wasDeleted && value !== undefined) problems.push(`${key} came back after its delete: ${dec.decode(value).slice(0, 20)}`);
        if (reads % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    };

    const collector = async (): Promise<void> => {
      while (!stop) {
        await db.flush();
        const result = await db.runValueLogGC({ discardRatio: 0.2, maxFiles: 3 });
        gcFiles += result.filesRewritten.length;
        gcValues += result.valuesMoved;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    };

    const gc = collector();
    const readers = Array.from({ length: READERS }, () => reader());
    for (const task of [gc, ...readers]) task.catch(() => undefined); // awaited below
    try {
      await Promise.all([...Array.from({ length: WRITERS }, (_, w) => writer(w)), deleter()]);
    } finally {
      stop = true;
      await Promise.all([gc, ...readers]);
    }
    // A last round with no writers, so every file over the ratio is rewritten.
    await db.flush();
    await db.waitForCompactions();
    const last = await db.runValueLogGC({ discardRatio: 0.2, maxFiles: 1000 });
    gcFiles += last.filesRewritten.length;
    gcValues += last.valuesMoved;

    expect(problems).toEqual([]);
    expect(reads).toBeGreaterThan(100);
    expect(gcFiles).toBeGreaterThan(0);
    expect(gcValues).toBeGreaterThan(0);

    // Every snapshot and every half-read iterator opened before GC still reads what it read then.
    for (const { txn, expected } of snapshots) {
      expect(scan(txn)).toEqual(expected);
      txn.discard();
    }
    for (const { txn, iterator, expected, seen } of partial) {
      for (let step = iterator.next(); step.done !== true; step = iterator.next()) {
        seen.push(`${dec.decode(step.value.key)}=${dec.decode(step.value.value)}`);
      }
      expect(seen).toEqual(expected);
      txn.discard();
    }

    // The final state: every live key at its newest committed version, every deleted key gone,
    // before and after a reopen, and the files GC emptied are gone once the snapshots ended.
    const check = async (handle: Db): Promise<void> => {
      const state = await handle.view((txn) => scan(txn));
      for (let i = 0; i < KEYS; i++) {
        const key = liveKey(i);
        expect(state.get(key)).toBe(valueOf(key, floor.get(key) ?? -1));
      }
      for (let i = 0; i < DELETED; i++) expect(state.has(deadKey(i))).toBe(false);
      expect(state.size).toBe(KEYS);
    };
    await check(db);
    await db.flush();
    await db.runValueLogGC({ discardRatio: 0.2, maxFiles: 1000 });
    await db.flush();
    const vlogFiles = db.stats().vlog.files;
    await db.close();
    const reopened = await openDb(options(dir));
    await check(reopened);
    expect(reopened.stats().vlog.files).toBeLessThanOrEqual(vlogFiles);
    const report = await reopened.verify();
    expect(report.ok).toBe(true);
    await reopened.close();
  }, 120_000);
});
