// Goal (RELIABILITY T7): the engine behaves as a sorted Map under any sequence of operations,
// including flush, compaction, value-log GC, reopen and simulated power loss.
// Method: fast-check model-based testing (fc.commands + fc.asyncModelRun): each command runs on
// the engine (MemFs, tiny memtables and tables, 64-byte value threshold) and on a model of two
// Maps, `committed` and `synced` (every commit here is synced, so a crash in mode (a), synced
// data only, must keep exactly `committed`). Keys from a 64-key alphabet so that overwrites and
// tombstones collide; values of 0-256 bytes across the value threshold. Failures shrink to a
// minimal command list and print the seed and path to replay (SEED=..., fast-check's `path`).
// Sizes: sequences PR 30, REL 600, SOAK 10,000 (the plan's REL size; it needs ~40 min here) (MODEL_SEQUENCES); up to 50 (PR) / 100 commands.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from './db.js';
import { MemFs } from './testing/mem-fs.js';
import { reportFigures, seedFromEnvOrNow, tierSize } from './testing/tier.test-util.js';

const seed = seedFromEnvOrNow();
const SEQUENCES = tierSize('MODEL_SEQUENCES', { pr: 30, rel: 600, soak: 10_000 });
const MAX_COMMANDS = tierSize('MODEL_COMMANDS', { pr: 50, rel: 100 });
const DIR = '/db';
const dec = new TextDecoder();
const options = {
  dir: DIR,
  memTableBytes: 4 * 1024,
  baseTableBytes: 4 * 1024,
  baseLevelBytes: 16 * 1024,
  l0CompactionTrigger: 2,
  valueThresholdBytes: 64,
  blockBytes: 256,
  autoValueLogGc: false,
};

interface Model {
  committed: Map<string, string>;
}
interface Real {
  fs: MemFs;
  db: Db;
}
type Cmd = fc.AsyncCommand<Model, Real>;

const sortedEntries = (m: Map<string, string>, lower: string, upper: string, reverse: boolean): string[] => {
  const out = [...m].filter(([k]) => k >= lower && k < upper).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`);
  return reverse ? out.reverse() : out;
};

async function readAll(db: Db, lower: string, upper: string, reverse: boolean): Promise<string[]> {
  return db.view((txn) => [...txn.iterate({ start: lower, end: upper, reverse })].map((i) => `${dec.decode(i.key)}=${dec.decode(i.value)}`));
}

type Write = [string, string | null];
const apply = (m: Map<string, string>, writes: readonly Write[]): void => {
  for (const [k, v] of writes) {
    if (v === null) m.delete(k);
    else m.set(k, v);
  }
};

class WriteCmd implements Cmd {
  constructor(readonly writes: Write[], readonly mode: 'update' | 'batch') {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    if (this.mode === 'update') {
      await real.db.update((txn) => {
        for (const [k, v] of this.writes) {
          if (v === null) txn.delete(k);
          else txn.set(k, v);
        }
      });
    } else {
      const batch = real.db.newWriteBatch();
      for (const [k, v] of this.writes) {
        if (v === null) batch.delete(k);
        else batch.set(k, v);
      }
      await batch.flush();
    }
    apply(model.committed, this.writes);
  }
  toString = (): string => `${this.mode}(${this.writes.map(([k, v]) => (v === null ? `-${k}` : `${k}:${v.length}`)).join(',')})`;
}

class AbortCmd implements Cmd {
  constructor(readonly writes: Write[]) {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    const txn = real.db.newTransaction({ update: true });
    for (const [k, v] of this.writes) {
      if (v === null) txn.delete(k);
      else txn.set(k, v);
    }
    txn.discard();
    expect(await readAll(real.db, '', '\u{ffff}', false)).toEqual(sortedEntries(model.committed, '', '\u{ffff}', false));
  }
  toString = (): string => `abort(${this.writes.length})`;
}

class GetCmd implements Cmd {
  constructor(readonly key: string) {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    const got = await real.db.get(this.key);
    expect(got === undefined ? undefined : dec.decode(got), `get ${this.key}`).toBe(model.committed.get(this.key));
  }
  toString = (): string => `get(${this.key})`;
}

class ScanCmd implements Cmd {
  constructor(readonly lower: string, readonly upper: string, readonly reverse: boolean) {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    expect(await readAll(real.db, this.lower, this.upper, this.reverse)).toEqual(sortedEntries(model.committed, this.lower, this.upper, this.reverse));
  }
  toString = (): string => `scan(${this.lower},${this.upper}${this.reverse ? ',rev' : ''})`;
}

/** A snapshot opened before a write keeps seeing the state before it. */
class SnapshotCmd implements Cmd {
  constructor(readonly key: string, readonly value: string) {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    const before = sortedEntries(model.committed, '', '\u{ffff}', false);
    const view = real.db.newTransaction();
    try {
      await real.db.set(this.key, this.value);
      model.committed.set(this.key, this.value);
      expect([...view.iterate()].map((i) => `${dec.decode(i.key)}=${dec.decode(i.value)}`)).toEqual(before);
    } finally {
      view.discard();
    }
  }
  toString = (): string => `snapshot+set(${this.key})`;
}

class MaintenanceCmd implements Cmd {
  constructor(readonly kind: 'flush' | 'compact' | 'gc' | 'reopen' | 'crash') {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    switch (this.kind) {
      case 'flush':
        await real.db.flush();
        break;
      case 'compact':
        await real.db.flatten();
        break;
      case 'gc':
        await real.db.runValueLogGC({ discardRatio: 0.1, maxFiles: 4 });
        break;
      case 'reopen':
        await real.db.close();
        real.db = await openDb({ ...options, fs: real.fs });
        break;
      case 'crash': {
        real.fs.crash();
        const clone = (real.fs.crashState() as MemFs).crashClone('synced', real.fs.mutationCount);
        await clone.unlink(`${DIR}/LOCK`).catch(() => undefined);
        real.fs = clone;
        real.db = await openDb({ ...options, fs: clone });
        break; // every commit was synced: the model stays as it is
      }
    }
    expect(await readAll(real.db, '', '\u{ffff}', false)).toEqual(sortedEntries(model.committed, '', '\u{ffff}', false));
  }
  toString = (): string => this.kind;
}

const key = fc.integer({ min: 0, max: 63 }).map((i) => `k${String(i).padStart(2, '0')}`);
const value = fc.tuple(fc.integer({ min: 0, max: 256 }), fc.constantFrom('a', 'b', 'c', 'd')).map(([n, c]) => c.repeat(n));
const write: fc.Arbitrary<Write> = fc.tuple(key, fc.option(value, { freq: 5, nil: null }));
const writes = fc.uniqueArray(write, { minLength: 1, maxLength: 4, selector: ([k]) => k });

const commands = [
  writes.map((w) => new WriteCmd(w, 'update')),
  writes.map((w) => new WriteCmd(w, 'batch')),
  writes.map((w) => new AbortCmd(w)),
  key.map((k) => new GetCmd(k)),
  fc.tuple(key, key, fc.boolean()).map(([a, b, r]) => new ScanCmd(a < b ? a : b, a < b ? b : `${a}~`, r)),
  fc.tuple(key, value).map(([k, v]) => new SnapshotCmd(k, v)),
  fc.constantFrom('flush', 'compact', 'gc', 'reopen', 'crash').map((k) => new MaintenanceCmd(k as MaintenanceCmd['kind'])),
];

describe(`T7 model-based commands (SEED=${seed}, ${SEQUENCES} sequences of up to ${MAX_COMMANDS} commands)`, () => {
  it('the engine equals a sorted Map through writes, aborts, snapshots, flush, compaction, GC, reopen and crash', { timeout: 1_800_000 }, async () => {
    let sequences = 0;
    let commandsRun = 0;
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: MAX_COMMANDS, size: 'max' }), async (cmds) => {
        const fs = new MemFs();
        const real: Real = { fs, db: await openDb({ ...options, fs }) };
        try {
          await fc.asyncModelRun(() => ({ model: { committed: new Map() }, real }), cmds);
          sequences++;
          commandsRun += [...cmds].length;
        } finally {
          if (!real.db.isClosed) await real.db.close().catch(() => undefined);
        }
      }),
      { seed, numRuns: SEQUENCES },
    );
    reportFigures('T7 model-based (fast-check commands)', `${sequences} sequences, ${commandsRun} commands, 0 counterexamples, SEED=${seed}`);
  });
});
