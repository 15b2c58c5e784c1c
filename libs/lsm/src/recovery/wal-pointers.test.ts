// Goal: WAL replay checks every value pointer it replays (db/value-log.ts checkPointer): a
// malformed pointer, a pointer past the end of its value-log file and a pointer into a file that
// does not exist each fail the open with CORRUPTION naming the WAL, and change no file.
import { describe, expect, it } from 'vitest';
import { utf8 } from '../codec/bytes.js';
import { encodeWriteBatch } from '../batch/write-batch-format.js';
import { openDb } from '../db.js';
import { joinPath } from '../fs/fs.js';
import { parseFileName, walFileName } from '../fs/filenames.js';
import { Kind } from '../keys/internal-key.js';
import { encodeStoredValue, encodeValuePointer } from '../keys/value-format.js';
import { encodeLogHeader } from '../record/record-format.js';
import { encodeRecords } from '../record/record-writer.js';
import { MemFs } from '../testing/mem-fs.js';
import { openFailure } from '../testing/corruption.test-util.js';

const DIR = '/db';

async function storeWithVlog(): Promise<{ fs: MemFs; vlogNumber: number; vlogBytes: number }> {
  const fs = new MemFs();
  const db = await openDb({ fs, dir: DIR, valueThresholdBytes: 64 });
  await db.update((txn) => {
    for (let i = 0; i < 20; i++) txn.set(`k${i}`, 'L'.repeat(100));
  });
  await db.flush();
  await db.close();
  const vlog = (await fs.readdir(DIR)).find((n) => parseFileName(n)?.type === 'vlog') as string;
  return { fs, vlogNumber: parseFileName(vlog)?.number as number, vlogBytes: (await fs.stat(joinPath(DIR, vlog)))?.size as number };
}

async function addWal(fs: MemFs, stored: Uint8Array): Promise<string> {
  const header = encodeLogHeader('WAL');
  const body = encodeRecords(header.length, [encodeWriteBatch(1000, [{ kind: Kind.VALUE_POINTER, key: utf8('k'), value: stored }])]);
  const name = walFileName(900);
  const file = await fs.openWritable(joinPath(DIR, name), { truncate: true });
  await file.append(header);
  await file.append(body);
  await file.sync();
  await file.close();
  return name;
}

const pointer = (fileNumber: number, offset: number, length: number): Uint8Array =>
  encodeStoredValue(encodeValuePointer({ fileNumber, offset, length }), 0, 0);

describe('WAL replay checks value pointers', () => {
  it('a malformed pointer', async () => {
    const { fs } = await storeWithVlog();
    const wal = await addWal(fs, Uint8Array.of(0, 1));
    const error = await openFailure(fs, DIR);
    expect(error.file).toBe(wal);
    expect(error.reason).toMatch(/malformed value pointer in WAL record/);
  });

  it('a pointer past the end of its value-log file, and one into a missing file', async () => {
    for (const target of ['past-end', 'missing'] as const) {
      const { fs, vlogNumber, vlogBytes } = await storeWithVlog();
      const wal = await addWal(fs, target === 'past-end' ? pointer(vlogNumber, vlogBytes - 10, 200) : pointer(vlogNumber + 50, 16, 40));
      const error = await openFailure(fs, DIR);
      expect(error.file, target).toBe(wal);
      expect(error.reason, target).toMatch(/value pointer past the end of \d+\.vlog/);
    }
  });
});
