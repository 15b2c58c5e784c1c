/**
 * Goal: the LOCK admits one owner at a time, names the owner when refusing, waits when asked,
 * and takes over stale locks (dead pid, recycled pid, old unparsable content, dead breakers)
 * without ever letting two acquirers win.
 * Method: scripted cases on MemFs with a fake process table; races of concurrent acquirers on
 * MemFs and NodeFs behind a seeded jitter wrapper (seed printed), checking that exactly one wins
 * and that critical sections never overlap. Real processes: lock.child.test.ts.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockedError } from '../errors.js';
import { MemFs } from '../testing/mem-fs.js';
import { createPrng } from '../testing/seeded-prng.js';
import type { Fs } from './fs.js';
import { joinPath } from './fs.js';
import { acquireLock, LOCK_BREAK_PREFIX, lockIdentity } from './lock.js';
import type { AcquireLockOptions, LockHandle } from './lock.js';
import { decodeLockRecord, encodeLockRecord } from './lock-format.js';
import type { LockRecord } from './lock-format.js';
import { FakeProcesses, JitterFs } from './lock.test-util.js';
import { nodeFs } from './node-fs.js';

const seed = Number(process.env['SEED'] ?? Date.now());
const DIR = '/db';

function record(pid: number, overrides: Partial<LockRecord> = {}): LockRecord {
  return { pid, startedAt: `fake:${pid}:0`, host: 'test-host', nonce: 'feedfacefeedface', createdAtMs: 1, ...overrides };
}

async function memDir(nowMs?: () => number): Promise<MemFs> {
  const fs = new MemFs(nowMs === undefined ? {} : { nowMs });
  await fs.mkdir(DIR);
  return fs;
}

async function lockedError(promise: Promise<unknown>): Promise<LockedError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(LockedError);
  return error as LockedError;
}

async function lockContent(fs: Fs, dir = DIR): Promise<LockRecord> {
  return decodeLockRecord(await fs.readFile(joinPath(dir, 'LOCK')));
}

describe('acquireLock: owner and waiting', () => {
  it('creates LOCK with the owner record and refuses a second owner, naming the pid', async () => {
    const fs = await memDir();
    const table = new FakeProcesses();
    const first = table.spawn(4001);
    const handle = await acquireLock(fs, DIR, { probe: first });
    expect(await lockContent(fs)).toEqual(handle.record);
    expect(handle.record).toMatchObject({ pid: 4001, host: 'test-host' });
    const error = await lockedError(acquireLock(fs, DIR, { probe: table.spawn() }));
    expect(error.pid).toBe(4001);
    expect(error.code).toBe('LOCKED');
    expect(error.message).toContain('process 4001');
    await lockedError(acquireLock(fs, DIR, { probe: first }));
  });

  it('waits up to timeoutMs and succeeds when the owner releases', async () => {
    const fs = await memDir();
    const table = new FakeProcesses();
    const handle = await acquireLock(fs, DIR, { probe: table.spawn() });
    const startMs = Date.now();
    setTimeout(() => void handle.release(), 60);
    const second = await acquireLock(fs, DIR, { probe: table.spawn(), timeoutMs: 5000, pollIntervalMs: 5 });
    expect(Date.now() - startMs).toBeGreaterThanOrEqual(50);
    expect((await lockContent(fs)).nonce).toBe(second.record.nonce);
  });

  it('gives up after timeoutMs with LockedError', async () => {
    const fs = await memDir();
    const table = new FakeProcesses();
    const owner = await acquireLock(fs, DIR, { probe: table.spawn(4002) });
    const startMs = Date.now();
    const error = await lockedError(acquireLock(fs, DIR, { probe: table.spawn(), timeoutMs: 80, pollIntervalMs: 10 }));
    expect(Date.now() - startMs).toBeGreaterThanOrEqual(75);
    expect(error.pid).toBe(owner.record.pid);
  });

  it('release unlinks only its own LOCK, once; asyncDispose releases', async () => {
    const fs = await memDir();
    const table = new FakeProcesses();
    const handle = await acquireLock(fs, DIR, { probe: table.spawn() });
    await handle.release();
    await handle.release();
    expect(handle.released).toBe(true);
    expect(await fs.readdir(DIR)).toEqual([]);
    const disposable: LockHandle = await acquireLock(fs, DIR, { probe: table.spawn() });
    await fs.unlink(joinPath(DIR, 'LOCK'));
    await fs.createExclusive(joinPath(DIR, 'LOCK'), encodeLockRecord(record(77)));
    await disposable[Symbol.asyncDispose]();
    expect((await lockContent(fs)).pid).toBe(77);
  });
});

describe('acquireLock: stale locks', () => {
  it('takes over a LOCK whose pid is dead', async () => {
    const fs = await memDir();
    await fs.createExclusive(joinPath(DIR, 'LOCK'), encodeLockRecord(record(99)));
    const table = new FakeProcesses();
    const handle = await acquireLock(fs, DIR, { probe: table.spawn() });
    expect((await lockContent(fs)).nonce).toBe(handle.record.nonce);
    expect(await fs.readdir(DIR)).toEqual(['LOCK']);
  });

  it('takes over a LOCK whose pid was recycled by another process', async () => {
    const fs = await memDir();
    const table = new FakeProcesses();
    const old = table.spawn(555);
    const oldHandle = await acquireLock(fs, DIR, { probe: old });
    table.recycle(555);
    const handle = await acquireLock(fs, DIR, { probe: table.spawn() });
    expect((await lockContent(fs)).nonce).toBe(handle.record.nonce);
    expect(oldHandle.record.pid).toBe(555);
  });

  it('never judges a LOCK of another host stale', async () => {
    const fs = await memDir();
    await fs.createExclusive(joinPath(DIR, 'LOCK'), encodeLockRecord(record(99, { host: 'elsewhere' })));
    const error = await lockedError(acquireLock(fs, DIR, { probe: new FakeProcesses().spawn() }));
    expect(error.pid).toBe(99);
  });

  it('treats a young unparsable LOCK as held and an old one as stale (by mtime)', async () => {
    let nowMs = 1_000_000;
    const fs = await memDir(() => nowMs);
    await fs.createExclusive(joinPath(DIR, 'LOCK'), new Uint8Array(0));
    const table = new FakeProcesses();
    const options: AcquireLockOptions = { probe: table.spawn(), nowMs: () => nowMs, settleMs: 0, unparsableStaleMs: 5000 };
    const error = await lockedError(acquireLock(fs, DIR, options));
    expect(error.pid).toBeUndefined();
    nowMs += 5000;
    const handle = await acquireLock(fs, DIR, options);
    expect((await lockContent(fs)).nonce).toBe(handle.record.nonce);
  });

  it('without mtimes, breaks unparsable content after seeing it unchanged for unparsableStaleMs', async () => {
    const inner = await memDir();
    await inner.createExclusive(joinPath(DIR, 'LOCK'), Uint8Array.of(0x7b, 0x22));
    const noMtime: Fs = Object.assign(Object.create(inner) as MemFs, {
      stat: async (path: string) => {
        const stat = await inner.stat(path);
        return stat === undefined ? undefined : { size: stat.size };
      },
    });
    const startMs = Date.now();
    const handle = await acquireLock(noMtime, DIR, {
      probe: new FakeProcesses().spawn(), unparsableStaleMs: 60, pollIntervalMs: 5,
    });
    expect(Date.now() - startMs).toBeGreaterThanOrEqual(55);
    expect((await lockContent(inner)).nonce).toBe(handle.record.nonce);
  });

  it('breaks the marker of a breaker that died, then the stale LOCK; leaves no markers', async () => {
    const fs = await memDir();
    const staleLock = encodeLockRecord(record(99));
    await fs.createExclusive(joinPath(DIR, 'LOCK'), staleLock);
    const markerName = LOCK_BREAK_PREFIX + lockIdentity(staleLock);
    await fs.createExclusive(joinPath(DIR, markerName), encodeLockRecord(record(98, { nonce: 'aaaaaaaaaaaaaaaa' })));
    await fs.createExclusive(joinPath(DIR, `${LOCK_BREAK_PREFIX}0000000000000001`), encodeLockRecord(record(97)));
    const handle = await acquireLock(fs, DIR, { probe: new FakeProcesses().spawn() });
    expect((await lockContent(fs)).nonce).toBe(handle.record.nonce);
    expect(await fs.readdir(DIR)).toEqual(['LOCK']);
  });

  it('waits for a live breaker instead of interfering', async () => {
    const fs = await memDir();
    const table = new FakeProcesses();
    const breaker = table.spawn(321);
    const staleLock = encodeLockRecord(record(99));
    await fs.createExclusive(joinPath(DIR, 'LOCK'), staleLock);
    const markerPath = joinPath(DIR, LOCK_BREAK_PREFIX + lockIdentity(staleLock));
    await fs.createExclusive(markerPath, encodeLockRecord(record(breaker.pid, { startedAt: (await breaker.self()).startedAt })));
    const error = await lockedError(acquireLock(fs, DIR, { probe: table.spawn(), settleMs: 40, pollIntervalMs: 5 }));
    expect(error.pid).toBe(321);
    expect(await fs.stat(markerPath)).toBeDefined();
  });
});

interface RaceResult {
  winners: number;
  errors: unknown[];
}

async function raceForStaleLock(fs: Fs, dir: string, contenders: number, raceSeed: number): Promise<RaceResult> {
  const table = new FakeProcesses();
  const jitter = new JitterFs(fs, raceSeed);
  await fs.createExclusive(joinPath(dir, 'LOCK'), encodeLockRecord(record(99)));
  const attempts = Array.from({ length: contenders }, () =>
    acquireLock(jitter, dir, { probe: table.spawn(), settleMs: 5000, pollIntervalMs: 2 }),
  );
  const settled = await Promise.allSettled(attempts);
  const won = settled.filter((s): s is PromiseFulfilledResult<LockHandle> => s.status === 'fulfilled');
  const errors = settled.filter((s) => s.status === 'rejected').map((s) => (s as PromiseRejectedResult).reason);
  if (won.length === 1) expect((await lockContent(fs, dir)).nonce).toBe(won[0]?.value.record.nonce);
  expect((await fs.readdir(dir)).filter((name) => name.startsWith(LOCK_BREAK_PREFIX))).toEqual([]);
  return { winners: won.length, errors };
}

describe(`acquireLock: races (seed ${seed})`, () => {
  it('exactly one of several acquirers wins a stale LOCK on MemFs', async () => {
    for (let round = 0; round < 60; round++) {
      const fs = await memDir();
      const result = await raceForStaleLock(fs, DIR, 2 + (round % 4), seed + round);
      expect(result.winners, `round ${round}`).toBe(1);
      for (const error of result.errors) expect(error).toBeInstanceOf(LockedError);
    }
  });

  it('exactly one of several acquirers wins a stale LOCK on NodeFs', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lsm-lock-race-'));
    try {
      for (let round = 0; round < 30; round++) {
        const dir = join(root, String(round));
        await nodeFs.mkdir(dir);
        const result = await raceForStaleLock(nodeFs, dir, 2 + (round % 3), seed + round);
        expect(result.winners, `round ${round}`).toBe(1);
        for (const error of result.errors) expect(error).toBeInstanceOf(LockedError);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  /** Workers loop acquire -> critical section -> release; some "die" holding the lock. */
  async function mutualExclusion(fs: Fs, dir: string, runSeed: number): Promise<{ entries: number; deaths: number }> {
    const table = new FakeProcesses();
    const prng = createPrng(runSeed);
    const jitter = new JitterFs(fs, runSeed);
    let inside = 0;
    let entries = 0;
    let deaths = 0;
    const worker = async (): Promise<void> => {
      for (let turn = 0; turn < 6; turn++) {
        const probe = table.spawn();
        const handle = await acquireLock(jitter, dir, { probe, timeoutMs: 20_000, pollIntervalMs: 1, settleMs: 20_000 });
        inside += 1;
        entries += 1;
        expect(inside).toBe(1);
        await new Promise((resolve) => setTimeout(resolve, prng.nextInt(3)));
        inside -= 1;
        if (prng.next() < 0.3) {
          deaths += 1;
          table.kill(probe.pid);
        } else {
          await handle.release();
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    return { entries, deaths };
  }

  it('critical sections never overlap while owners release or die (MemFs)', async () => {
    for (let run = 0; run < 5; run++) {
      const fs = await memDir();
      const { entries, deaths } = await mutualExclusion(fs, DIR, seed + run);
      expect(entries).toBe(24);
      expect(deaths).toBeGreaterThan(0);
    }
  });

  it('critical sections never overlap while owners release or die (NodeFs)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsm-lock-mutex-'));
    try {
      const { entries } = await mutualExclusion(nodeFs, dir, seed);
      expect(entries).toBe(24);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
