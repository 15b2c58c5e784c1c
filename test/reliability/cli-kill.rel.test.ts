// Goal: `kill -9` at any moment of any writing `progress` command leaves a store that opens, that
// `progress db verify` finds clean, and that holds all of the killed command's events or none.
// Method: two lanes (own store each) run a mix of commands (log, log with auto-registration,
// import, amend, retract, goal set, undo, team create/add, user add) chosen from the store's
// current events. Each command is killed with SIGKILL, either from inside right after its k-th
// file mutation (write, fsync, ftruncate, rename, unlink; k uniform over the mutations the
// command kind makes; fault-preload.mjs) or from outside after a random delay. Then
// `progress db verify` must exit 0 and the store's events (read in-process, as `progress export`
// reads them) must be the previous events unchanged plus either nothing or exactly the
// command's events. SEED= reproduces the choices; REL_CLI_KILL_CYCLES sets the cycle count.
// Plus a deterministic sweep: `log` by a new default user (auto-registration) killed after each
// of its file mutations in turn (regression: the registration and the entry were two commits, so
// a kill between them left the user registered without the entry).
import { cpSync, rmSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ok, pool, runCli, sandbox } from '../e2e/helpers.js';
import type { Sandbox } from '../e2e/helpers.js';
import { createRng, figures, preloadOptions, readEvents, sizeFromEnv, suiteSeed } from './harness.js';
import type { ExportedEvent } from './harness.js';
import { nextPlan } from './kill-plan.js';

const SEED = suiteSeed();
const CYCLES = sizeFromEnv('REL_CLI_KILL_CYCLES', 100);
const LANES = 2;
const IMPORT_EVENTS = 300;

interface LaneReport {
  cycles: number;
  killed: number;
  inside: number;
  outside: number;
  present: number;
  absent: number;
  completedAnyway: number;
  eventsChecked: number;
  kinds: Map<string, number>;
  failures: string[];
}

/**
 * Per kind: the mutations and run time of its latest completed run (the kill ranges). The latest,
 * not the largest: on a quiet machine commands run faster than the first guess, and ranges that
 * only grow would let most kills land after the command finished.
 */
interface Estimate {
  mutations: number;
  ms: number;
}

async function runLane(lane: number, cycles: number): Promise<LaneReport> {
  const rng = createRng((SEED + lane * 0x9e3779b9) >>> 0);
  const box: Sandbox = sandbox(`rel-kill-${lane}`);
  const stats = join(box.root, 'fault-stats.json');
  const estimates = new Map<string, Estimate>();
  const report: LaneReport = {
    cycles: 0, killed: 0, inside: 0, outside: 0, present: 0, absent: 0, completedAnyway: 0, eventsChecked: 0, kinds: new Map(), failures: [],
  };
  let before: { text: string; events: ExportedEvent[] } = { text: '', events: [] };
  for (let cycle = 0; cycle < cycles; cycle += 1) {
    const tag = `l${lane}c${cycle}`;
    const plan = nextPlan(rng, before.events, box.root, tag, IMPORT_EVENTS);
    const estimate = estimates.get(plan.kind) ?? { mutations: plan.kind === 'import' ? 80 : 40, ms: 1500 };
    const inside = rng() < 0.6;
    const killAt = 1 + rng.int(estimate.mutations);
    const delayMs = Math.floor(rng() * estimate.ms);
    rmSync(stats, { force: true });
    const env: NodeJS.ProcessEnv = {
      ...plan.env,
      NODE_OPTIONS: preloadOptions(),
      REL_FAULT_STATS: stats,
      ...(inside ? { REL_FAULT_KILL_AT: String(killAt) } : {}),
    };
    const result = await runCli(plan.args, box, {
      env,
      ...(inside ? {} : { onSpawn: (child) => void setTimeout(() => child.kill('SIGKILL'), delayMs) }),
    });
    const where = `cycle ${tag} (${plan.kind}: progress ${plan.args.join(' ')}; ${inside ? `kill after mutation ${killAt}` : `SIGKILL after ${delayMs} ms`})`;
    const killed = result.signal === 'SIGKILL';
    report.cycles += 1;
    report.kinds.set(plan.kind, (report.kinds.get(plan.kind) ?? 0) + 1);
    if (killed) {
      report.killed += 1;
      if (inside) report.inside += 1;
      else report.outside += 1;
    } else {
      report.completedAnyway += 1;
      if (!plan.okCodes.includes(result.code ?? -1)) report.failures.push(`${where}: exited ${String(result.code)}: ${result.stderr.trim()}`);
      try {
        const seen = JSON.parse(readFileSync(stats, 'utf8')) as { mutations: number };
        estimates.set(plan.kind, { mutations: Math.max(1, seen.mutations), ms: Math.max(1, result.ms) });
      } catch {
        // no stats: the command did not get far enough to exit normally
      }
    }

    // the store opens and verifies clean (a following command works; it also recovers the WAL)
    const verify = await runCli(['db', 'verify', '--json'], box);
    if (verify.code !== 0) {
      report.failures.push(`${where}: then "progress db verify" exited ${String(verify.code)}: ${verify.stderr.trim()}`);
      break; // the lane's store is unusable from here on
    }
    const after = await readEvents(box.db);
    const problem = compare(before, after, plan, result.code);
    if (problem === 'absent') report.absent += 1;
    else if (problem === 'present') report.present += 1;
    else report.failures.push(`${where}: ${problem}`);
    report.eventsChecked += after.events.length;
    before = after;
  }
  rmSync(box.root, { recursive: true, force: true });
  return report;
}

/** 'present' | 'absent' | a problem. */
function compare(
  before: { text: string; events: ExportedEvent[] },
  after: { text: string; events: ExportedEvent[] },
  plan: ReturnType<typeof nextPlan>,
  code: number | null,
): string {
  if (!after.text.startsWith(before.text)) {
    const lost = before.events.filter((item) => !after.events.some((other) => other.event.eventId === item.event.eventId));
    return `earlier events changed or lost (${lost.length} missing; first: ${lost[0]?.stream ?? '-'} ${lost[0]?.event.type ?? ''})`;
  }
  const fresh = after.events.slice(before.events.length);
  if (fresh.length === 0) return code === 0 ? `exited 0 but appended nothing` : 'absent';
  if (code !== null && code !== 0) return `exited ${code} but appended ${fresh.length} events`;
  return plan.verify(fresh, before.events) ?? 'present';
}

describe(`CLI kill -9 cycles (SEED=${SEED})`, () => {
  it(`${CYCLES} kills during writing commands: the store opens, verifies clean, and each command is all or nothing`, async () => {
    console.log(`cli-kill SEED=${SEED} cycles=${CYCLES}`);
    const perLane = Array.from({ length: LANES }, (_, lane) => Math.floor(CYCLES / LANES) + (lane < CYCLES % LANES ? 1 : 0));
    const reports = await Promise.all(perLane.map((cycles, lane) => runLane(lane, cycles)));
    const sum = (pick: (report: LaneReport) => number): number => reports.reduce((total, report) => total + pick(report), 0);
    const kinds = new Map<string, number>();
    for (const report of reports) for (const [kind, count] of report.kinds) kinds.set(kind, (kinds.get(kind) ?? 0) + count);
    figures(
      'kill -9 cycles',
      `${sum((r) => r.cycles)} cycles (SEED=${SEED}): ${sum((r) => r.killed)} killed (${sum((r) => r.inside)} at a file mutation, ` +
        `${sum((r) => r.outside)} by timer), ${sum((r) => r.completedAnyway)} finished first; ${sum((r) => r.cycles)} opens + db verify clean; ` +
        `outcomes: ${sum((r) => r.present)} all present, ${sum((r) => r.absent)} all absent; ${sum((r) => r.eventsChecked)} events compared; ` +
        `mix: ${[...kinds].map(([kind, count]) => `${kind} ${count}`).join(', ')}`,
    );
    const failures = reports.flatMap((report) => report.failures);
    expect(failures, `SEED=${SEED}`).toEqual([]);
    expect(sum((r) => r.cycles)).toBe(CYCLES);
    expect(sum((r) => r.killed)).toBeGreaterThan(CYCLES / 2);
  }, 900_000);
});

describe('CLI kill -9 sweep: log with auto-registration, killed at every mutation', () => {
  it('regression log-auto-register-two-commits: registration and entry are all or nothing', async () => {
    const box = sandbox('rel-kill-sweep');
    const base = join(box.root, 'base');
    await ok(['log', 'running', '3', '--db', base], box);
    const baseText = (await readEvents(base)).text;
    const stats = join(box.root, 'stats.json');
    const counting = join(box.root, 'counting');
    cpSync(base, counting, { recursive: true });
    await ok(['log', 'reading', '2', '--db', counting], box, { env: { PROGRESS_USER: 'newbie', NODE_OPTIONS: preloadOptions(), REL_FAULT_STATS: stats } });
    const { mutations } = JSON.parse(readFileSync(stats, 'utf8')) as { mutations: number };
    const failures: string[] = [];
    const outcomes: string[] = new Array<string>(mutations).fill('?');
    await pool(Array.from({ length: mutations }, (_, index) => async () => {
      const k = index + 1;
      const dir = join(box.root, `k${k}`);
      cpSync(base, dir, { recursive: true });
      const result = await runCli(['log', 'reading', '2', '--note', `k${k}`, '--db', dir], box, {
        env: { PROGRESS_USER: 'newbie', NODE_OPTIONS: preloadOptions(), REL_FAULT_KILL_AT: String(k) },
      });
      const after = await readEvents(dir);
      if (!after.text.startsWith(baseText)) failures.push(`k=${k}: earlier events changed`);
      const fresh = after.events.filter((item) => item.stream === 'user:newbie');
      const types = fresh.map((item) => item.event.type).join('+');
      outcomes[index] = fresh.length === 0 ? '-' : fresh.length === 2 ? 'A' : '?';
      if (types !== '' && types !== 'UserRegistered+ProgressRecorded') failures.push(`k=${k} (${result.signal ?? `exit ${String(result.code)}`}): newbie has ${types}`);
      rmSync(dir, { recursive: true, force: true });
    }), 2);
    rmSync(box.root, { recursive: true, force: true });
    figures('kill -9 sweep (log with auto-registration)', `${mutations} kill points, outcomes by k (- none, A all): ${outcomes.join('')}`);
    expect(failures).toEqual([]);
    expect(outcomes).toContain('-');
    expect(outcomes).toContain('A');
  }, 900_000);
});
