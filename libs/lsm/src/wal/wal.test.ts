// Goal: the WAL replays exactly the batches that were appended, in order, whole or not at all:
// a torn last batch is dropped and truncated away before appending resumes (D5), a batch whose
// framing holds but whose commit marker does not is corruption (D6), damage in the middle is
// corruption. Method: a WalWriter over an in-memory file, truncation at every offset of the last
// record, byte flips, a seeded fast-check round trip, and a golden file.
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../codec/bytes.js';
import { decodeWriteBatch, encodeWriteBatch, type BatchEntry, type DecodedBatch } from '../batch/write-batch-format.js';
import { CorruptionError } from '../errors.js';
import { Kind } from '../keys/internal-key.js';
import { encodeStoredValue } from '../keys/value-format.js';
import { MemFiles } from '../record/mem-files.test-util.js';
import { LOG_HEADER_BYTES } from '../record/record-format.js';
import { RecordWriter } from '../record/record-writer.js';
import { decodeWal, replayWal } from './wal-reader.js';
import { WalWriter } from './wal-writer.js';
import { propertyRuns } from '../testing/tier.test-util.js';

const seed = Number(process.env['SEED'] ?? Date.now() % 2 ** 31);
const PATH = '/db/000007.wal';

function expectGolden(name: string, text: string): void {
  const url = new URL(`../../testdata/wal/${name}`, import.meta.url);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(url, text);
  expect(text).toBe(readFileSync(url, 'utf8'));
}

function batch(commitTs: number, n: number, valueBytes = 20): Uint8Array {
  const entries: BatchEntry[] = [];
  for (let i = 0; i < n; i++) {
    const key = utf8(`key:${commitTs}:${i}`);
    if (i % 3 === 2) entries.push({ kind: Kind.DELETE, key, value: new Uint8Array(0) });
    else entries.push({ kind: Kind.VALUE, key, value: encodeStoredValue(new Uint8Array(valueBytes).fill(commitTs & 0xff), 0, 0) });
  }
  return encodeWriteBatch(commitTs, entries);
}

function summary(batches: readonly DecodedBatch[]): string[] {
  return batches.map((b) => `${b.commitTs}:${b.entries.map((e) => `${e.kind}/${toHex(e.key)}/${toHex(e.value)}`).join(',')}`);
}

async function writeWal(fs: MemFiles, groups: readonly (readonly Uint8Array[])[]): Promise<WalWriter> {
  const wal = await WalWriter.open(fs, PATH);
  for (const group of groups) await wal.appendBatches(group);
  await wal.sync();
  return wal;
}

function catchCorruption(run: () => unknown): CorruptionError {
  try {
    run();
  } catch (error) {
    if (error instanceof CorruptionError) return error;
    throw error;
  }
  throw new Error('expected a CorruptionError');
}

describe(`wal (seed ${seed})`, () => {
  it('replays every appended batch in order, one append per group', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.tuple(fc.nat(12), fc.nat(3000)), { minLength: 1, maxLength: 5 }), { maxLength: 8 }), async (groups) => {
        const fs = new MemFiles();
        let ts = 0;
        const encoded = groups.map((group) => group.map(([n, valueBytes]) => batch(++ts, n, valueBytes)));
        const wal = await writeWal(fs, encoded);
        const file = fs.get(PATH);
        expect(file.appendCalls).toBe(1 + groups.length);
        expect(file.syncedBytes).toBe(wal.size);
        const replay = await replayWal(fs, PATH);
        expect(replay.tornTail).toBe(false);
        expect(replay.validEndOffset).toBe(wal.size);
        expect(replay.maxCommitTs).toBe(ts);
        expect(summary(replay.batches)).toEqual(summary(encoded.flat().map((b) => decodeWriteBatch(b, 'x', 0))));
      }),
      { seed, numRuns: propertyRuns(40) },
    );
  });

  it('drops a torn last batch at every cut, and appends cleanly after truncating (D5)', async () => {
    const fs = new MemFiles();
    const batches = [batch(1, 3), batch(2, 5), batch(3, 4, 300)];
    const wal = await writeWal(fs, [batches.slice(0, 2), batches.slice(2)]);
    const full = fs.get(PATH).bytes.slice();
    const lastStart = (await replayWal(fs, PATH)).batchOffsets[2] as number;
    for (let cut = lastStart; cut < full.length; cut++) {
      fs.put(PATH, full.subarray(0, cut));
      const replay = await replayWal(fs, PATH, '000007.wal');
      expect(replay.batches.map((b) => b.commitTs)).toEqual([1, 2]);
      expect(replay.validEndOffset).toBe(lastStart);
      expect(replay.tornTail).toBe(cut > lastStart);
    }
    // recovery: truncate the torn tail, then keep appending to the same file
    fs.put(PATH, full.subarray(0, full.length - 7));
    const torn = await replayWal(fs, PATH);
    await fs.truncate(PATH, torn.validEndOffset);
    const resumed = await WalWriter.open(fs, PATH);
    await resumed.appendBatches([batch(4, 2)]);
    expect((await replayWal(fs, PATH)).batches.map((b) => b.commitTs)).toEqual([1, 2, 4]);
    expect(wal.size).toBe(full.length);
  });

  it('appending after a torn tail WITHOUT truncating is reported as corruption (leveldb#1287)', async () => {
    const fs = new MemFiles();
    await writeWal(fs, [[batch(1, 3), batch(2, 3)]]);
    const bytes = fs.get(PATH).bytes;
    const lastStart = decodeWal(bytes, 'x').batchOffsets[1] as number;
    fs.put(PATH, bytes.subarray(0, bytes.length - 3));
    const resumed = await WalWriter.open(fs, PATH);
    await resumed.appendBatches([batch(3, 3)]);
    expect(catchCorruption(() => decodeWal(fs.get(PATH).bytes, '000007.wal')).offset).toBe(lastStart);
  });

  it('a verified record whose commit marker is bad is corruption, never a partial apply (D6)', async () => {
    const fs = new MemFiles();
    const good = batch(1, 2);
    const unsealed = batch(2, 2).slice(0, -17); // entries without their commit marker
    const writer = await RecordWriter.create(await fs.openWritable(PATH), 'WAL');
    await writer.addRecords([good, unsealed]);
    const error = catchCorruption(() => decodeWal(fs.get(PATH).bytes, '000007.wal'));
    expect(error.file).toBe('000007.wal');
    expect(error.offset).toBe(LOG_HEADER_BYTES + 7 + good.length);
    expect(error.reason).toMatch(/write batch/);
  });

  it('a flipped byte in a middle batch is corruption; in the last batch, a torn tail', async () => {
    const fs = new MemFiles();
    await writeWal(fs, [[batch(1, 3), batch(2, 3), batch(3, 3)]]);
    const bytes = fs.get(PATH).bytes;
    const offsets = decodeWal(bytes, 'x').batchOffsets;
    for (let at = offsets[1] as number; at < bytes.length; at++) {
      const damaged = bytes.slice();
      damaged[at] = (damaged[at] as number) ^ 0x04;
      if (at < (offsets[2] as number)) {
        expect(catchCorruption(() => decodeWal(damaged, 'w')).offset).toBe(offsets[1]);
      } else {
        const replay = decodeWal(damaged, 'w');
        expect([replay.batches.length, replay.tornTail, replay.validEndOffset]).toEqual([2, true, offsets[2]]);
      }
    }
  });

  it('an empty or header-only WAL replays to nothing', async () => {
    const fs = new MemFiles();
    fs.put(PATH, new Uint8Array(0));
    expect(await replayWal(fs, PATH)).toMatchObject({ batches: [], validEndOffset: 0, tornTail: false, maxCommitTs: 0 });
    const fresh = new MemFiles();
    const wal = await WalWriter.open(fresh, PATH);
    expect(wal.size).toBe(LOG_HEADER_BYTES);
    expect(await replayWal(fresh, PATH)).toMatchObject({ batches: [], validEndOffset: LOG_HEADER_BYTES, tornTail: false });
    await wal.close();
    await expect(replayWal(fresh, '/db/missing.wal')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('matches the golden bytes', async () => {
    const fs = new MemFiles();
    await writeWal(fs, [[batch(1, 2, 4)], [batch(2, 3, 4)]]);
    expectGolden('wal-v1.hex', toHex(fs.get(PATH).bytes) + '\n');
  });
});
