/**
 * Goal: a damaged table never yields wrong data and never throws anything but CorruptionError
 * (RELIABILITY T2/T3, D8): opening it, scanning it both ways, point reads and verify() either
 * give exactly the written data or report corruption; a changed byte is always detected by
 * verify() (every byte is under a checksum).
 * Method: a real multi-block table; random byte flips, truncations and zeroed ranges (seeded,
 * seed printed); each damaged copy is exercised with a fresh block cache.
 */

import { describe, expect, it } from 'vitest';
import { toHex } from '../codec/bytes.js';
import { CorruptionError } from '../errors.js';
import { BlockCache } from './block-cache.js';
import type { TableReader } from './table-reader.js';
import { type TestEntry, buildTable, entriesHex, makeRng, openTable, randomEntries } from './test-files.test-util.js';
import { reportFigures, tierSize } from '../testing/tier.test-util.js';

const seed = Number(process.env['SEED'] ?? Date.now());
console.log(`table-fuzz.test.ts seed=${seed}`);
const RUNS = tierSize('SSTABLE_FUZZ_RUNS', { pr: 1000, rel: 6000, soak: 100_000 });

type Outcome = 'exact' | 'corruption';

/** Runs `fn`; CorruptionError → 'corruption'; any other exception fails the test. */
function guarded(fn: () => boolean): Outcome {
  try {
    return fn() ? 'exact' : fail('returned wrong data');
  } catch (error) {
    if (error instanceof CorruptionError) return 'corruption';
    throw error;
  }
}

function fail(message: string): never {
  throw new Error(message);
}

function exercise(reader: TableReader, entries: readonly TestEntry[], expected: string[]): Outcome[] {
  const outcomes: Outcome[] = [];
  outcomes.push(guarded(() => {
    const seen: TestEntry[] = [];
    const iterator = reader.newIterator();
    for (iterator.seekToFirst(); iterator.valid(); iterator.next()) {
      seen.push({ key: iterator.key().slice(), seq: iterator.seq(), kind: iterator.kind(), value: iterator.value().slice() });
    }
    return JSON.stringify(entriesHex(seen)) === JSON.stringify(expected);
  }));
  outcomes.push(guarded(() => {
    const seen: string[] = [];
    const iterator = reader.newIterator();
    for (iterator.seekToLast(); iterator.valid(); iterator.prev()) {
      seen.push(`${toHex(iterator.key())}@${iterator.seq()}/${iterator.kind()}=${toHex(iterator.value())}`);
    }
    return JSON.stringify(seen) === JSON.stringify([...expected].reverse());
  }));
  for (let i = 0; i < entries.length; i += 7) {
    const entry = entries[i] as TestEntry;
    outcomes.push(guarded(() => {
      const found = reader.get(entry.key, entry.seq);
      return found !== undefined && found.seq === entry.seq && found.kind === entry.kind && toHex(found.value) === toHex(entry.value);
    }));
  }
  return outcomes;
}

describe('table decoder fuzz', () => {
  it(`damaged tables give exact data or CorruptionError, and verify() finds every change (seed ${seed})`, { timeout: 600_000 }, async () => {
    const rng = makeRng(seed);
    const entries = randomEntries(rng, 150);
    const expected = entriesHex(entries);
    const { bytes } = await buildTable(entries, { blockBytes: 256, blockRestartInterval: 4 });
    const tally = { openFailed: 0, exact: 0, corruption: 0, verifyProblems: 0 };
    for (let run = 0; run < RUNS; run++) {
      const damaged = damage(bytes, rng, run);
      let reader: TableReader;
      try {
        reader = openTable(damaged, { cache: new BlockCache(1 << 20), path: '/fuzz/000009.sst' });
      } catch (error) {
        expect(error).toBeInstanceOf(CorruptionError);
        expect((error as CorruptionError).file).toBe('/fuzz/000009.sst');
        tally.openFailed++;
        continue;
      }
      for (const outcome of exercise(reader, entries, expected)) tally[outcome]++;
      const problems = reader.verify();
      if (problems.length > 0) tally.verifyProblems++;
      const changed = damaged.length !== bytes.length || toHex(damaged) !== toHex(bytes);
      expect(problems.length > 0).toBe(changed);
      for (const problem of problems) expect(problem.file).toBe('/fuzz/000009.sst');
    }
    reportFigures('T2/T3 SST decoder fuzz', `SEED=${seed}: ${RUNS} damaged tables ${JSON.stringify(tally)}`);
    expect(tally.openFailed).toBeGreaterThan(0);
    expect(tally.corruption).toBeGreaterThan(0);
  });
});

/** A copy of `bytes` with 1-3 bytes flipped, a truncation, or a zeroed range. */
function damage(bytes: Uint8Array, rng: () => number, run: number): Uint8Array {
  const mode = run % 4;
  if (mode === 3) return bytes.slice(0, Math.floor(rng() * bytes.length));
  const out = bytes.slice();
  if (mode === 2) {
    const start = Math.floor(rng() * out.length);
    out.fill(0, start, Math.min(out.length, start + 1 + Math.floor(rng() * 64)));
    return out;
  }
  const flips = 1 + Math.floor(rng() * 3);
  for (let f = 0; f < flips; f++) {
    const at = Math.floor(rng() * out.length);
    out[at] = (out[at] as number) ^ (1 + Math.floor(rng() * 255));
  }
  return out;
}
