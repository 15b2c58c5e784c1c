// Goal (RELIABILITY T4, REL tier): a power loss after ANY file-system mutation of the workloads
// W1-W5 and of `open` itself leaves a store that opens, holds every acknowledged (synced) commit
// exactly, and the commit in flight all-or-nothing, in the four crash modes: (a) synced data and
// entries only; (b) each unsynced operation kept with p = 0.5 (RANDOM_SEEDS seeds); (c) torn last
// write; (d) file data kept, unsynced directory entries lost.
// Method: run each workload (open, steps, close) once on a MemFs whose mutation hook takes, right
// after every mutation k, the crash clones of that instant (the state a process dying after
// mutation k leaves; recovery/power-loss.test.ts kills the run itself); the clones are opened and
// checked between steps. After the model check one clone per crash point is closed and reopened: the second open must
// see the same data and leave no table, value-log file or MANIFEST the live version does not use.
// Sizes: every k in REL and SOAK (CRASH_EVERY=n samples every n-th k from an offset taken from
// the seed); the PR tier does not run this file (its sample is recovery/power-loss.test.ts).
// SEED reruns; RANDOM_SEEDS sets the mode-(b) seeds (REL 3, SOAK 8).
import { describe, expect, it } from 'vitest';
import type { Db } from '../db.js';
import { parseFileName } from '../fs/filenames.js';
import { MemFs } from '../testing/mem-fs.js';
import type { CrashMode } from '../testing/mem-fs.js';
import { reportFigures, seedFromEnvOrNow, tierSize } from '../testing/tier.test-util.js';
import {
  DIR, contents, diffMaps, modelAfter, openOn, runStep, sameMap, workloads, type Step, type Workload,
} from '../testing/workloads.test-util.js';

const seed = seedFromEnvOrNow();
const randomSeeds = tierSize('RANDOM_SEEDS', { pr: 1, rel: 3, soak: 8 });
const every = Math.max(1, tierSize('CRASH_EVERY', { pr: 7, rel: 1, soak: 1 }));
const offset = seed % every;

interface RunResult {
  /** commit steps acknowledged */
  acked: number;
  /** a commit step was in flight when the process died */
  commitInFlight: boolean;
  crashed: boolean;
}

/**
 * Runs open + steps + close on `fs` until the end or the simulated death. `between` runs after
 * open and after every step (the crash states queued by the mutation hook are checked there).
 */
async function run(fs: MemFs, steps: readonly Step[], progress?: RunResult, between?: () => Promise<void>): Promise<RunResult> {
  const state = progress ?? { acked: 0, commitInFlight: false, crashed: false };
  let db: Db | undefined;
  try {
    db = await openOn(fs);
    await between?.();
    for (const step of steps) {
      state.commitInFlight = step.kind === 'commit';
      db = await runStep(db, step, () => openOn(fs));
      if (step.kind === 'commit') state.acked++;
      state.commitInFlight = false;
      await between?.();
    }
    await db.close();
    await between?.();
    return state;
  } catch (error) {
    if (!fs.crashed) throw error;
    state.crashed = true;
    return state;
  }
}

/** The populated store the `open` workload starts from (all synced, closed cleanly). */
async function prepared(workload: Workload): Promise<MemFs | undefined> {
  if (workload.setup === undefined) return undefined;
  const fs = new MemFs();
  const result = await run(fs, workload.setup);
  expect(result.crashed).toBe(false);
  const clone = fs.crashClone('synced');
  // close unlinked LOCK, but no directory sync made that durable: the pid it names is this
  // (live) test process, where a real restart would find a dead one.
  await clone.unlink(`${DIR}/LOCK`).catch(() => undefined);
  return clone;
}

/** Files in the directory that the open Db's live version does not reference. */
async function unreferencedFiles(fs: MemFs, db: Db): Promise<string[]> {
  const engine = db.engine;
  const tables = new Set(engine.versions.current.allFiles().map((f) => f.number));
  const vlogs = engine.versions.vlogFiles;
  const manifests: string[] = [];
  const out: string[] = [];
  for (const name of await fs.readdir(DIR)) {
    const parsed = parseFileName(name);
    if (parsed === undefined) continue;
    if (parsed.type === 'table' && !tables.has(parsed.number)) out.push(name);
    if (parsed.type === 'vlog' && !vlogs.has(parsed.number)) out.push(name);
    if (parsed.type === 'manifest') manifests.push(name);
    if (parsed.type === 'temp') out.push(name);
  }
  if (manifests.length > 1) out.push(...manifests);
  return out;
}

interface Tally {
  mutations: number;
  points: number;
  states: number;
  inFlightApplied: number;
  /** states closed, reopened and checked for unreferenced files (one clone per crash point) */
  reopened: number;
}

interface CrashState {
  k: number;
  acked: number;
  commitInFlight: boolean;
  clones: { mode: CrashMode; seed: number; fs: MemFs }[];
}

/**
 * One run of the workload; at every `every`-th mutation k the hook takes the crash clones of the
 * state right after mutation k (what a power loss at that instant leaves: the same state as a
 * process that died there, without rerunning the prefix), and the run checks them between steps.
 */
async function checkWorkload(workload: Workload): Promise<Tally> {
  const base = await prepared(workload);
  const baseModel = workload.setup === undefined ? new Map<string, string>() : modelAfter(workload.setup, Number.MAX_SAFE_INTEGER);
  const modes: { mode: CrashMode; seed: number }[] = [
    { mode: 'synced', seed: 0 },
    ...Array.from({ length: randomSeeds }, (_, i) => ({ mode: 'random' as const, seed: i })),
    { mode: 'torn', seed: 0 },
    { mode: 'lost-dirents', seed: 0 },
  ];
  const tally: Tally = { mutations: 0, points: 0, states: 0, inFlightApplied: 0, reopened: 0 };
  const progress: RunResult = { acked: 0, commitInFlight: false, crashed: false };
  const queue: CrashState[] = [];
  const live: { fs?: MemFs } = {};
  const onMutation = (k: number): void => {
    const fs = live.fs;
    if ((k - 1) % every !== offset || fs === undefined) return;
    const clones = modes.map(({ mode, seed: modeSeed }) => {
      const cloneSeed = seed * 7919 + k * 31 + modeSeed;
      return { mode, seed: cloneSeed, fs: fs.crashClone(mode, cloneSeed) };
    });
    queue.push({ k, acked: progress.acked, commitInFlight: progress.commitInFlight, clones });
  };
  const fs = base === undefined ? new MemFs({ onMutation }) : base.crashClone('process', 0, { onMutation });
  live.fs = fs;
  const drain = async (): Promise<void> => {
    for (let point = queue.shift(); point !== undefined; point = queue.shift()) {
      await checkPoint(workload, point, baseModel, tally);
    }
  };
  const result = await run(fs, workload.steps, progress, drain);
  expect(result.crashed).toBe(false);
  tally.mutations = fs.mutationCount;
  return tally;
}

async function checkPoint(workload: Workload, point: CrashState, baseModel: Map<string, string>, tally: Tally): Promise<void> {
  tally.points++;
  const before = modelAfter(workload.steps, point.acked, baseModel);
  const after = point.commitInFlight ? modelAfter(workload.steps, point.acked + 1, baseModel) : before;
  for (const [index, { mode, seed: cloneSeed, fs: clone }] of point.clones.entries()) {
    await clone.unlink(`${DIR}/LOCK`).catch(() => undefined); // the dead process held it
    const context = `${workload.name}: crash after mutation ${point.k}, mode ${mode} (clone seed ${cloneSeed}), ` +
      `${point.acked} commits acknowledged${point.commitInFlight ? ' + 1 in flight' : ''} (SEED=${seed})`;
    let db: Db;
    try {
      db = await openOn(clone);
    } catch (error) {
      throw new Error(`${context}: open failed: ${String(error)}`, { cause: error });
    }
    const state = await contents(db);
    const matchesBefore = sameMap(state, before);
    if (!matchesBefore && !sameMap(state, after)) {
      throw new Error(`${context}: neither the acknowledged state nor it plus the commit in flight: ${diffMaps(state, before)}`);
    }
    if (!matchesBefore) tally.inFlightApplied++;
    await db.close();
    tally.states++;
    if (index !== point.k % point.clones.length) continue;
    const again = await openOn(clone);
    try {
      const second = await contents(again);
      if (!sameMap(second, state)) throw new Error(`${context}: the second open differs: ${diffMaps(second, state)}`);
      const extra = await unreferencedFiles(clone, again);
      if (extra.length > 0) throw new Error(`${context}: files left that the live version does not reference: ${extra.join(', ')}`);
    } finally {
      await again.close();
    }
    tally.reopened++;
  }
}

describe(`T4 power loss at every mutation of W1-W5 and open (SEED=${seed})`, () => {
  for (const workload of workloads(seed)) {
    it(workload.name, { timeout: 1_800_000 }, async () => {
      const started = Date.now();
      const tally = await checkWorkload(workload);
      reportFigures(
        `T4 power loss ${workload.name}`,
        `${tally.states} crash states checked (${tally.points} crash points of ${tally.mutations} mutations, every ${every}, ` +
          `${3 + randomSeeds} clones each; ${tally.reopened} reopened twice), ${tally.inFlightApplied} with the in-flight commit applied, ` +
          `${((Date.now() - started) / 1000).toFixed(0)} s, SEED=${seed}`,
      );
      expect(tally.states).toBeGreaterThan(0);
    });
  }
});
