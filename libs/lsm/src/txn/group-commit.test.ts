// Goal: group commit (ARCHITECTURE 3.3, issue 4) makes concurrent synced commits share WAL
// fsyncs, and the change feed (db.subscribe) delivers exactly the committed writes under the
// subscribed prefixes, in commit order, only once they are durable, until unsubscribed.
// Method: (1) 100 concurrent synced db.update calls on a NodeFs temp directory, counting
// db.stats().walSyncs and commitGroups; (2) 1, 8 and 64 concurrent writers of synced single-key
// transactions for LEVEL_MS each (default 1,000), printing commits/s and fsyncs per commit (printed
// only: no timing assertions; the 64-writer level must share fsyncs); (3) change feed on MemFs:
// prefix filtering, deletes, commit order under concurrent conflicting writers, WriteBatch commits,
// conflicted transactions never delivered, durability proven by opening a power-loss clone
// (crashClone('synced')) taken inside each delivery, and unsubscribe.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb, type Change, type Db } from '../db.js';
import { MemFs } from '../testing/mem-fs.js';
import { commitOutcome, envInt, macrotask, text } from './txn-tests.test-util.js';

const LEVEL_MS = envInt('LEVEL_MS', 1000);
const tempDirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lsm-group-commit-'));
  tempDirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

interface Delivery {
  commitTs: number;
  changes: [string, string | undefined][];
}

function record(into: Delivery[]): (event: { commitTs: number; changes: Change[] }) => void {
  return ({ commitTs, changes }) => {
    // sorted by key: the order of changes inside one commit is not part of the contract
    const list: [string, string | undefined][] = changes.map((c) => [text(c.key) as string, text(c.value)]);
    into.push({ commitTs, changes: list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) });
  };
}

describe('group commit on NodeFs', () => {
  it('100 concurrent synced updates cost far fewer than 100 WAL fsyncs', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    let db = await openDb({ dir, syncWrites: true });
    await db.set('warm-up', 'x');
    const before = db.stats();
    await Promise.all(Array.from({ length: 100 }, (_, i) => db.update((txn) => txn.set(`k${String(i).padStart(3, '0')}`, `v${i}`))));
    const after = db.stats();
    const commits = after.commits - before.commits;
    const syncs = after.walSyncs - before.walSyncs;
    const groups = after.commitGroups - before.commitGroups;
    console.log(`group commit: 100 concurrent synced updates → ${groups} groups, ${syncs} WAL fsyncs = ${(syncs / commits).toFixed(3)} fsyncs per commit`);
    expect(commits).toBe(100);
    expect(syncs).toBeGreaterThan(0); // they were synced
    expect(syncs).toBeLessThan(50);
    expect(groups).toBeLessThan(50);
    await db.close();
    db = await openDb({ dir });
    const keys = await db.view((txn) => [...txn.iterate({ prefix: 'k', keysOnly: true })].length);
    expect(keys).toBe(100); // all durable and recovered
    await db.close();
  });

  it('commits/s and fsyncs per commit at 1, 8 and 64 concurrent writers (printed)', { timeout: 60_000 }, async () => {
    const rows: string[] = [];
    const perLevel = new Map<number, number>();
    for (const writers of [1, 8, 64]) {
      const dir = tempDir();
      const db: Db = await openDb({ dir, syncWrites: true });
      await db.set('warm-up', 'x');
      const before = db.stats();
      const started = performance.now();
      const deadline = started + LEVEL_MS;
      let commits = 0;
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let n = 0; performance.now() < deadline; n++) {
            await db.update((txn) => txn.set(`w${w}:${n}`, `value-${w}-${n}`));
            commits++;
          }
        }),
      );
      const elapsedMs = performance.now() - started;
      const after = db.stats();
      const syncs = after.walSyncs - before.walSyncs;
      const groups = after.commitGroups - before.commitGroups;
      expect(after.commits - before.commits).toBe(commits);
      perLevel.set(writers, syncs / commits);
      rows.push(
        `${String(writers).padStart(2)} writers: ${String(Math.round((commits * 1000) / elapsedMs)).padStart(6)} commits/s, ` +
          `${(syncs / commits).toFixed(3)} fsyncs/commit, ${(commits / groups).toFixed(1)} commits/group (${commits} commits in ${Math.round(elapsedMs)} ms)`,
      );
      await db.close();
    }
    console.log(`group commit, synced single-key transactions on NodeFs (${tmpdir()}):\n${rows.join('\n')}`);
    expect(perLevel.get(1)).toBeLessThanOrEqual(1);
    expect(perLevel.get(64)).toBeLessThan(0.5); // 64 writers share fsyncs
  });
});

describe('change feed', () => {
  it('delivers only matching prefixes, deletes as undefined, in commit order; unsubscribe stops it', async () => {
    const db = await openDb({ inMemory: true, dir: '/feed' });
    try {
      const filtered: Delivery[] = [];
      const everything: Delivery[] = [];
      const stopFiltered = db.subscribe({ prefixes: ['a:', 'c:'] }, record(filtered));
      const stopEverything = db.subscribe({}, record(everything));
      await db.update((txn) => {
        txn.set('a:1', 'A1');
        txn.set('b:1', 'B1');
      });
      await db.update((txn) => txn.set('b:2', 'B2')); // nothing under a: or c:
      await db.update((txn) => txn.delete('a:1'));
      await db.update((txn) => {
        txn.set('c:1', 'C1');
        txn.set('a:2', 'A2');
        txn.set('ab', 'no'); // 'ab' does not start with 'a:'
      });
      const loser = db.newTransaction({ update: true });
      loser.get('b:1');
      loser.set('a:9', 'never');
      await db.set('b:1', 'B1b');
      expect(await commitOutcome(loser.commit())).toBe('CONFLICT'); // → never delivered
      stopFiltered();
      stopFiltered(); // idempotent
      await db.update((txn) => txn.set('a:3', 'after unsubscribe'));
      expect(filtered.map((d) => d.changes)).toEqual([
        [['a:1', 'A1']],
        [['a:1', undefined]],
        [['a:2', 'A2'], ['c:1', 'C1']],
      ]);
      expect(everything.map((d) => d.changes)).toEqual([
        [['a:1', 'A1'], ['b:1', 'B1']],
        [['b:2', 'B2']],
        [['a:1', undefined]],
        [['a:2', 'A2'], ['ab', 'no'], ['c:1', 'C1']],
        [['b:1', 'B1b']],
        [['a:3', 'after unsubscribe']],
      ]);
      const ts = everything.map((d) => d.commitTs);
      expect(ts).toEqual([...ts].sort((x, y) => x - y));
      expect(new Set(ts).size).toBe(ts.length);
      stopEverything();
    } finally {
      await db.close();
    }
  });

  it('under concurrent conflicting writers: every committed write once, in commit order; replaying the feed gives the store', { timeout: 30_000 }, async () => {
    // small value-log files: background value-log GC runs during the test, and its rewrites must not
    // reach subscribers (they change no value; a stale one would corrupt a replayed view)
    const db = await openDb({ inMemory: true, dir: '/feed-concurrent', memTableBytes: 16 * 1024, valueThresholdBytes: 64, valueLogFileBytes: 64 * 1024 });
    try {
      const feed: Delivery[] = [];
      const stop = db.subscribe({ prefixes: ['c:'] }, record(feed));
      let committed = 0;
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let n = 0; n < 40; n++) {
            await db.update(
              async (txn) => {
                const shared = Number(text(txn.tryGet('c:shared')) ?? '0'); // a hot key: conflicts
                await macrotask();
                txn.set('c:shared', String(shared + 1));
                txn.set(`c:w${w}`, `${n}`.padEnd(n % 3 === 0 ? 100 : 0, '.')); // some in the vlog
                txn.set(`x:w${w}`, 'not subscribed');
              },
              { retries: 1000 },
            );
            committed++;
          }
        }),
      );
      const batch = db.newWriteBatch();
      batch.set('c:batch', 'b');
      batch.delete('c:w0');
      await batch.flush();
      stop();
      expect(db.stats().conflicts).toBeGreaterThan(0);
      expect(feed).toHaveLength(committed + 1);
      const ts = feed.map((d) => d.commitTs);
      for (let i = 1; i < ts.length; i++) expect(ts[i]).toBeGreaterThan(ts[i - 1] as number);
      // commit order: the shared counter increases by exactly 1 per delivery
      expect(feed.slice(0, committed).map((d) => d.changes.find(([k]) => k === 'c:shared')?.[1])).toEqual(
        Array.from({ length: committed }, (_, i) => String(i + 1)),
      );
      expect(feed.every((d) => d.changes.every(([key]) => key.startsWith('c:')))).toBe(true);
      const replayed = new Map<string, string>();
      for (const delivery of feed) {
        for (const [key, value] of delivery.changes) {
          if (value === undefined) replayed.delete(key);
          else replayed.set(key, value);
        }
      }
      const stored = await db.view((txn) => new Map([...txn.iterate({ prefix: 'c:' })].map((i) => [text(i.key) as string, text(i.value) as string])));
      expect([...stored].sort()).toEqual([...replayed].sort());
      expect(stored.get('c:shared')).toBe(String(8 * 40));
    } finally {
      await db.close();
    }
  });

  it('delivers a commit only once it is durable: a power loss at delivery time keeps it', { timeout: 30_000 }, async () => {
    const fs = new MemFs();
    const dir = '/feed-durable';
    const db = await openDb({ fs, dir, syncWrites: true, valueThresholdBytes: 64 });
    await db.update((txn) => {
      for (let i = 0; i < 24; i++) txn.set(`d:old:${i}`, 'to be deleted');
    });
    const snapshots: { delivery: Delivery; clone: MemFs }[] = [];
    const stop = db.subscribe({ prefixes: ['d:'] }, (event) => {
      const delivery: Delivery = { commitTs: event.commitTs, changes: event.changes.map((c) => [text(c.key) as string, text(c.value)]) };
      snapshots.push({ delivery, clone: fs.crashClone('synced') }); // power loss right now
    });
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        db.update((txn) => {
          txn.set(`d:${i}`, i % 2 === 0 ? `v${i}` : `big-${i}-`.padEnd(120, '*'));
          if (i % 3 === 2) txn.delete(`d:old:${i}`); // every key is written by one commit only
        }),
      ),
    );
    stop();
    await db.close();
    expect(snapshots.length).toBe(24);
    for (const { delivery, clone } of snapshots) {
      if ((await clone.stat(`${dir}/LOCK`)) !== undefined) await clone.unlink(`${dir}/LOCK`); // our own live pid
      const recovered = await openDb({ fs: clone, dir });
      try {
        for (const [key, value] of delivery.changes) {
          expect([delivery.commitTs, key, text(await recovered.get(key))]).toEqual([delivery.commitTs, key, value]);
        }
      } finally {
        await recovered.close();
      }
    }
  });
});
