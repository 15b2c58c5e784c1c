/**
 * The T7 model-based commands (RELIABILITY T7; db.commands.test.ts runs them under fast-check,
 * db.counterexamples.test.ts replays saved counterexamples). Each command runs on the engine
 * (MemFs, tiny memtables and tables, 64-byte value threshold) and on a model Map, `committed`
 * (every commit here is synced, so a crash in mode (a), synced data only, must keep exactly it).
 * Commands serialize to JSON (`toJSON`, `commandFromJson`) so a shrunk counterexample can be saved
 * as a regression case (counterexamples/t7-<seed>.json) and replayed without fast-check's search.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { openDb, type Db } from '../db.js';
import { MemFs } from './mem-fs.js';

export const DIR = '/db';
const dec = new TextDecoder();
export const options = {
  dir: DIR,
  memTableBytes: 4 * 1024,
  baseTableBytes: 4 * 1024,
  baseLevelBytes: 16 * 1024,
  l0CompactionTrigger: 2,
  valueThresholdBytes: 64,
  blockBytes: 256,
  autoValueLogGc: false,
};

export interface Model {
  committed: Map<string, string>;
}
export interface Real {
  fs: MemFs;
  db: Db;
}
export type Cmd = fc.AsyncCommand<Model, Real> & { toJSON(): SavedCommand };

const sortedEntries = (m: Map<string, string>, lower: string, upper: string, reverse: boolean): string[] => {
  const out = [...m].filter(([k]) => k >= lower && k < upper).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`);
  return reverse ? out.reverse() : out;
};

async function readAll(db: Db, lower: string, upper: string, reverse: boolean): Promise<string[]> {
  return db.view((txn) => [...txn.iterate({ start: lower, end: upper, reverse })].map((i) => `${dec.decode(i.key)}=${dec.decode(i.value)}`));
}

export type Write = [string, string | null];
const apply = (m: Map<string, string>, writes: readonly Write[]): void => {
  for (const [k, v] of writes) {
    if (v === null) m.delete(k);
    else m.set(k, v);
  }
};

export class WriteCmd implements Cmd {
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
  toJSON = (): SavedCommand => ({ op: this.mode, writes: this.writes });
  toString = (): string => `${this.mode}(${this.writes.map(([k, v]) => (v === null ? `-${k}` : `${k}:${v.length}`)).join(',')})`;
}

export class AbortCmd implements Cmd {
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
  toJSON = (): SavedCommand => ({ op: 'abort', writes: this.writes });
  toString = (): string => `abort(${this.writes.length})`;
}

export class GetCmd implements Cmd {
  constructor(readonly key: string) {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    const got = await real.db.get(this.key);
    expect(got === undefined ? undefined : dec.decode(got), `get ${this.key}`).toBe(model.committed.get(this.key));
  }
  toJSON = (): SavedCommand => ({ op: 'get', key: this.key });
  toString = (): string => `get(${this.key})`;
}

export class ScanCmd implements Cmd {
  constructor(readonly lower: string, readonly upper: string, readonly reverse: boolean) {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    expect(await readAll(real.db, this.lower, this.upper, this.reverse)).toEqual(sortedEntries(model.committed, this.lower, this.upper, this.reverse));
  }
  toJSON = (): SavedCommand => ({ op: 'scan', lower: this.lower, upper: this.upper, reverse: this.reverse });
  toString = (): string => `scan(${this.lower},${this.upper}${this.reverse ? ',rev' : ''})`;
}

/** A snapshot opened before a write keeps seeing the state before it. */
export class SnapshotCmd implements Cmd {
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
  toJSON = (): SavedCommand => ({ op: 'snapshot', key: this.key, value: this.value });
  toString = (): string => `snapshot+set(${this.key})`;
}

export class MaintenanceCmd implements Cmd {
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
  toJSON = (): SavedCommand => ({ op: this.kind });
  toString = (): string => this.kind;
}

const key = fc.integer({ min: 0, max: 63 }).map((i) => `k${String(i).padStart(2, '0')}`);
const value = fc.tuple(fc.integer({ min: 0, max: 256 }), fc.constantFrom('a', 'b', 'c', 'd')).map(([n, c]) => c.repeat(n));
const write: fc.Arbitrary<Write> = fc.tuple(key, fc.option(value, { freq: 5, nil: null }));
const writes = fc.uniqueArray(write, { minLength: 1, maxLength: 4, selector: ([k]) => k });

export const commands = [
  writes.map((w) => new WriteCmd(w, 'update')),
  writes.map((w) => new WriteCmd(w, 'batch')),
  writes.map((w) => new AbortCmd(w)),
  key.map((k) => new GetCmd(k)),
  fc.tuple(key, key, fc.boolean()).map(([a, b, r]) => new ScanCmd(a < b ? a : b, a < b ? b : `${a}~`, r)),
  fc.tuple(key, value).map(([k, v]) => new SnapshotCmd(k, v)),
  fc.constantFrom('flush', 'compact', 'gc', 'reopen', 'crash').map((k) => new MaintenanceCmd(k as MaintenanceCmd['kind'])),
];

export type SavedCommand =
  | { op: 'update' | 'batch'; writes: Write[] }
  | { op: 'abort'; writes: Write[] }
  | { op: 'get'; key: string }
  | { op: 'scan'; lower: string; upper: string; reverse: boolean }
  | { op: 'snapshot'; key: string; value: string }
  | { op: MaintenanceCmd['kind'] };

export function commandFromJson(saved: SavedCommand): Cmd {
  switch (saved.op) {
    case 'update':
    case 'batch':
      return new WriteCmd(saved.writes, saved.op);
    case 'abort':
      return new AbortCmd(saved.writes);
    case 'get':
      return new GetCmd(saved.key);
    case 'scan':
      return new ScanCmd(saved.lower, saved.upper, saved.reverse);
    case 'snapshot':
      return new SnapshotCmd(saved.key, saved.value);
    default:
      return new MaintenanceCmd(saved.op);
  }
}

/** Runs one command sequence on a fresh MemFs store and the model; throws at the first mismatch. */
export async function runSequence(cmds: Iterable<fc.AsyncCommand<Model, Real>>): Promise<void> {
  const fs = new MemFs();
  const real: Real = { fs, db: await openDb({ ...options, fs }) };
  try {
    await fc.asyncModelRun(() => ({ model: { committed: new Map() }, real }), cmds);
  } finally {
    if (!real.db.isClosed) await real.db.close().catch(() => undefined);
  }
}
