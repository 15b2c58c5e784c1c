// Goal (RELIABILITY T7): the engine behaves as a sorted Map under any sequence of operations,
// including flush, compaction, value-log GC, reopen and simulated power loss.
// Method: fast-check model-based testing (fc.commands + fc.asyncModelRun) over the commands of
// testing/model-commands.test-util.ts: keys from a 64-key alphabet so that overwrites and
// tombstones collide; values of 0-256 bytes across the value threshold. Failures shrink to a
// minimal command list, print the seed and fast-check's path, and are saved as JSON under
// src/testing/counterexamples/ (commit the file: db.counterexamples.test.ts replays every one in
// the PR tier).
// Sizes: sequences PR 30, REL 10,000 (the plan's size), SOAK 50,000 (MODEL_SEQUENCES); up to 50 (PR) / 100 commands.
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { commands, runSequence, type Cmd, type Model, type Real } from './testing/model-commands.test-util.js';
import { reportFigures, seedFromEnvOrNow, tierSize } from './testing/tier.test-util.js';

const seed = seedFromEnvOrNow();
const SEQUENCES = tierSize('MODEL_SEQUENCES', { pr: 30, rel: 10_000, soak: 50_000 });
const MAX_COMMANDS = tierSize('MODEL_COMMANDS', { pr: 50, rel: 100 });

/** The commands of a run that executed (fast-check wraps each: `cmd`, `hasRan`). */
function ranCommands(cmds: Iterable<fc.AsyncCommand<Model, Real>>): Cmd[] {
  const out: Cmd[] = [];
  for (const item of cmds) {
    const wrapper = item as unknown as { cmd?: Cmd; hasRan?: boolean };
    const cmd = wrapper.cmd ?? (item as Cmd);
    if (wrapper.cmd !== undefined && wrapper.hasRan !== true) continue;
    if (typeof cmd.toJSON !== 'function') throw new Error(`command ${String(cmd)} cannot be saved (no toJSON)`);
    out.push(cmd);
  }
  return out;
}

/** Saves the shrunk counterexample for db.counterexamples.test.ts; returns the file written. */
function saveCounterexample(cmds: Iterable<fc.AsyncCommand<Model, Real>>, error: unknown): string {
  const file = fileURLToPath(new URL(`./testing/counterexamples/t7-${seed}.json`, import.meta.url));
  const saved = { seed, found: new Date().toISOString(), error: String(error).split('\n')[0], commands: ranCommands(cmds).map((c) => c.toJSON()) };
  // one command per line, so the file reads as the sequence it is
  const lines = saved.commands.map((c) => `  ${JSON.stringify(c)}`).join(',\n');
  writeFileSync(file, `{"seed": ${seed}, "found": ${JSON.stringify(saved.found)}, "error": ${JSON.stringify(saved.error)},\n "commands": [\n${lines}\n]}\n`);
  return file;
}

describe(`T7 model-based commands (SEED=${seed}, ${SEQUENCES} sequences of up to ${MAX_COMMANDS} commands)`, () => {
  it('the engine equals a sorted Map through writes, aborts, snapshots, flush, compaction, GC, reopen and crash', { timeout: 2_400_000 }, async () => {
    let sequences = 0;
    let commandsRun = 0;
    const details = await fc.check(
      fc.asyncProperty(fc.commands(commands, { maxCommands: MAX_COMMANDS, size: 'max' }), async (cmds) => {
        await runSequence(cmds);
        sequences++;
        commandsRun += [...cmds].length;
      }),
      { seed, numRuns: SEQUENCES },
    );
    if (details.failed) {
      const [cmds] = details.counterexample ?? [];
      const saved = cmds === undefined ? 'not saved (no counterexample)' : `saved to ${saveCounterexample(cmds, details.errorInstance)}`;
      throw new Error(`${fc.defaultReportMessage(details) ?? 'property failed'}\ncounterexample ${saved}`);
    }
    reportFigures('T7 model-based (fast-check commands)', `${sequences} sequences, ${commandsRun} commands, 0 counterexamples, SEED=${seed}`);
  });
});
