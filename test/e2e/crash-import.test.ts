// Goal: `kill -9` at any moment of `progress import` leaves a store that opens, with the import
// all or nothing. Method: a JSON Lines file of a few thousand events (a long demo history); the
// uninterrupted import is timed, then 10 imports into fresh stores are killed with SIGKILL at
// random moments across that time, half of them in its last quarter (SEED printed); each store is then opened by the CLI and must
// hold either none or all of the file's events (and then exactly the file, byte for byte).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ok, runCli, sandbox } from './helpers.js';

const SEED = Number(process.env.SEED ?? Math.floor(Math.random() * 2 ** 31));

describe(`kill -9 during import (SEED=${SEED})`, () => {
  it('10 random kills: the store opens and holds none or all of the import', async () => {
    console.log(`crash-import SEED=${SEED}`);
    let state = SEED >>> 0;
    const rand = (): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 4294967296;
    };
    const source = sandbox('crash-source');
    await ok(['demo', '--db', source.db, '--days', '1200', '--json'], source);
    const file = join(source.root, 'big.jsonl');
    writeFileSync(file, await ok(['export'], source));
    const text = readFileSync(file, 'utf8');
    const events = text.trim().split('\n').length;
    expect(events).toBeGreaterThan(3000);

    const timed = sandbox('crash-timed');
    const full = await runCli(['import', file], timed);
    expect(full.code).toBe(0);
    const outcomes: string[] = [];
    for (let round = 0; round < 10; round += 1) {
      const box = sandbox(`crash-${round}`);
      // half the kills anywhere in the run, half in its last quarter, where the commit and the
      // close (memtable flush) happen
      const delayMs = round % 2 === 0 ? Math.floor(50 + rand() * full.ms) : Math.floor(full.ms * (0.75 + rand() * 0.3));
      const result = await runCli(['import', file], box, {
        onSpawn: (child) => {
          setTimeout(() => child.kill('SIGKILL'), delayMs);
        },
      });
      const exported = await runCli(['export'], box);
      expect(exported.code, `round ${round}: the store must open after kill -9 at ${delayMs} ms: ${exported.stderr}`).toBe(0);
      const present = exported.stdout === '' ? 0 : exported.stdout.trim().split('\n').length;
      outcomes.push(`${delayMs}ms:${result.signal ?? `exit ${String(result.code)}`}:${present === 0 ? 'none' : present === events ? 'all' : `${present}`}`);
      expect([0, events], `round ${round}: killed at ${delayMs} ms, ${present} of ${events} events present`).toContain(present);
      if (present === events) expect(exported.stdout).toBe(text);
    }
    console.log(`crash-import outcomes (full import took ${full.ms} ms): ${outcomes.join(', ')}`);
  }, 900_000);
});
