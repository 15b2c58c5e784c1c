// One engine, one phase, in its own process (run.mjs starts it), so the peak RSS it reports is
// that engine's alone. Usage: node worker.mjs '<json config>'. Progress goes to stderr; the
// result is the last stdout line, `RESULT {json}`.
//
// Phases and their workloads (all keys/values from data.mjs, identical for every engine):
//   probe    load, open, put, get, scan, close (run.mjs uses it to decide "skipped")
//   main     fillrandom, close, reopen, readrandom, readmissing, readseq, prefixscan, overwrite
//   fillseq  fillseq, close, reopen and count
//   sync     fillsync (one durable put at a time), then 1, 8 and 64 concurrent synced writers
//   large    large-value fill (e.g. 200,000 x 4 KiB)
//   mixed    tracker-like: 90% appends of small JSON events, 10% "latest 20 events of a user"

import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { KeySpace, Values, permutation, prng } from './data.mjs';
import { diskUsage, prefixEnd } from './engines/adapter.mjs';

export const ADAPTERS = {
  ours: './engines/ours.mjs',
  'classic-level': './engines/classic-level.mjs',
  lmdb: './engines/lmdb.mjs',
  'better-sqlite3': './engines/better-sqlite3.mjs',
  map: './engines/map.mjs',
};

const READ_CHUNK = 1000;

/** @typedef {import('./engines/adapter.mjs').Store} Store */

/**
 * @typedef {object} Config
 * @property {string} engine
 * @property {string} phase
 * @property {string} dir
 * @property {number} keys
 * @property {number} keyBytes
 * @property {number} valueBytes
 * @property {number} batch
 * @property {number} syncKeys
 * @property {number[]} writers
 * @property {number} largeKeys
 * @property {number} largeValueBytes
 * @property {number} mixedOps
 * @property {number} mixedUsers
 * @property {number} prefixes
 * @property {number} seed
 */

class Phase {
  /** @param {Config} config */
  constructor(config) {
    this.config = config;
    /** @type {Record<string, Record<string, unknown>>} */
    this.workloads = {};
    /** @type {Record<string, unknown>} */
    this.info = {};
    /** @type {string[]} */
    this.problems = [];
    this.label = `[${config.engine} ${config.phase}]`;
  }

  log(message) {
    process.stderr.write(`${this.label} ${message}\n`);
  }

  problem(message) {
    this.problems.push(message);
    this.log(`PROBLEM ${message}`);
  }

  /**
   * Records a workload: ops per second from the wall time spent in engine calls, and the CPU
   * time the process (all its threads) used meanwhile, per op.
   * @param {string} name
   * @param {number} ops
   * @param {Stopwatch} watch
   */
  record(name, ops, watch, extra = {}, unit = 'ops/s') {
    const seconds = watch.wallMs / 1000;
    const opsPerSec = seconds > 0 ? ops / seconds : 0;
    const cpuMicrosPerOp = ops > 0 ? (watch.cpuMs * 1000) / ops : 0;
    this.workloads[name] = { ops, seconds, opsPerSec, unit, cpuSeconds: watch.cpuMs / 1000, cpuMicrosPerOp, ...extra };
    this.log(`${name}: ${ops} in ${seconds.toFixed(2)} s = ${Math.round(opsPerSec).toLocaleString('en-US')} ${unit}, ${cpuMicrosPerOp.toFixed(2)} us CPU/op`);
  }
}

/**
 * Wall time and CPU time (process.cpuUsage: user + system of every thread of this process, so an
 * engine's background threads count) accumulated over the timed sections.
 */
class Stopwatch {
  wallMs = 0;
  cpuMs = 0;
  #wall = 0;
  #cpu = 0;

  start() {
    const u = process.cpuUsage();
    this.#cpu = u.user + u.system;
    this.#wall = performance.now();
  }

  stop() {
    this.wallMs += performance.now() - this.#wall;
    const u = process.cpuUsage();
    this.cpuMs += (u.user + u.system - this.#cpu) / 1000;
  }
}

/** bytes this process caused to be written to storage (Linux /proc/self/io), or undefined */
function storageBytesWritten() {
  try {
    const text = readFileSync('/proc/self/io', 'utf8');
    const written = /^write_bytes:\s*(\d+)/m.exec(text);
    const cancelled = /^cancelled_write_bytes:\s*(\d+)/m.exec(text);
    if (written === null || cancelled === null) return undefined;
    return Number(written[1]) - Number(cancelled[1]);
  } catch {
    return undefined;
  }
}

function delayMonitor() {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  return () => {
    histogram.disable();
    const ms = (/** @type {number} */ ns) => Math.round(ns / 1e4) / 100;
    return { p50Ms: ms(histogram.percentile(50)), p99Ms: ms(histogram.percentile(99)), maxMs: ms(histogram.max), samples: histogram.count };
  };
}

/**
 * Writes `count` entries in batches; key/value of position j come from indexes[j].
 * @returns {Promise<Stopwatch>} the time spent inside putBatch
 */
async function fillBatches(phase, store, space, values, indexes, count, batch, generation, name) {
  const watch = new Stopwatch();
  let lastLog = performance.now();
  for (let from = 0; from < count; from += batch) {
    const to = Math.min(count, from + batch);
    const keys = space.keys(indexes, from, to);
    /** @type {Array<[Buffer, Buffer]>} */
    const entries = new Array(to - from);
    for (let j = 0; j < entries.length; j++) entries[j] = [keys[j], values.value(indexes[from + j], generation)];
    watch.start();
    await store.putBatch(entries);
    watch.stop();
    // Between batches, let timers run, as an application would (and so the event-loop delay
    // histogram sees how long each batch held the loop).
    await yieldToLoop();
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      phase.log(`${name}: ${to} of ${count} (${Math.round(to / (watch.wallMs / 1000)).toLocaleString('en-US')}/s so far)`);
    }
  }
  return watch;
}

/** Opens, fills, settles, closes: the write workloads' common shape. */
async function measuredFill(phase, engine, dir, name, { space, values, indexes, count, batch, generation, userBytes, existing }) {
  const ioBefore = storageBytesWritten();
  const store = existing ?? (await engine.open({ dir, sync: false }));
  const stopDelay = delayMonitor();
  const watch = await fillBatches(phase, store, space, values, indexes, count, batch, generation, name);
  const eventLoopDelay = stopDelay();
  const t0 = performance.now();
  await store.settle?.();
  const settleSeconds = (performance.now() - t0) / 1000;
  const engineWriteAmp = store.writeAmplification?.();
  const stats = store.stats?.();
  const t1 = performance.now();
  await store.close();
  const closeSeconds = (performance.now() - t1) / 1000;
  const ioAfter = storageBytesWritten();
  const disk = engine.persistent ? await diskUsage(dir) : { allocated: 0, apparent: 0, files: 0 };
  const deviceWriteAmp = engine.persistent && ioBefore !== undefined && ioAfter !== undefined ? (ioAfter - ioBefore) / userBytes : undefined;
  phase.record(name, count, watch, {
    eventLoopDelay,
    settleSeconds,
    closeSeconds,
    diskBytes: disk.allocated,
    diskApparentBytes: disk.apparent,
    diskFiles: disk.files,
    userBytes,
    ...(engineWriteAmp === undefined ? {} : { engineWriteAmp }),
    ...(deviceWriteAmp === undefined ? {} : { deviceWriteAmp, deviceBytesWritten: ioAfter - ioBefore }),
    ...(stats === undefined ? {} : { stats }),
  });
}

/**
 * Point reads of keys(order[0..count)) in chunks; the values are checked after each timed chunk.
 * @returns {Promise<{ watch: Stopwatch, found: number, wrong: number, first: string | undefined }>}
 */
async function readKeys(store, space, values, order, count, generation) {
  const watch = new Stopwatch();
  let found = 0;
  let wrong = 0;
  /** @type {string | undefined} */
  let first;
  /** @type {Array<Uint8Array | undefined>} */
  const got = new Array(READ_CHUNK);
  for (let from = 0; from < count; from += READ_CHUNK) {
    const to = Math.min(count, from + READ_CHUNK);
    const keys = space.keys(order, from, to);
    got.fill(undefined);
    watch.start();
    await store.getBatch(keys, (j, value) => {
      got[j] = value;
    });
    watch.stop();
    for (let j = 0; j < keys.length; j++) {
      const value = got[j];
      if (value === undefined) {
        first ??= `${keys[j].toString('latin1')} (missing)`;
        continue;
      }
      found++;
      if (!values.matches(value, order[from + j], generation)) {
        wrong++;
        first ??= `${keys[j].toString('latin1')} (wrong value)`;
      }
    }
  }
  return { watch, found, wrong, first };
}

/** @param {Phase} phase */
async function runMain(phase, engine, dir) {
  const c = phase.config;
  const space = new KeySpace(c.keyBytes);
  const values = new Values(c.valueBytes, c.seed);
  const n = c.keys;
  const userBytes = n * (c.keyBytes + c.valueBytes);

  await measuredFill(phase, engine, dir, 'fillrandom', {
    space, values, indexes: permutation(n, c.seed + 1), count: n, batch: c.batch, generation: 0, userBytes,
  });

  const t0 = performance.now();
  const store = await engine.open({ dir, sync: false });
  phase.info.reopenSeconds = (performance.now() - t0) / 1000;

  // readrandom: every key once, in another random order
  const readOrder = permutation(n, c.seed + 2);
  const r = await readKeys(store, space, values, readOrder, n, 0);
  phase.record('readrandom', n, r.watch, { found: r.found, wrong: r.wrong });
  if (r.found !== n || r.wrong !== 0) {
    phase.problem(`readrandom after fillrandom of ${n} keys and a reopen: ${n - r.found} keys missing, ${r.wrong} wrong values (first: ${r.first})`);
  }

  // readmissing: keys that sort between existing keys and were never written
  {
    const watch = new Stopwatch();
    let found = 0;
    for (let from = 0; from < n; from += READ_CHUNK) {
      const keys = space.missingKeys(readOrder, from, Math.min(n, from + READ_CHUNK));
      watch.start();
      found += await store.hasBatch(keys);
      watch.stop();
    }
    phase.record('readmissing', n, watch, { found });
    if (found !== 0) phase.problem(`readmissing: ${found} of ${n} never-written keys were found`);
  }

  // readseq: one full forward scan; every 64th entry is checked against the expected key and value
  {
    let position = 0;
    let bad = 0;
    /** @type {string | undefined} */
    let first;
    const watch = new Stopwatch();
    watch.start();
    const count = await store.scan({}, (key, value) => {
      if ((position & 63) === 0 && (space.indexOf(key) !== position || !values.matches(value, position, 0))) {
        bad++;
        first ??= Buffer.from(key).toString('latin1');
      }
      position++;
    });
    watch.stop();
    phase.record('readseq', count, watch, {}, 'keys/s');
    if (count !== n || position !== n || bad !== 0) {
      phase.problem(`readseq: full scan returned ${count} entries (callback saw ${position}) of ${n}; ${bad} sampled entries out of place (first: ${first})`);
    }
  }

  // prefixscan: `prefixes` scans of a random group of 100 keys (same key prefix)
  {
    const groups = Math.ceil(n / 100);
    const next = prng(c.seed + 3);
    const watch = new Stopwatch();
    let keys = 0;
    let bad = 0;
    /** @type {string | undefined} */
    let first;
    for (let p = 0; p < c.prefixes; p++) {
      const g = next() % groups;
      const prefix = space.groupPrefix(g);
      const expected = Math.min(100, n - g * 100);
      watch.start();
      const count = await store.scan({ start: prefix, end: prefixEnd(prefix) }, () => {});
      watch.stop();
      keys += count;
      if (count !== expected) {
        bad++;
        first ??= `${prefix.toString('latin1')}: ${count} of ${expected}`;
      }
    }
    phase.record('prefixscan', keys, watch, { scans: c.prefixes, scansPerSec: c.prefixes / (watch.wallMs / 1000) }, 'keys/s');
    if (bad !== 0) phase.problem(`prefixscan: ${bad} of ${c.prefixes} prefix scans returned the wrong count (first: ${first})`);
  }

  // overwrite: every key again, new values, random order, into the reopened store
  await measuredFill(phase, engine, dir, 'overwrite', {
    space, values, indexes: permutation(n, c.seed + 4), count: n, batch: c.batch, generation: 1, userBytes, existing: store,
  });

  // not timed: a sample of the overwritten keys has the new values after another reopen
  const check = await engine.open({ dir, sync: false });
  const sample = Math.min(n, 10_000);
  const v = await readKeys(check, space, values, readOrder, sample, 1);
  if (v.found !== sample || v.wrong !== 0) {
    phase.problem(`after overwrite and reopen: of ${sample} sampled keys ${sample - v.found} missing, ${v.wrong} with old or wrong values (first: ${v.first})`);
  }
  await check.close();
}

/** @param {Phase} phase */
async function runFillseq(phase, engine, dir) {
  const c = phase.config;
  const space = new KeySpace(c.keyBytes);
  const values = new Values(c.valueBytes, c.seed);
  const n = c.keys;
  const identity = Uint32Array.from({ length: n }, (_, i) => i);
  await measuredFill(phase, engine, dir, 'fillseq', {
    space, values, indexes: identity, count: n, batch: c.batch, generation: 0, userBytes: n * (c.keyBytes + c.valueBytes),
  });
  // not timed: everything is there after a reopen
  const store = await engine.open({ dir, sync: false });
  const count = await store.scan({}, () => {});
  if (count !== n) phase.problem(`fillseq of ${n} keys: a full scan after reopen returned ${count}`);
  await store.close();
}

/** a key of keyBytes bytes: `prefix` then i zero-padded */
function prefixedKey(prefix, i, keyBytes) {
  const digits = String(i).padStart(keyBytes - prefix.length, '0');
  return Buffer.from(prefix + digits, 'latin1');
}

/** @param {Phase} phase */
async function runSync(phase, engine, dir) {
  const c = phase.config;
  const values = new Values(c.valueBytes, c.seed);
  const store = await engine.open({ dir, sync: true });
  const statsDelta = () => {
    const before = store.stats?.();
    return () => {
      const after = store.stats?.();
      if (before === undefined || after === undefined) return {};
      const delta = (/** @type {string} */ k) => Number(after[k]) - Number(before[k]);
      return 'walSyncs' in after ? { commits: delta('commits'), commitGroups: delta('commitGroups'), walSyncs: delta('walSyncs') } : {};
    };
  };

  // fillsync: one writer, each put durable before the next
  {
    const done = statsDelta();
    const watch = new Stopwatch();
    for (let i = 0; i < c.syncKeys; i++) {
      const key = prefixedKey('fs', i, c.keyBytes);
      const value = values.value(i, 2);
      watch.start();
      await store.put(key, value);
      watch.stop();
    }
    phase.record('fillsync', c.syncKeys, watch, done());
  }

  // W concurrent writers sharing syncKeys durable puts
  for (const w of c.writers) {
    const done = statsDelta();
    const perWriter = Math.ceil(c.syncKeys / w);
    const prefix = `w${w}:`;
    let next = 0;
    const watch = new Stopwatch();
    watch.start();
    await Promise.all(
      Array.from({ length: w }, async () => {
        for (let k = 0; k < perWriter; k++) {
          const i = next++;
          if (i >= c.syncKeys) return;
          await store.put(prefixedKey(prefix, i, c.keyBytes), values.value(i, 3));
        }
      }),
    );
    watch.stop();
    phase.record(`sync${w}`, c.syncKeys, watch, done());
  }
  await store.close();

  // not timed: every synced key is there after a reopen
  const check = await engine.open({ dir, sync: false });
  for (const [name, prefix] of [['fillsync', 'fs'], ...c.writers.map((w) => [`sync${w}`, `w${w}:`])]) {
    const p = Buffer.from(prefix, 'latin1');
    const count = await check.scan({ start: p, end: prefixEnd(p) }, () => {});
    if (count !== c.syncKeys) phase.problem(`${name}: ${c.syncKeys} synced puts, ${count} found after reopen`);
  }
  await check.close();
}

/** @param {Phase} phase */
async function runLarge(phase, engine, dir) {
  const c = phase.config;
  const space = new KeySpace(c.keyBytes);
  const values = new Values(c.largeValueBytes, c.seed + 10);
  const n = c.largeKeys;
  const order = permutation(n, c.seed + 11);
  await measuredFill(phase, engine, dir, 'largefill', {
    space, values, indexes: order, count: n, batch: c.batch, generation: 0, userBytes: n * (c.keyBytes + c.largeValueBytes),
  });
  const w = /** @type {Record<string, number>} */ (phase.workloads.largefill);
  w.mbPerSec = (w.userBytes / 2 ** 20) / w.seconds;
  // not timed: a sample of the values after a reopen
  const store = await engine.open({ dir, sync: false });
  const sample = Math.min(n, 2000);
  const v = await readKeys(store, space, values, permutation(n, c.seed + 12), sample, 0);
  if (v.found !== sample || v.wrong !== 0) {
    phase.problem(`largefill of ${n} x ${c.largeValueBytes} B: of ${sample} sampled keys ${sample - v.found} missing, ${v.wrong} wrong (first: ${v.first})`);
  }
  await store.close();
}

/** @param {Phase} phase */
async function runMixed(phase, engine, dir) {
  const c = phase.config;
  const users = c.mixedUsers;
  const seqs = new Uint32Array(users);
  const next = prng(c.seed + 20);
  const kinds = ['start', 'progress', 'progress', 'progress', 'note', 'done'];
  const userPrefix = (/** @type {number} */ u) => `user:${String(u).padStart(6, '0')}:ev:`;
  const ioBefore = storageBytesWritten();
  const store = await engine.open({ dir, sync: false });
  const stopDelay = delayMonitor();
  const watch = new Stopwatch();
  let appends = 0;
  let reads = 0;
  let readEntries = 0;
  let bad = 0;
  /** @type {string | undefined} */
  let first;
  let now = 1_700_000_000_000;
  for (let op = 0; op < c.mixedOps; op++) {
    const u = next() % users;
    if (next() % 10 !== 0) {
      const seq = seqs[u]++;
      now += 1 + (next() % 5000);
      const key = Buffer.from(`${userPrefix(u)}${String(seq).padStart(10, '0')}`, 'latin1');
      const event = { ts: now, type: kinds[next() % kinds.length], task: `task-${next() % 50}`, amount: next() % 100, tags: ['bench'] };
      const value = Buffer.from(JSON.stringify(event), 'utf8');
      watch.start();
      await store.put(key, value);
      watch.stop();
      appends++;
    } else {
      const prefix = Buffer.from(userPrefix(u), 'latin1');
      const expected = Math.min(20, seqs[u]);
      const newest = seqs[u] === 0 ? undefined : `${userPrefix(u)}${String(seqs[u] - 1).padStart(10, '0')}`;
      /** @type {Uint8Array[]} */
      const events = [];
      let firstKey;
      watch.start();
      const count = await store.scan({ start: prefix, end: prefixEnd(prefix), reverse: true, limit: 20 }, (key, value) => {
        // copies: an engine may hand out views of a buffer it reuses
        firstKey ??= Buffer.from(key);
        events.push(Buffer.from(value));
      });
      watch.stop();
      // not timed: what the tracker would do with them
      for (const value of events) JSON.parse(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8'));
      firstKey = firstKey === undefined ? undefined : Buffer.from(firstKey).toString('latin1');
      reads++;
      readEntries += count;
      if (count !== expected || firstKey !== newest) {
        bad++;
        first ??= `${prefix.toString('latin1')}: ${count} of ${expected} events, newest ${firstKey} (expected ${newest})`;
      }
    }
    if ((op & 255) === 255) await yieldToLoop();
  }
  const eventLoopDelay = stopDelay();
  const stats = store.stats?.();
  await store.close();
  const ioAfter = storageBytesWritten();
  const disk = engine.persistent ? await diskUsage(dir) : { allocated: 0 };
  phase.record('mixed', c.mixedOps, watch, {
    appends, reads, readEntries, eventLoopDelay, diskBytes: disk.allocated,
    ...(ioBefore === undefined || ioAfter === undefined || !engine.persistent ? {} : { deviceBytesWritten: ioAfter - ioBefore }),
    ...(stats === undefined ? {} : { stats }),
  });
  if (bad !== 0) phase.problem(`mixed: ${bad} of ${reads} "latest 20 events" reads were wrong (first: ${first})`);
  // not timed: every appended event is there after a reopen
  const check = await engine.open({ dir, sync: false });
  const p = Buffer.from('user:', 'latin1');
  const count = await check.scan({ start: p, end: prefixEnd(p) }, () => {});
  if (count !== appends) phase.problem(`mixed: ${appends} events appended, ${count} found after reopen`);
  await check.close();
}

/** @param {Phase} phase */
async function runProbe(phase, engine, dir) {
  const store = await engine.open({ dir, sync: true });
  const key = Buffer.from('probe-key');
  await store.putBatch([[key, Buffer.from('v1')], [Buffer.from('probe-lkey'), Buffer.from('v2')]]);
  await store.put(Buffer.from('probe-zkey'), Buffer.from('v3'));
  let got;
  await store.getBatch([key], (_i, v) => (got = v));
  if (got === undefined || Buffer.from(got).toString() !== 'v1') throw new Error('probe: read back the wrong value');
  const p = Buffer.from('probe-');
  const forward = [];
  await store.scan({ start: p, end: prefixEnd(p) }, (k) => forward.push(Buffer.from(k).toString()));
  const reverse = [];
  await store.scan({ start: Buffer.from('probe-key'), end: Buffer.from('probe-zkey'), reverse: true, limit: 5 }, (k) => reverse.push(Buffer.from(k).toString()));
  if (forward.join() !== 'probe-key,probe-lkey,probe-zkey' || reverse.join() !== 'probe-lkey,probe-key') {
    throw new Error(`probe: scans returned [${forward}] and reversed [${reverse}]`);
  }
  if ((await store.hasBatch([Buffer.from('probe-nope'), key])) !== 1) throw new Error('probe: hasBatch is wrong');
  await store.close();
}

const PHASES = { probe: runProbe, main: runMain, fillseq: runFillseq, sync: runSync, large: runLarge, mixed: runMixed };

async function main() {
  /** @type {Config} */
  const config = JSON.parse(process.argv[2] ?? '{}');
  const run = PHASES[/** @type {keyof typeof PHASES} */ (config.phase)];
  const adapterPath = ADAPTERS[/** @type {keyof typeof ADAPTERS} */ (config.engine)];
  if (run === undefined || adapterPath === undefined) throw new Error(`unknown phase ${config.phase} or engine ${config.engine}`);
  const phase = new Phase(config);
  const started = performance.now();
  const adapter = await import(adapterPath);
  const engine = await adapter.load();
  const dir = join(config.dir, `${config.engine}-${config.phase}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(config.dir, { recursive: true });
  /** @type {string | undefined} */
  let error;
  try {
    await run(phase, engine, dir);
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
    phase.log(`ERROR ${error}`);
  }
  await rm(dir, { recursive: true, force: true }).catch(() => {});
  const result = {
    engine: config.engine,
    phase: config.phase,
    version: engine.version,
    settings: engine.settings,
    workloads: phase.workloads,
    info: phase.info,
    problems: phase.problems,
    error,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    wallSeconds: (performance.now() - started) / 1000,
  };
  process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`worker failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
