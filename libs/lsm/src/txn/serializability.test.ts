// Goal: committed transactions are serializable (DESIGN.md "Isolation", txn/oracle.ts) under
// adversarial interleavings, and conflicts follow the documented rule exactly.
// Method, part 1: a seeded scheduler releases the awaits of 3–5 concurrent transactions (short
// random programs of point reads, range scans that may stop early or run in reverse, sets and
// deletes over 8 keys) in a random order; WAL syncs are delayed by seeded macrotasks so commits
// stay in flight while others begin and read. Every run is checked against a Map model:
//   (a) snapshot: every transaction's reads equal the committed state at its read timestamp
//       overlaid with its own writes (also for aborted and read-only ones);
//   (b) serial order: replaying the committed update transactions one by one in commit order,
//       each one's reads equal what the serial replay gives right before its commit;
//   (c) the conflict rule exactly: an update transaction with writes fails with CONFLICT if and
//       only if a commit after its read timestamp wrote a key it point-read or a key inside a
//       range its iterators covered (up to just past the last key returned, or the whole range
//       when exhausted);
//   (d) the final state of the run's keys equals the model's.
// RUNS runs (default 1,000) on one store (4 KiB memtables, 64-byte value threshold, reopened
// every 250 runs) so reads cross memtables, SSTs and the value log. SEED env; each run prints its
// reproduction line on failure.
// Method, part 2: an Elle-style list-append history (8 workers, 32 keys, HISTORY_TXNS txns of 1–4
// append/read micro-ops with unique values, lists stored as JSON, reads by get or by scan)
// checked by testing/history-checker.ts: 0 cycles, 0 aborted/intermediate reads, 0 duplicates,
// no lost appends (the history ends with a read of every key).
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../db.js';
import { isLsmError } from '../errors.js';
import { checkListAppendHistory, formatCheckResult, type HistoryTxn, type MicroOp } from '../testing/history-checker.js';
import { MemFs } from '../testing/mem-fs.js';
import { createPrng, type Prng } from '../testing/seeded-prng.js';
import type { Txn } from './txn.js';
import { SlowSyncFs } from './slow-sync-fs.test-util.js';
import { macrotask, seedFromEnv, text } from './txn-tests.test-util.js';
import { reportFigures, tierSize } from '../testing/tier.test-util.js';

const RUNS = tierSize('RUNS', { pr: 1000, rel: 3000, soak: 20_000 });
const HISTORY_TXNS = tierSize('HISTORY_TXNS', { pr: 2000, rel: 10_000, soak: 200_000 });
const SEED = seedFromEnv(0x5e7a1);
const KEYS = 8;

// ---- a seeded promise scheduler --------------------------------------------------------------

/** Releases waiting tasks one (sometimes several) at a time, in a seeded random order. */
class SeededScheduler {
  private readonly waiting: { label: string; resolve: () => void }[] = [];
  readonly trace: string[] = [];
  constructor(private readonly prng: Prng) {}

  /** A scheduling point: resolves when the scheduler picks this task. */
  wait(label: string): Promise<void> {
    return new Promise((resolve) => this.waiting.push({ label, resolve }));
  }

  /** Runs the tasks to completion, releasing their scheduling points. */
  async run(tasks: (() => Promise<void>)[]): Promise<void> {
    let settled = false;
    const all = Promise.all(tasks.map((task) => task())).finally(() => {
      settled = true;
    });
    all.catch(() => undefined);
    for (let ticks = 0; !settled; ticks++) {
      if (ticks > 100_000) throw new Error(`scheduler: no progress after ${ticks} ticks; waiting: ${this.waiting.map((w) => w.label).join(', ')}`);
      await macrotask();
      if (this.waiting.length === 0) continue;
      const burst = this.prng.nextInt(5) === 0 ? 1 + this.prng.nextInt(this.waiting.length) : 1;
      for (let i = 0; i < burst && this.waiting.length > 0; i++) {
        const [picked] = this.waiting.splice(this.prng.nextInt(this.waiting.length), 1);
        if (picked === undefined) break;
        this.trace.push(picked.label);
        picked.resolve();
      }
    }
    await all;
  }
}

// ---- transaction programs ---------------------------------------------------------------------

type Op =
  | { kind: 'get'; key: number }
  | {
      kind: 'scan';
      lo: number | undefined;
      hi: number | undefined;
      reverse: boolean;
      /** segments: each optionally seeks, then takes up to `limit` items (all when undefined) */
      segments: { seek: number | undefined; limit: number | undefined }[];
    }
  | { kind: 'set'; key: number; value: string }
  | { kind: 'delete'; key: number };

type ScanResult = { items: [string, string][]; exhausted: boolean }[];
type Observation = string | undefined | ScanResult;

interface TxnRecord {
  id: number;
  update: boolean;
  program: Op[];
  discardAtEnd: boolean;
  readTs: number;
  observed: Observation[];
  outcome: 'pending' | 'committed' | 'conflict' | 'discarded' | 'no-writes';
  commitTs: number;
  /** the last assigned commit timestamp when its commit was attempted */
  lastTsAtAttempt: number;
  /** what commit() resolved to: the commit timestamp, or 0 with nothing to write */
  returnedTs: number;
}

function randomProgram(prng: Prng, run: number, id: number, update: boolean): Op[] {
  const ops: Op[] = [];
  for (let n = 2 + prng.nextInt(5), step = 0; step < n; step++) {
    const roll = prng.nextInt(10);
    const key = prng.nextInt(KEYS);
    if (!update || roll < 3) ops.push({ kind: 'get', key });
    else if (roll < 5) {
      const a = prng.nextInt(KEYS + 1);
      const b = prng.nextInt(KEYS + 1);
      const segment = (): { seek: number | undefined; limit: number | undefined } => ({
        seek: prng.nextInt(3) === 0 ? prng.nextInt(KEYS) : undefined,
        limit: prng.nextInt(2) === 0 ? undefined : 1 + prng.nextInt(3),
      });
      ops.push({
        kind: 'scan',
        lo: prng.nextInt(3) === 0 ? undefined : Math.min(a, b),
        hi: prng.nextInt(3) === 0 ? undefined : Math.max(a, b) + 1,
        reverse: prng.nextInt(3) === 0,
        // sometimes a second segment: seek elsewhere after reading some keys
        segments: prng.nextInt(4) === 0 ? [segment(), { ...segment(), seek: prng.nextInt(KEYS) }] : [segment()],
      });
    } else if (roll < 9) {
      const long = prng.nextInt(4) === 0;
      const value = `v${run}.${id}.${step}`;
      ops.push({ kind: 'set', key, value: long ? value.padEnd(100, '~') : value });
    } else ops.push({ kind: 'delete', key });
  }
  if (!update) {
    // views scan too
    ops.push({ kind: 'scan', lo: undefined, hi: undefined, reverse: prng.nextInt(2) === 0, segments: [{ seek: undefined, limit: undefined }] });
  }
  return ops;
}

function keyName(prefix: string, key: number): string {
  return `${prefix}k${key}`;
}

/** [lower, upper) of a scan, as strings (all keys are ASCII, so string order is byte order). */
function scanBounds(prefix: string, op: Extract<Op, { kind: 'scan' }>): { lower: string; upper: string } {
  return {
    lower: op.lo === undefined ? prefix : keyName(prefix, op.lo),
    upper: op.hi === undefined ? `${prefix.slice(0, -1)};` : keyName(prefix, op.hi),
  };
}

function scanOptions(prefix: string, op: Extract<Op, { kind: 'scan' }>): Parameters<Txn['iterate']>[0] {
  return {
    prefix,
    ...(op.lo === undefined ? {} : { start: keyName(prefix, op.lo) }),
    ...(op.hi === undefined ? {} : { end: keyName(prefix, op.hi) }),
    reverse: op.reverse,
  };
}

async function runTxn(db: Db, sched: SeededScheduler, prefix: string, record: TxnRecord): Promise<void> {
  await sched.wait(`T${record.id} begin`);
  const txn = db.newTransaction({ update: record.update });
  record.readTs = txn.readTs;
  try {
    for (const [index, op] of record.program.entries()) {
      await sched.wait(`T${record.id} ${op.kind}`);
      if (op.kind === 'get') record.observed[index] = text(txn.tryGet(keyName(prefix, op.key)));
      else if (op.kind === 'set') txn.set(keyName(prefix, op.key), op.value);
      else if (op.kind === 'delete') txn.delete(keyName(prefix, op.key));
      else {
        const iterator = txn.iterate(scanOptions(prefix, op));
        const result: ScanResult = [];
        for (const segment of op.segments) {
          if (result[result.length - 1]?.exhausted === true) break; // the iterator closed itself
          if (segment.seek !== undefined) iterator.seek(keyName(prefix, segment.seek));
          const part: ScanResult[number] = { items: [], exhausted: false };
          while (segment.limit === undefined || part.items.length < segment.limit) {
            const next = iterator.next();
            if (next.done === true) {
              part.exhausted = true;
              break;
            }
            part.items.push([text(next.value.key) as string, text(next.value.value) as string]);
          }
          result.push(part);
        }
        iterator.close();
        record.observed[index] = result;
      }
    }
    await sched.wait(`T${record.id} ${record.discardAtEnd ? 'discard' : 'commit'}`);
    if (record.discardAtEnd) {
      txn.discard();
      record.outcome = 'discarded';
      return;
    }
    const before = db.stats().lastSeq;
    const committing = txn.commit(); // the conflict check and the timestamp happen synchronously here
    const after = db.stats().lastSeq;
    record.lastTsAtAttempt = before;
    try {
      record.returnedTs = await committing;
    } catch (error) {
      if (!isLsmError(error, 'CONFLICT')) throw error;
      record.outcome = 'conflict';
      return;
    }
    if (after > before) {
      record.outcome = 'committed';
      record.commitTs = after;
    } else record.outcome = 'no-writes';
  } finally {
    txn.discard();
  }
}

// ---- the model --------------------------------------------------------------------------------

type State = ReadonlyMap<string, string>;
interface Commit {
  ts: number;
  writes: Map<string, string | null>;
}

/** What `record` would observe starting from `base`, with its own writes overlaid; also its read set. */
function replay(
  prefix: string,
  record: TxnRecord,
  base: State,
): { observed: Observation[]; writes: Map<string, string | null>; pointReads: Set<string>; ranges: [string, string][] } {
  const writes = new Map<string, string | null>();
  const pointReads = new Set<string>();
  const ranges: [string, string][] = [];
  const observed: Observation[] = [];
  const valueOf = (key: string): string | undefined => {
    const own = writes.get(key);
    return own === undefined ? base.get(key) : (own ?? undefined);
  };
  for (const [index, op] of record.program.entries()) {
    if (op.kind === 'get') {
      const key = keyName(prefix, op.key);
      if (!writes.has(key)) pointReads.add(key);
      observed[index] = valueOf(key);
    } else if (op.kind === 'set') writes.set(keyName(prefix, op.key), op.value);
    else if (op.kind === 'delete') writes.set(keyName(prefix, op.key), null);
    else {
      // The covered range of each segment (txn.ts TxnIterator): from the bound, or the seek key
      // when it is inside the bounds, to just past the last key returned, or to the other bound
      // when the segment exhausted the iterator. A segment that returned nothing covers nothing.
      const { lower, upper } = scanBounds(prefix, op);
      const keys = new Set([...base.keys(), ...writes.keys()]);
      const visible = [...keys].filter((key) => key >= lower && key < upper && valueOf(key) !== undefined).sort();
      if (op.reverse) visible.reverse();
      const result: ScanResult = [];
      let position = 0; // index in `visible` of the next item
      for (const segment of op.segments) {
        if (result[result.length - 1]?.exhausted === true) break;
        const seekKey = segment.seek === undefined ? undefined : keyName(prefix, segment.seek);
        if (seekKey !== undefined) {
          position = visible.findIndex((key) => (op.reverse ? key <= seekKey : key >= seekKey));
          if (position < 0) position = visible.length;
        }
        const taken = segment.limit === undefined ? visible.slice(position) : visible.slice(position, position + segment.limit);
        position += taken.length;
        const exhausted = segment.limit === undefined || taken.length < segment.limit;
        result.push({ items: taken.map((key) => [key, valueOf(key) as string]), exhausted });
        const last = taken[taken.length - 1];
        if (!op.reverse) {
          const start = seekKey !== undefined && seekKey > lower ? seekKey : lower;
          if (exhausted) ranges.push([start, upper]);
          else if (last !== undefined) ranges.push([start, `${last}\u0000`]);
        } else {
          const end = seekKey !== undefined && seekKey < upper ? `${seekKey}\u0000` : upper;
          if (exhausted) ranges.push([lower, end]);
          else if (last !== undefined) ranges.push([last, end]);
        }
      }
      observed[index] = result;
    }
  }
  return { observed, writes, pointReads, ranges };
}

function apply(state: State, writes: Map<string, string | null>): Map<string, string> {
  const next = new Map(state);
  for (const [key, value] of writes) {
    if (value === null) next.delete(key);
    else next.set(key, value);
  }
  return next;
}

/** The state after every commit with ts <= `ts`. */
function stateAt(initial: State, commits: readonly Commit[], ts: number): State {
  let state: State = initial;
  for (const commit of commits) {
    if (commit.ts > ts) break;
    state = apply(state, commit.writes);
  }
  return state;
}

function checkRun(prefix: string, records: readonly TxnRecord[], setup: Commit, finalDb: State): string[] {
  const problems: string[] = [];
  const committed = records.filter((r) => r.outcome === 'committed').sort((a, b) => a.commitTs - b.commitTs);
  const empty: State = new Map();
  const commits: Commit[] = [setup];
  // (b) serial replay in commit order; builds the committed history
  let state: State = apply(empty, setup.writes);
  for (const record of committed) {
    const result = replay(prefix, record, state);
    const diff = compareObservations(record, result.observed);
    if (diff !== undefined) problems.push(`serial order: T${record.id} (commit ${record.commitTs}) ${diff}`);
    commits.push({ ts: record.commitTs, writes: result.writes });
    state = apply(state, result.writes);
  }
  // (a) every transaction read its snapshot; (c) conflicts exactly as the rule says
  for (const record of records) {
    const snapshot = stateAt(empty, commits, record.readTs);
    const result = replay(prefix, record, snapshot);
    const expectedReturn = record.outcome === 'committed' ? record.commitTs : record.outcome === 'no-writes' ? 0 : -1;
    if (record.returnedTs !== expectedReturn) problems.push(`T${record.id} commit() resolved to ${record.returnedTs}, expected ${expectedReturn}`);
    const diff = compareObservations(record, result.observed);
    if (diff !== undefined) problems.push(`snapshot: T${record.id} (read ts ${record.readTs}, ${record.outcome}) ${diff}`);
    if (!record.update || record.discardAtEnd || result.writes.size === 0) continue;
    const conflicting = commits.filter(
      (c) =>
        c.ts > record.readTs &&
        c.ts <= record.lastTsAtAttempt &&
        [...c.writes.keys()].some((key) => result.pointReads.has(key) || result.ranges.some(([lo, hi]) => key >= lo && key < hi)),
    );
    const expected = conflicting.length > 0 ? 'conflict' : 'committed';
    if (record.outcome !== expected) {
      problems.push(
        `conflict rule: T${record.id} ${record.outcome}, expected ${expected} ` +
          `(read ts ${record.readTs}, commits since: ${commits.filter((c) => c.ts > record.readTs && c.ts <= record.lastTsAtAttempt).map((c) => `${c.ts}:[${[...c.writes.keys()].join(' ')}]`).join(' ')}; ` +
          `point reads [${[...result.pointReads].join(' ')}], ranges ${JSON.stringify(result.ranges)})`,
      );
    }
  }
  // (d) final state
  const expectedFinal = JSON.stringify([...state].sort());
  const actualFinal = JSON.stringify([...finalDb].sort());
  if (expectedFinal !== actualFinal) problems.push(`final state: db ${actualFinal}, model ${expectedFinal}`);
  return problems;
}

function compareObservations(record: TxnRecord, expected: Observation[]): string | undefined {
  for (const [index, op] of record.program.entries()) {
    if (op.kind === 'set' || op.kind === 'delete') continue;
    const actual = JSON.stringify(record.observed[index] ?? null);
    const wanted = JSON.stringify(expected[index] ?? null);
    if (actual !== wanted) return `step ${index} ${JSON.stringify(op)} observed ${actual}, model ${wanted}`;
  }
  return undefined;
}

async function readPrefix(db: Db, prefix: string): Promise<Map<string, string>> {
  return db.view((txn) => new Map([...txn.iterate({ prefix })].map((item) => [text(item.key) as string, text(item.value) as string])));
}

// ---- the tests --------------------------------------------------------------------------------

describe('serializability under random interleavings', () => {
  it(`${RUNS} seeded runs of 3–5 concurrent transactions match a serial order`, { timeout: 120_000 }, async () => {
    console.log(`serializability: SEED=${SEED} RUNS=${RUNS}`);
    const memFs = new MemFs();
    let delayPrng = createPrng(SEED ^ 0x2545f491); // reseeded per run, so that one run replays alone
    const fs = new SlowSyncFs(memFs, async () => {
      for (let n = delayPrng.nextInt(3); n > 0; n--) await macrotask();
    });
    const options = { fs, dir: '/ser', memTableBytes: 4 * 1024, valueThresholdBytes: 64, l0CompactionTrigger: 2, seed: SEED } as const;
    let db = await openDb(options);
    const totals = { committed: 0, conflict: 0, discarded: 0, 'no-writes': 0, pending: 0 };
    const background = { flushes: 0, compactions: 0 }; // summed over the reopens
    try {
      for (let run = 0; run < RUNS; run++) {
        const runSeed = SEED + run;
        const prng = createPrng(runSeed);
        delayPrng = createPrng(runSeed ^ 0x2545f491);
        const prefix = `s${String(run).padStart(5, '0')}:`;
        // initial state: a random subset of the keys
        const setupWrites = new Map<string, string | null>();
        for (let key = 0; key < KEYS; key++) {
          if (prng.nextInt(3) !== 0) setupWrites.set(keyName(prefix, key), `init${key}`.padEnd(prng.nextInt(4) === 0 ? 90 : 0, '='));
        }
        await db.update((txn) => {
          for (const [key, value] of setupWrites) txn.set(key, value as string);
        });
        const setup: Commit = { ts: db.stats().lastSeq, writes: setupWrites };
        const records: TxnRecord[] = [];
        for (let id = 1, n = 3 + prng.nextInt(3); id <= n; id++) {
          const update = prng.nextInt(5) !== 0;
          records.push({
            id,
            update,
            program: randomProgram(prng, run, id, update),
            discardAtEnd: prng.nextInt(12) === 0,
            readTs: -1,
            observed: [],
            outcome: 'pending',
            commitTs: -1,
            lastTsAtAttempt: -1,
            returnedTs: -1,
          });
        }
        const sched = new SeededScheduler(prng);
        await sched.run(records.map((record) => () => runTxn(db, sched, prefix, record)));
        const problems = checkRun(prefix, records, setup, await readPrefix(db, prefix));
        for (const record of records) totals[record.outcome]++;
        if (problems.length > 0) {
          console.log(`run ${run} failed; reproduce with SEED=${runSeed} RUNS=1`);
          console.log(`schedule: ${sched.trace.join(' | ')}`);
          console.log(JSON.stringify(records, null, 1));
          expect(problems).toEqual([]);
        }
        if (run % 250 === 249) {
          background.flushes += db.stats().flushes;
          background.compactions += db.stats().compactions;
          await db.close();
          db = await openDb(options);
        }
      }
      const stats = db.stats();
      reportFigures(
        'T9 scheduled interleavings',
        `SEED=${SEED}: ${RUNS} runs, outcomes ${JSON.stringify(totals)}, ` +
          `flushes ${background.flushes + stats.flushes}, compactions ${background.compactions + stats.compactions}, ` +
          `tables per level ${stats.levels.map((l) => l.tables).join('/')}`,
      );
      expect(totals.conflict).toBeGreaterThan(0);
      expect(totals.committed).toBeGreaterThan(0);
      expect(totals.pending).toBe(0);
    } finally {
      await db.close();
    }
  });
});

describe('Elle-style list-append history', () => {
  it(`${HISTORY_TXNS} transactions of 8 workers over 32 keys have no cycles and no anomalies`, { timeout: 120_000 }, async () => {
    const seed = SEED ^ 0xe11e;
    console.log(`list-append: SEED=${SEED} HISTORY_TXNS=${HISTORY_TXNS}`);
    const db = await openDb({ inMemory: true, dir: '/elle', memTableBytes: 16 * 1024, valueThresholdBytes: 64, valueLogFileBytes: 64 * 1024, l0CompactionTrigger: 2, seed });
    const history: HistoryTxn[] = [];
    let started = 0;
    let nextValue = 1;
    const keyOf = (prng: Prng): string => {
      const hot = prng.nextInt(2) === 0; // half the operations go to 8 hot keys: real contention
      return `la:${String(hot ? prng.nextInt(8) : prng.nextInt(32)).padStart(2, '0')}`;
    };
    const readList = (txn: Txn, key: string, prng: Prng): number[] => {
      const how = prng.nextInt(3);
      let raw: Uint8Array | undefined;
      if (how === 0) raw = txn.tryGet(key);
      else {
        const items = [...txn.iterate({ prefix: key, reverse: how === 2 })];
        raw = items[0]?.value;
      }
      return raw === undefined ? [] : (JSON.parse(text(raw) as string) as number[]);
    };
    const worker = async (proc: number): Promise<void> => {
      const prng = createPrng(seed * 8 + proc);
      while (started < HISTORY_TXNS) {
        const id = ++started;
        const ops: MicroOp[] = [];
        const txn = db.newTransaction({ update: true });
        let status: 'ok' | 'fail' = 'ok';
        try {
          for (let n = 1 + prng.nextInt(4); n > 0; n--) {
            await macrotask();
            const key = keyOf(prng);
            const list = readList(txn, key, prng);
            if (prng.nextInt(2) === 0) ops.push({ f: 'read', key, value: list });
            else {
              const value = nextValue++;
              txn.set(key, JSON.stringify([...list, value]));
              ops.push({ f: 'append', key, value });
            }
          }
          await macrotask();
          await txn.commit();
        } catch (error) {
          if (!isLsmError(error, 'CONFLICT')) throw error;
          status = 'fail';
        } finally {
          txn.discard();
        }
        history.push({ id, process: proc, status, ops });
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, proc) => worker(proc)));
    const finalReads = await db.view((txn) =>
      Array.from({ length: 32 }, (_, k): MicroOp => {
        const key = `la:${String(k).padStart(2, '0')}`;
        const raw = txn.tryGet(key);
        return { f: 'read', key, value: raw === undefined ? [] : (JSON.parse(text(raw) as string) as number[]) };
      }),
    );
    history.push({ id: HISTORY_TXNS + 1, status: 'ok', ops: finalReads });
    const stats = db.stats();
    await db.close();
    const result = checkListAppendHistory(history, { complete: true });
    reportFigures('T9 list-append history', `SEED=${SEED}: ${HISTORY_TXNS} txns; ${formatCheckResult(result)}`);
    console.log(`list-append: flushes ${stats.flushes}, compactions ${stats.compactions}, vlog files ${stats.vlog.files}`);
    expect(result.cycles).toEqual([]);
    expect(result.anomalies).toEqual([]);
    expect(result.stats.failed).toBeGreaterThan(0); // contention was real
    expect(result.stats.edges.rw).toBeGreaterThan(0);
  });
});
