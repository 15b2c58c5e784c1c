// Goal: the engine behaves exactly like a sorted Map under random operations, across flushes,
// compactions, value-log values, close/reopen and simulated power loss (RELIABILITY T7).
// Method: a seeded generator drives puts, deletes, multi-key transactions, gets, range and prefix
// scans (both directions), flushes, compactions, reopens and crashes (MemFs crashClone 'synced':
// with syncWrites every acknowledged commit must survive) against the engine and a Map model,
// comparing every read. Rerun a failure with SEED=<seed>; STEPS and RUNS scale it.
import { afterAll, describe, expect, it } from 'vitest';
import { compareBytes } from './codec/bytes.js';
import { openDb, type Db } from './index.js';
import { createPrng } from './testing/seeded-prng.js';
import { MemFs } from './testing/mem-fs.js';
import { reportFigures, tierSize } from './testing/tier.test-util.js';

const baseSeed = Number(process.env['SEED'] ?? Date.now() % 2 ** 31);
const runs = tierSize('RUNS', { pr: 4, rel: 16, soak: 400 });
const steps = tierSize('STEPS', { pr: 600, rel: 1000 });
const enc = new TextEncoder();
const dec = new TextDecoder();
const DIR = '/db';

const options = {
  dir: DIR,
  memTableBytes: 8 * 1024,
  baseTableBytes: 8 * 1024,
  baseLevelBytes: 32 * 1024,
  l0CompactionTrigger: 2,
  l0SlowdownTrigger: 8,
  l0StopTrigger: 12,
  valueThresholdBytes: 64,
  blockBytes: 512,
};

type Prng = ReturnType<typeof createPrng>;

function randomKey(prng: Prng): string {
  const groups = ['a/', 'b/', 'c/', 'user:1:', 'user:10:'];
  return `${groups[prng.nextInt(groups.length)]}${String(prng.nextInt(13)).padStart(2, '0')}`;
}

function randomValue(prng: Prng, step: number): string {
  const length = prng.nextInt(3) === 0 ? 64 + prng.nextInt(200) : prng.nextInt(40);
  return `${step}:`.padEnd(length, String.fromCharCode(97 + prng.nextInt(26)));
}

function modelScan(model: Map<string, string>, lower: string, upper: string | undefined, reverse: boolean): string[] {
  const keys = [...model.keys()]
    .filter((k) => compareBytes(enc.encode(k), enc.encode(lower)) >= 0 && (upper === undefined || compareBytes(enc.encode(k), enc.encode(upper)) < 0))
    .sort((a, b) => compareBytes(enc.encode(a), enc.encode(b)));
  if (reverse) keys.reverse();
  return keys.map((k) => `${k}=${model.get(k)}`);
}

async function openOn(fs: MemFs, seed: number): Promise<Db> {
  return openDb({ ...options, fs, seed });
}

async function crash(fs: MemFs, prng: Prng): Promise<MemFs> {
  fs.crash();
  const state = fs.crashState();
  if (state === undefined) throw new Error('crash state missing');
  const clone = state.crashClone('synced', prng.nextInt(1 << 30));
  // The process that held LOCK is gone; in one test process its pid still looks alive.
  await clone.unlink(`${DIR}/LOCK`).catch(() => undefined);
  return clone;
}

async function runModel(seed: number): Promise<void> {
  const prng = createPrng(seed);
  let fs = new MemFs();
  let db = await openOn(fs, seed);
  const model = new Map<string, string>();
  const log: string[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      const roll = prng.nextInt(100);
      if (roll < 35) {
        const key = randomKey(prng);
        const value = randomValue(prng, step);
        log.push(`put ${key}`);
        await db.update((txn) => txn.set(key, value));
        model.set(key, value);
      } else if (roll < 45) {
        const key = randomKey(prng);
        log.push(`del ${key}`);
        await db.update((txn) => txn.delete(key));
        model.delete(key);
      } else if (roll < 55) {
        const writes = Array.from({ length: 2 + prng.nextInt(3) }, () => ({ key: randomKey(prng), del: prng.nextInt(4) === 0, value: randomValue(prng, step) }));
        log.push(`txn ${writes.map((w) => (w.del ? '-' : '+') + w.key).join(' ')}`);
        await db.update((txn) => {
          for (const w of writes) {
            if (w.del) txn.delete(w.key);
            else txn.set(w.key, w.value);
          }
        });
        for (const w of writes) {
          if (w.del) model.delete(w.key);
          else model.set(w.key, w.value);
        }
      } else if (roll < 72) {
        const key = randomKey(prng);
        const got = await db.get(key);
        expect(got === undefined ? undefined : dec.decode(got), `get ${key} at step ${step}`).toBe(model.get(key));
      } else if (roll < 88) {
        const reverse = prng.nextInt(2) === 0;
        let lower = '';
        let upper: string | undefined;
        let prefix: string | undefined;
        if (prng.nextInt(2) === 0) {
          prefix = randomKey(prng).slice(0, 2 + prng.nextInt(4));
          lower = prefix;
          upper = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
        } else {
          const a = randomKey(prng);
          const b = randomKey(prng);
          [lower, upper] = compareBytes(enc.encode(a), enc.encode(b)) <= 0 ? [a, b] : [b, a];
        }
        const got = await db.view((txn) =>
          [...txn.iterate(prefix !== undefined ? { prefix, reverse } : { start: lower, ...(upper === undefined ? {} : { end: upper }), reverse })].map(
            (item) => `${dec.decode(item.key)}=${dec.decode(item.value)}`,
          ),
        );
        expect(got, `scan [${lower}, ${upper}) reverse=${reverse} at step ${step}`).toEqual(modelScan(model, lower, upper, reverse));
      } else if (roll < 92) {
        log.push('flush');
        await db.flush();
      } else if (roll < 95) {
        log.push('compact');
        await db.waitForCompactions();
      } else if (roll < 98) {
        log.push('reopen');
        await db.close();
        db = await openOn(fs, seed + step);
      } else {
        log.push('crash');
        fs = await crash(fs, prng);
        db = await openOn(fs, seed + step);
      }
    }
    const all = await db.view((txn) => [...txn.iterate()].map((item) => `${dec.decode(item.key)}=${dec.decode(item.value)}`));
    expect(all).toEqual(modelScan(model, '', undefined, false));
  } catch (error) {
    console.error(`model test failed with SEED=${seed}; last operations:\n${log.slice(-30).join('\n')}`);
    if (!fs.crashed) {
      const version = db.engine.versions.current;
      console.error(version.levels.map((files, level) => `L${level}: ${files.map((f) => `${f.number}[${dec.decode(f.smallestKey)}..${dec.decode(f.largestKey)}] seq ${f.minSeq}-${f.maxSeq}`).join(' ')}`).join('\n'));
      console.error(`mem ${db.engine.mem.entryCount} imm ${db.engine.imm.length} readTs ${db.engine.oracle.readTs()}`);
    }
    throw error;
  } finally {
    if (!fs.crashed) await db.close().catch(() => undefined);
  }
}

let passedRuns = 0;
afterAll(() => reportFigures('T7 seeded model runs', `SEED=${baseSeed}: ${passedRuns}/${runs} runs of ${steps} steps passed`));

describe(`engine against a Map model (seed ${baseSeed}, ${runs} runs x ${steps} steps)`, () => {
  for (let run = 0; run < runs; run++) {
    it(`run ${run} (SEED=${baseSeed + run})`, { timeout: 120_000 }, async () => {
      await runModel(baseSeed + run);
      passedRuns++;
    });
  }
});
