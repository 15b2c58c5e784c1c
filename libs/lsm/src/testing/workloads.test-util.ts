/**
 * The workloads of RELIABILITY.md section 3 used by the power-loss (T4) and I/O-error (T6) suites,
 * with a model of what each acknowledged step leaves in the store.
 *
 * Small thresholds (memtable 4 KiB, table 8 KiB, value threshold 64 B, L0 trigger 2):
 *   W1 200 synced puts and deletes (single-key commits)
 *   W2 the same plus explicit flushes and compactions
 *   W3 value-log GC after overwriting half of the (large-valued) keys
 *   W4 MANIFEST rotation and CURRENT swap (every open starts a new MANIFEST; several reopens)
 *   W5 100 transactions of 2–4 keys
 *   open: `open` + `close` of a populated store (the store is built by `setup`, uncounted)
 *
 * A workload is a list of steps run one at a time; `commit` steps change the model, the others
 * (flush, compact, gc, reopen) must not change what a read sees. Every commit is synced, so after
 * any crash the store must equal the model after the acknowledged commits, or that plus the one
 * commit in flight (all-or-nothing).
 */

import { openDb, type Db } from '../db.js';
import type { DbOptions } from '../options.js';
import type { Fs } from '../fs/fs.js';
import { createPrng } from './seeded-prng.js';

export const DIR = '/db';

export const WORKLOAD_OPTIONS = {
  dir: DIR,
  memTableBytes: 4 * 1024,
  baseTableBytes: 8 * 1024,
  baseLevelBytes: 16 * 1024,
  l0CompactionTrigger: 2,
  valueThresholdBytes: 64,
  valueLogFileBytes: 64 * 1024,
  blockBytes: 512,
  autoValueLogGc: false,
} satisfies Partial<DbOptions>;

export interface Write {
  key: string;
  /** undefined: delete */
  value: string | undefined;
}

export type Step =
  | { kind: 'commit'; writes: Write[] }
  | { kind: 'flush' }
  | { kind: 'compact' }
  | { kind: 'gc' }
  | { kind: 'reopen' };

export interface Workload {
  name: string;
  /** steps run (and counted) from a fresh open */
  steps: Step[];
  /** steps run on a clean store before counting starts (the `open` workload) */
  setup?: Step[];
}

const pad = (n: number, width = 3): string => String(n).padStart(width, '0');

function value(tag: string, long: boolean): string {
  return `${tag}:`.padEnd(long ? 90 + (tag.length % 40) : 12, long ? 'L' : 's');
}

/** W1/W2: single-key synced puts and deletes over 60 keys; W2 adds flushes and compactions. */
function putsAndDeletes(seed: number, count: number, maintenance: boolean): Step[] {
  const prng = createPrng(seed);
  const steps: Step[] = [];
  for (let i = 0; i < count; i++) {
    const key = `k${pad(prng.nextInt(60))}`;
    const deleted = i > 10 && prng.nextInt(5) === 0;
    steps.push({ kind: 'commit', writes: [{ key, value: deleted ? undefined : value(`p${i}`, prng.nextInt(3) === 0) }] });
    if (maintenance && i % 50 === 49) steps.push({ kind: 'flush' });
    if (maintenance && i % 100 === 99) steps.push({ kind: 'compact' });
  }
  return steps;
}

/** W3: 60 large values, flush, overwrite half, flush, compact, then value-log GC (twice). */
function valueLogGc(seed: number): Step[] {
  const prng = createPrng(seed);
  const steps: Step[] = [];
  for (let i = 0; i < 60; i++) steps.push({ kind: 'commit', writes: [{ key: `g${pad(i)}`, value: value(`g${i}.0`, true) }] });
  steps.push({ kind: 'flush' });
  for (let i = 0; i < 60; i += 2) {
    const overwrite = prng.nextInt(4) === 0 ? undefined : value(`g${i}.1`, true);
    steps.push({ kind: 'commit', writes: [{ key: `g${pad(i)}`, value: overwrite }] });
  }
  steps.push({ kind: 'flush' }, { kind: 'compact' }, { kind: 'gc' }, { kind: 'gc' });
  steps.push({ kind: 'commit', writes: [{ key: 'g-after', value: value('after-gc', true) }] });
  return steps;
}

/** W4: commits between reopens; each open writes a new MANIFEST and swaps CURRENT. */
function manifestRotation(seed: number): Step[] {
  const prng = createPrng(seed);
  const steps: Step[] = [];
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < 15; i++) {
      steps.push({ kind: 'commit', writes: [{ key: `m${pad(prng.nextInt(30))}`, value: value(`m${round}.${i}`, prng.nextInt(3) === 0) }] });
    }
    steps.push({ kind: 'flush' }, { kind: 'reopen' });
  }
  return steps;
}

/** W5: 100 transactions of 2–4 distinct keys (puts and deletes). */
function transactions(seed: number): Step[] {
  const prng = createPrng(seed);
  const steps: Step[] = [];
  for (let i = 0; i < 100; i++) {
    const writes = new Map<string, Write>();
    const size = 2 + prng.nextInt(3);
    while (writes.size < size) {
      const key = `t${pad(prng.nextInt(40))}`;
      writes.set(key, { key, value: prng.nextInt(6) === 0 ? undefined : value(`t${i}.${writes.size}`, prng.nextInt(3) === 0) });
    }
    steps.push({ kind: 'commit', writes: [...writes.values()] });
  }
  return steps;
}

export function workloads(seed: number): Workload[] {
  return [
    { name: 'W1 puts+deletes', steps: putsAndDeletes(seed, 200, false) },
    { name: 'W2 +flush+compaction', steps: putsAndDeletes(seed + 1, 200, true) },
    { name: 'W3 vlog GC', steps: valueLogGc(seed + 2) },
    { name: 'W4 MANIFEST/CURRENT', steps: manifestRotation(seed + 3) },
    { name: 'W5 transactions', steps: transactions(seed + 4) },
    { name: 'open', setup: [...transactions(seed + 5).slice(0, 60), { kind: 'flush' }, ...putsAndDeletes(seed + 6, 40, false)], steps: [] },
  ];
}

export function applyWrites(model: Map<string, string>, writes: readonly Write[]): void {
  for (const { key, value: v } of writes) {
    if (v === undefined) model.delete(key);
    else model.set(key, v);
  }
}

/** The model after the first `count` commit steps of `steps` (on top of `base`). */
export function modelAfter(steps: readonly Step[], count: number, base: Map<string, string> = new Map()): Map<string, string> {
  const model = new Map(base);
  let seen = 0;
  for (const step of steps) {
    if (seen >= count) break;
    if (step.kind !== 'commit') continue;
    applyWrites(model, step.writes);
    seen++;
  }
  return model;
}

export function commitSteps(steps: readonly Step[]): Write[][] {
  return steps.flatMap((step) => (step.kind === 'commit' ? [step.writes] : []));
}

/** Runs one step on an open Db; returns the Db to use next (reopen replaces it). */
export async function runStep(db: Db, step: Step, open: () => Promise<Db>): Promise<Db> {
  switch (step.kind) {
    case 'commit':
      await db.update((txn) => {
        for (const { key, value: v } of step.writes) {
          if (v === undefined) txn.delete(key);
          else txn.set(key, v);
        }
      });
      return db;
    case 'flush':
      await db.flush();
      return db;
    case 'compact':
      await db.flatten();
      return db;
    case 'gc':
      await db.runValueLogGC({ discardRatio: 0.2, maxFiles: 4 });
      return db;
    case 'reopen':
      await db.close();
      return open();
  }
}

export function openOn(fs: Fs, extra: Partial<DbOptions> = {}): Promise<Db> {
  return openDb({ ...WORKLOAD_OPTIONS, ...extra, fs });
}

const decoder = new TextDecoder();

/** Every key and value in one snapshot. */
export async function contents(db: Db): Promise<Map<string, string>> {
  return db.view((txn) => new Map([...txn.iterate()].map((item) => [decoder.decode(item.key), decoder.decode(item.value)])));
}

export function sameMap(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

/** A short description of how `actual` differs from `expected` (first few keys). */
export function diffMaps(actual: ReadonlyMap<string, string>, expected: ReadonlyMap<string, string>): string {
  const out: string[] = [];
  for (const [key, v] of expected) if (actual.get(key) !== v) out.push(`${key}: expected ${JSON.stringify(v.slice(0, 24))}, got ${JSON.stringify(actual.get(key)?.slice(0, 24))}`);
  for (const key of actual.keys()) if (!expected.has(key)) out.push(`${key}: expected absent, got ${JSON.stringify(actual.get(key)?.slice(0, 24))}`);
  return out.slice(0, 4).join('; ') + (out.length > 4 ? `; ... ${out.length} keys differ` : '');
}
