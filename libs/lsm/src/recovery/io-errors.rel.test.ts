// Goal (RELIABILITY T6, D7; SQLite ioerr, RocksDB FaultInjectionTestFS, Pebble errorfs): an I/O
// error at any operation of the workloads W1-W5 and of `open` is reported, never swallowed into
// a false success, and never costs an acknowledged write:
//   - the call in flight rejects with IO_ERROR (or READ_ONLY when a background job failed first);
//     never an untyped error;
//   - after a failed write or fsync further writes reject with READ_ONLY, reads keep working
//     (when the disk still reads), and no fsync of the file whose fsync failed is tried again;
//   - after reopening on a healthy disk (the page cache as it is, and a power loss after the
//     failure: synced data only) the store equals the acknowledged commits, plus at most the
//     commit in flight, all-or-nothing;
//   - no unhandled promise rejection.
// Method: count the operations of a clean run (FaultFs over MemFs); then for every n (REL and
// SOAK; IO_EVERY=k samples every k-th from an offset taken from the seed) rerun with the fault at operation n in four modes: EIO once (any
// operation), EIO persistent (any), ENOSPC persistent (writes: append, create, truncate), EIO on
// fsync only (persistent). SEED reruns the workloads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db.js';
import { isLsmError } from '../errors.js';
import { FaultFs, type FaultOpKind, type FaultRule } from '../testing/fault-fs.js';
import { MemFs } from '../testing/mem-fs.js';
import { reportFigures, seedFromEnvOrNow, strided, tierSize } from '../testing/tier.test-util.js';
import {
  DIR, contents, diffMaps, modelAfter, openOn, runStep, sameMap, workloads, type Step, type Workload,
} from '../testing/workloads.test-util.js';

const seed = seedFromEnvOrNow();
const every = Math.max(1, tierSize('IO_EVERY', { pr: 13, rel: 1, soak: 1 }));

interface Mode {
  name: string;
  /** which operations n counts */
  kinds: readonly FaultOpKind[] | undefined;
  rule: (n: number) => FaultRule;
  /** reads still work after the fault */
  readsWork: boolean;
}

const MODES: Mode[] = [
  { name: 'EIO once', kinds: undefined, rule: (n) => ({ atOp: n }), readsWork: true },
  { name: 'EIO persistent', kinds: undefined, rule: (n) => ({ atOp: n, persistent: true }), readsWork: false },
  { name: 'ENOSPC persistent', kinds: ['write'], rule: (n) => ({ atOp: n, kinds: ['write'], errno: 'ENOSPC', persistent: true, partialWrite: true }), readsWork: true },
  { name: 'EIO on fsync', kinds: ['sync'], rule: (n) => ({ atOp: n, kinds: ['sync'], persistent: true }), readsWork: true },
];

/** A FaultFs that also logs every operation (kind and path) in order. */
class LoggingFaultFs extends FaultFs {
  readonly log: { kind: FaultOpKind; path: string; failed: boolean }[] = [];
  override check(kind: FaultOpKind, syscall: string, path: string): NodeJS.ErrnoException | undefined {
    const error = super.check(kind, syscall, path);
    this.log.push({ kind, path, failed: error !== undefined });
    return error;
  }
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

interface Tally {
  ops: number;
  runs: number;
  injected: number;
  failedCalls: number;
  readOnlyChecked: number;
  absorbed: number;
  reopened: number;
}

async function baseFor(workload: Workload): Promise<MemFs | undefined> {
  if (workload.setup === undefined) return undefined;
  const fs = new MemFs();
  let db = await openOn(fs);
  for (const step of workload.setup) db = await runStep(db, step, () => openOn(fs));
  await db.close();
  return fs;
}

function fresh(base: MemFs | undefined): MemFs {
  return base === undefined ? new MemFs() : base.crashClone('process');
}

const isTyped = (error: unknown, ...codes: string[]): boolean => isLsmError(error) && codes.includes(error.code);

/** Runs one fault case; throws with a description when a rule is broken. */
async function faultCase(workload: Workload, base: MemFs | undefined, baseModel: Map<string, string>, mode: Mode, n: number, tally: Tally): Promise<void> {
  const inner = fresh(base);
  const fs = new LoggingFaultFs(inner, mode.rule(n));
  const context = `${workload.name}, ${mode.name} at operation ${n} (SEED=${seed})`;
  let acked = 0;
  let inFlight: Step | undefined;
  let db: Db | undefined;
  let failure: unknown;
  try {
    db = await openOn(fs);
    for (const step of workload.steps) {
      inFlight = step;
      db = await runStep(db, step, () => openOn(fs));
      if (step.kind === 'commit') acked++;
      inFlight = undefined;
    }
  } catch (error) {
    failure = error;
  }
  tally.runs++;
  const injected = fs.injected;
  if (injected.length > 0) tally.injected++;
  if (failure !== undefined) {
    if (injected.length === 0) throw new Error(`${context}: a call failed with no fault injected: ${String(failure)}`, { cause: failure });
    if (!isTyped(failure, 'IO_ERROR', 'READ_ONLY')) {
      throw new Error(`${context}: the call in flight (${inFlight?.kind ?? 'open'}) failed with ${String(failure)}, not IO_ERROR/READ_ONLY`, { cause: failure });
    }
    tally.failedCalls++;
  } else if (injected.length > 0) {
    tally.absorbed++;
  }
  const first = injected[0];
  if (db !== undefined && first !== undefined) {
    const failedWriteOrSync = failure !== undefined && (first.kind === 'write' || first.kind === 'sync');
    if (failedWriteOrSync && !db.isClosed) {
      let probe: unknown;
      try {
        await db.set('probe-after-failure', 'x');
      } catch (error) {
        probe = error;
      }
      if (!isTyped(probe, 'READ_ONLY')) throw new Error(`${context}: a write after the failure gave ${String(probe ?? 'success')}, not READ_ONLY`);
      if (mode.readsWork) {
        const expectedBefore = modelAfter(workload.steps, acked, baseModel);
        const expectedAfter = inFlight?.kind === 'commit' ? modelAfter(workload.steps, acked + 1, baseModel) : expectedBefore;
        const state = await contents(db);
        if (!sameMap(state, expectedBefore) && !sameMap(state, expectedAfter)) {
          throw new Error(`${context}: reads after the failure do not show the acknowledged state: ${diffMaps(state, expectedBefore)}`);
        }
      }
      tally.readOnlyChecked++;
    }
    if (!db.isClosed) await db.close().catch((error: unknown) => {
      if (!isTyped(error, 'IO_ERROR', 'READ_ONLY')) throw new Error(`${context}: close failed with ${String(error)}`, { cause: error });
    });
    // D7: a failed fsync is never retried on the same file (the handle's state is unknown).
    const failedSync = fs.log.findIndex((op) => op.failed && op.kind === 'sync');
    if (failedSync >= 0) {
      const path = fs.log[failedSync]?.path;
      const retried = fs.log.slice(failedSync + 1).some((op) => op.kind === 'sync' && op.path === path && !path?.endsWith(DIR));
      if (retried) throw new Error(`${context}: fsync of ${path} was tried again after it failed`);
    }
  } else if (db !== undefined) {
    // A fault absorbed by a background job may still fail the close: typed, then.
    await db.close().catch((error: unknown) => {
      if (!isTyped(error, 'IO_ERROR', 'READ_ONLY')) throw new Error(`${context}: close failed with ${String(error)}`, { cause: error });
    });
  }
  // Reopen on a healthy disk: as the page cache holds it, and after a power loss right now.
  inner.crash();
  const frozen = inner.crashState() as MemFs;
  const before = modelAfter(workload.steps, acked, baseModel);
  const after = inFlight?.kind === 'commit' ? modelAfter(workload.steps, acked + 1, baseModel) : before;
  for (const crashMode of ['process', 'synced'] as const) {
    const clone = frozen.crashClone(crashMode, n);
    await clone.unlink(`${DIR}/LOCK`).catch(() => undefined);
    let reopened: Db;
    try {
      reopened = await openOn(clone);
    } catch (error) {
      throw new Error(`${context}: reopening on a healthy disk (${crashMode}) failed: ${String(error)}`, { cause: error });
    }
    const state = await contents(reopened);
    await reopened.close();
    if (!sameMap(state, before) && !sameMap(state, after)) {
      throw new Error(`${context}: after reopening (${crashMode}) ${acked} acknowledged commits are not whole: ${diffMaps(state, before)}`);
    }
    tally.reopened++;
  }
}

describe(`T6 I/O errors at every operation of W1-W5 and open (SEED=${seed})`, () => {
  for (const workload of workloads(seed)) {
    it(workload.name, { timeout: 1_800_000 }, async () => {
      const started = Date.now();
      const base = await baseFor(workload);
      const baseModel = workload.setup === undefined ? new Map<string, string>() : modelAfter(workload.setup, Number.MAX_SAFE_INTEGER);
      const counter = new FaultFs(fresh(base));
      let db = await openOn(counter);
      for (const step of workload.steps) db = await runStep(db, step, () => openOn(counter));
      await db.close();
      const counts = counter.counts;
      const parts: string[] = [];
      const failures = new Map<string, string>();
      let injectedTotal = 0;
      for (const mode of MODES) {
        const total = mode.kinds === undefined ? counts.total : mode.kinds.reduce((sum, kind) => sum + counts[kind], 0);
        const tally: Tally = { ops: total, runs: 0, injected: 0, failedCalls: 0, readOnlyChecked: 0, absorbed: 0, reopened: 0 };
        for (const n of strided(total, every, seed)) {
          try {
            await faultCase(workload, base, baseModel, mode, n, tally);
          } catch (error) {
            // Keep going: one run shows every distinct kind of failure (first case of each kept).
            const message = error instanceof Error ? error.message : String(error);
            const kind = message.replace(/\d+/g, 'N');
            if (!failures.has(kind)) failures.set(kind, message);
          }
        }
        injectedTotal += tally.injected;
        parts.push(`${mode.name}: ${tally.injected} faults of ${tally.ops} ops (${tally.failedCalls} calls failed typed, ` +
          `${tally.readOnlyChecked} read-only checks, ${tally.absorbed} absorbed)`);
      }
      reportFigures(`T6 I/O errors ${workload.name}`, `${injectedTotal} injected faults; ${parts.join('; ')}; ` +
        `${((Date.now() - started) / 1000).toFixed(0)} s, SEED=${seed}`);
      expect([...failures.values()]).toEqual([]);
      expect(unhandled).toEqual([]);
      expect(injectedTotal).toBeGreaterThan(0);
    });
  }
});
