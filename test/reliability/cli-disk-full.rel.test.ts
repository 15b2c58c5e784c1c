// Goal: a disk that fills up during `progress log` gives exit 4 and a clear "disk full" message
// that tells the truth (the entry saved or not), loses nothing written before, leaves the failed
// entry absent or whole, and the store works again once there is space.
// Method, two ways of filling the disk under the real binary and the real engine:
// (1) fault-preload.mjs makes node:fs writes fail with ENOSPC from the k-th write call on, for
//     every k of one `log`, and after N bytes (the write crossing N is short) for N = 0 and a few
//     budgets spread over the bytes one `log` writes (runs anywhere);
// (2) when this process may mount (root in CI), a small tmpfs whose free space is cut down to a
//     few pages by a filler file, so the kernel itself answers ENOSPC.
// After each failure: the next `progress log` (with space) exits 0 and `progress db verify` is
// clean. SEED= picks the byte budgets.
import { execFileSync } from 'node:child_process';
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, runCli, sandbox, STACK_TRACE } from '../e2e/helpers.js';
import type { Sandbox } from '../e2e/helpers.js';
import { createRng, figures, preloadOptions, readEvents, sizeFromEnv, suiteSeed } from './harness.js';
import type { ExportedEvent } from './harness.js';

const SEED = suiteSeed();
const BUDGETS = sizeFromEnv('REL_CLI_ENOSPC_BUDGETS', 4);

let box: Sandbox;
let base: string;
let baseEvents: ExportedEvent[];

beforeAll(async () => {
  box = sandbox('rel-full');
  base = join(box.root, 'base');
  await ok(['log', 'running', '5', '--note', 'first', '--db', base], box);
  await ok(['log', 'running', '6', '--note', 'second', '--db', base], box);
  await ok(['goal', 'set', 'running', '20', '--per', 'week', '--db', base], box);
  baseEvents = (await readEvents(base)).events;
  expect(baseEvents.length).toBe(4);
}, 300_000);

afterAll(() => {
  if (box !== undefined) rmSync(box.root, { recursive: true, force: true });
});

interface Outcome {
  readonly saved: boolean;
  readonly code: number | null;
}

/**
 * Runs the failing `log` (env gives the fault) in `dir`, checks message, exit code and the store
 * afterwards; returns whether the entry was saved. Problems are pushed to `problems`.
 */
async function logOnFullDisk(dir: string, label: string, env: NodeJS.ProcessEnv, problems: string[], makeRoom: () => void): Promise<Outcome> {
  const note = `full ${label}`;
  const result = await runCli(['log', 'running', '7', '--note', note, '--db', dir], box, { env });
  const where = `${label}: progress log`;
  const lines = result.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('registered user'));
  if (result.code !== 0) {
    if (result.code !== 4) problems.push(`${where}: exit ${String(result.code)}, expected 4: ${result.stderr.trim()}`);
    const first = lines[0] ?? '';
    if (!first.startsWith('error: disk full')) problems.push(`${where}: message is not "error: disk full…": ${result.stderr.trim()}`);
    if (lines.length > 2 || STACK_TRACE.test(result.stderr)) problems.push(`${where}: more than an error and a hint line: ${result.stderr.trim()}`);
  }
  makeRoom();
  const events = (await readEvents(dir)).events;
  const prefix = events.slice(0, baseEvents.length);
  if (JSON.stringify(prefix) !== JSON.stringify(baseEvents)) problems.push(`${where}: earlier events changed or lost`);
  const fresh = events.slice(baseEvents.length);
  const saved = fresh.length === 1 && fresh[0]?.event.type === 'ProgressRecorded' && fresh[0].event.data.note === note && fresh[0].event.data.amount === 7;
  if (fresh.length !== 0 && !saved) problems.push(`${where}: the failed entry is not absent or whole: ${JSON.stringify(fresh.map((item) => item.event))}`);
  // the message tells the truth about the entry
  const said = result.stderr;
  if (result.code === 0 && !saved) problems.push(`${where}: exit 0 but the entry is missing`);
  if (result.code !== 0 && saved && !said.includes('changes are saved')) problems.push(`${where}: the entry was saved but the message says: ${said.trim()}`);
  if (result.code !== 0 && !saved && !said.includes('no data was changed')) problems.push(`${where}: nothing was saved but the message says: ${said.trim()}`);
  // with space again, the store works and is clean
  const next = await runCli(['log', 'running', '8', '--note', `after ${label}`, '--db', dir], box);
  if (next.code !== 0) problems.push(`${label}: the next log (with space) exited ${String(next.code)}: ${next.stderr.trim()}`);
  const verify = await runCli(['db', 'verify', '--db', dir], box);
  if (verify.code !== 0) problems.push(`${label}: db verify after the disk-full failure exited ${String(verify.code)}: ${verify.stderr.trim()}`);
  const after = (await readEvents(dir)).events;
  if (after.length !== events.length + 1) problems.push(`${label}: the next log did not add exactly one event`);
  return { saved, code: result.code };
}

function tally(outcomes: readonly Outcome[]): string {
  const failed = outcomes.filter((outcome) => outcome.code !== 0);
  return `${outcomes.length} cases: ${failed.length} exit 4 (${failed.filter((o) => !o.saved).length} entry absent, ` +
    `${failed.filter((o) => o.saved).length} entry saved before a failed close), ${outcomes.length - failed.length} fitted and exit 0`;
}

describe(`disk full during progress log (SEED=${SEED})`, () => {
  it('ENOSPC injected at every write call and after N bytes (preload): exit 4, "disk full", nothing lost', async () => {
    console.log(`cli-disk-full SEED=${SEED}`);
    const rng = createRng(SEED);
    const counting = join(box.root, 'counting');
    cpSync(base, counting, { recursive: true });
    const statsFile = join(box.root, 'stats.json');
    await ok(['log', 'running', '7', '--db', counting], box, { env: { NODE_OPTIONS: preloadOptions(), REL_FAULT_STATS: statsFile } });
    const { bytes, writes } = JSON.parse(readFileSync(statsFile, 'utf8')) as { bytes: number; writes: number };
    expect(bytes).toBeGreaterThan(1000);
    // every write call of a log fails in turn (SQLite's ioerr method), then byte budgets that cut
    // a write short: 0 and spread over the bytes one log writes, each moved by a random amount
    const faults: { label: string; env: NodeJS.ProcessEnv }[] = [];
    for (let k = 1; k <= writes; k += 1) faults.push({ label: `ENOSPC from write ${k} of ${writes}`, env: { REL_FAULT_ENOSPC_FROM_WRITE: String(k) } });
    for (let i = 0; i < BUDGETS; i += 1) {
      const budget = i === 0 ? 0 : Math.floor(((i - 1 + rng()) * bytes) / (BUDGETS - 1));
      faults.push({ label: `ENOSPC after ${budget} of ${bytes} bytes`, env: { REL_FAULT_ENOSPC_AFTER: String(budget) } });
    }
    const problems: string[] = [];
    const outcomes: Outcome[] = [];
    for (const [index, fault] of faults.entries()) {
      const dir = join(box.root, `enospc-${index}`);
      cpSync(base, dir, { recursive: true });
      outcomes.push(await logOnFullDisk(dir, fault.label, { NODE_OPTIONS: preloadOptions(), ...fault.env }, problems, () => undefined));
      rmSync(dir, { recursive: true, force: true });
    }
    figures('disk full (preload)', `${tally(outcomes)}; a log makes ${writes} write calls, ${bytes} bytes; SEED=${SEED}`);
    expect(problems, `SEED=${SEED}`).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.code === 4).length).toBeGreaterThan(0);
  }, 900_000);

  const mountPoint = mkdtempSync(join(tmpdir(), 'progress-rel-tmpfs-'));
  let mounted = false;
  let mountError = '';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    mounted = true;
  } catch (error) {
    mountError = error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
    rmSync(mountPoint, { recursive: true, force: true });
    console.log(`cli-disk-full: no tmpfs (${mountError}); the preload case above covers ENOSPC`);
  }
  afterAll(() => {
    if (!mounted) return;
    execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it.runIf(mounted)('a real full tmpfs (kernel ENOSPC): exit 4, "disk full", nothing lost', async () => {
    const outcomes: Outcome[] = [];
    const problems: string[] = [];
    const page = 4096;
    for (let pages = 0; pages <= 5; pages += 1) {
      const dir = join(mountPoint, 'store');
      rmSync(dir, { recursive: true, force: true });
      cpSync(base, dir, { recursive: true });
      const filler = join(mountPoint, 'filler');
      fill(filler, mountPoint, pages * page);
      outcomes.push(await logOnFullDisk(dir, `tmpfs with ${pages} free pages`, {}, problems, () => unlinkSync(filler)));
    }
    figures('disk full (tmpfs)', tally(outcomes));
    expect(problems).toEqual([]);
    expect(outcomes.some((outcome) => outcome.code === 4)).toBe(true);
  }, 900_000);
});

/** Writes `path` until the file system is full, then gives back pages until `free` bytes are free. */
function fill(path: string, mount: string, free: number): void {
  mkdirSync(mount, { recursive: true });
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let size = 0;
  try {
    for (;;) size += writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  for (let small = 4096; ; ) {
    // the big chunk may have stopped short: top up page by page
    try {
      const again = openSync(path, 'a');
      try {
        writeSync(again, Buffer.alloc(small, 0x61));
      } finally {
        closeSync(again);
      }
      size += small;
    } catch {
      break;
    }
  }
  const stats = statfsSync(mount);
  const available = Number(stats.bavail) * Number(stats.bsize);
  if (available > 0) throw new Error(`filler left ${available} bytes free`);
  if (free > 0) execFileSync('truncate', ['-s', String(Math.max(0, size - free)), path]);
}
