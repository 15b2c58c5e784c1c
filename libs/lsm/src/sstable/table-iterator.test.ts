/**
 * Goal: the table iterator's readahead (long forward scans read the data area in chunks, taking
 * blocks from them without the block cache) returns exactly what block-by-block reads return,
 * reads far fewer times, leaves the cache alone, and still reports a corrupted block.
 * Method: seeded random tables with small blocks (seed printed, SEED= to repeat), compared with
 * the sorted model; reads counted by the in-memory file; one byte flipped in a late block.
 */

import { describe, expect, it } from 'vitest';
import { CorruptionError } from '../errors.js';
import { MAX_SEQ } from '../keys/internal-key.js';
import { BlockCache } from './block-cache.js';
import { TableReader } from './table-reader.js';
import { READAHEAD_AFTER_BLOCKS } from './table-iterator.js';
import {
  MemReadableFile, type TestEntry, buildTable, entriesHex, makeRng, randomEntries, scanForward,
} from './test-files.test-util.js';

const seed = Number(process.env['SEED'] ?? Date.now());
console.log(`table-iterator.test.ts seed=${seed}`);

async function bigTable(entries: readonly TestEntry[]): Promise<Uint8Array> {
  const { bytes, finished } = await buildTable(entries, { blockBytes: 256, blockRestartInterval: 4 });
  expect(finished.dataBlockCount).toBeGreaterThan(40);
  return bytes;
}

function open(bytes: Uint8Array, cache = new BlockCache(1 << 22)): { reader: TableReader; file: MemReadableFile; cache: BlockCache } {
  const file = new MemReadableFile('/db/000007.sst', bytes);
  return { reader: TableReader.open(file, 7, cache), file, cache };
}

describe('table iterator readahead', () => {
  it(`a full forward scan returns every entry with far fewer reads and no cache fills (seed ${seed})`, async () => {
    const entries = randomEntries(makeRng(seed), 1500, 60);
    const bytes = await bigTable(entries);
    const { reader, file, cache } = open(bytes);
    const blocks = reader.properties.dataBlockCount;
    const readsBefore = file.readCount;
    expect(entriesHex(scanForward(reader.newIterator()))).toEqual(entriesHex(entries));
    const reads = file.readCount - readsBefore;
    // index + the first blocks one by one, then chunks of at least 16 KiB
    expect(reads).toBeLessThan(blocks / 4);
    expect(cache.blockCount).toBeLessThanOrEqual(2 + READAHEAD_AFTER_BLOCKS); // index, first block, then one by one
  });

  it(`seeks, reverse steps and forward scans mixed agree with the model (seed ${seed})`, async () => {
    const rng = makeRng(seed + 1);
    const entries = randomEntries(rng, 1200, 60);
    const bytes = await bigTable(entries);
    const { reader } = open(bytes, new BlockCache(4096)); // a tiny cache: most blocks come from the file
    const iterator = reader.newIterator();
    for (let round = 0; round < 30; round++) {
      const start = Math.floor(rng() * entries.length);
      const from = entries[start] as TestEntry;
      iterator.seek(from.key, MAX_SEQ);
      const first = entries.findIndex((e) => e.key === from.key);
      let at = first;
      const steps = Math.floor(rng() * 400);
      for (let i = 0; i < steps && iterator.valid(); i++) {
        const expected = entries[at] as TestEntry;
        expect(entriesHex([{ key: iterator.key(), seq: iterator.seq(), kind: iterator.kind(), value: iterator.value() }])).toEqual(entriesHex([expected]));
        if (rng() < 0.1 && at > 0) {
          iterator.prev();
          at--;
        } else {
          iterator.next();
          at++;
        }
      }
      if (at >= entries.length) expect(iterator.valid()).toBe(false);
    }
    iterator.close();
  });

  it('a corrupted block reached through a readahead chunk throws CorruptionError at that block', async () => {
    const entries = randomEntries(makeRng(seed + 2), 1500, 60);
    const bytes = await bigTable(entries);
    const clean = open(bytes).reader;
    const dataEnd = clean.dataEndOffset;
    const corrupted = bytes.slice();
    const at = Math.floor(dataEnd * 0.8);
    corrupted[at] = (corrupted[at] as number) ^ 0x40;
    const { reader } = open(corrupted);
    let error: unknown;
    try {
      scanForward(reader.newIterator());
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CorruptionError);
    expect((error as CorruptionError).message).toContain('000007.sst');
  });
});
