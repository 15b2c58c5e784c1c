/**
 * WAL replay for recovery (RELIABILITY.md D5, D6; docs/logs.md "Replay rules"):
 *
 * - every complete record is one batch; a batch is returned only when its commit marker is
 *   present and valid, and a record whose framing verifies but whose batch does not is a
 *   CorruptionError (a crash cannot produce it), so a batch is applied whole or not at all;
 * - a torn tail ends the log: `validEndOffset` is where the last complete batch ends and
 *   `tornTail` says bytes follow it. Truncate there before appending to this file again;
 * - damage followed by valid records is a CorruptionError naming the file and offset.
 *
 * Batches come back in log order; their keys and values are views into the file's bytes.
 */

import { decodeWriteBatch } from '../batch/write-batch-format.js';
import type { DecodedBatch } from '../batch/write-batch-format.js';
import type { Fs } from '../fs/fs.js';
import { baseName } from '../fs/fs.js';
import { readRecords } from '../record/record-reader.js';

export interface WalReplay {
  batches: DecodedBatch[];
  /** file offset of each batch's record, parallel to `batches` */
  batchOffsets: number[];
  validEndOffset: number;
  tornTail: boolean;
  /** highest commit ts in the log; 0 when it holds no batch */
  maxCommitTs: number;
}

/** Decodes the batches of a whole WAL file's bytes (pure). */
export function decodeWal(bytes: Uint8Array, fileName: string): WalReplay {
  const { records, recordOffsets, validEndOffset, tornTail } = readRecords(bytes, fileName, 'WAL');
  const batches: DecodedBatch[] = new Array<DecodedBatch>(records.length);
  let maxCommitTs = 0;
  for (let i = 0; i < records.length; i++) {
    const batch = decodeWriteBatch(records[i] as Uint8Array, fileName, recordOffsets[i] as number);
    if (batch.commitTs > maxCommitTs) maxCommitTs = batch.commitTs;
    batches[i] = batch;
  }
  return { batches, batchOffsets: recordOffsets, validEndOffset, tornTail, maxCommitTs };
}

/** Reads `path` through `fs.readFile` and decodes it; I/O errors propagate unwrapped. */
export async function replayWal(
  fs: Pick<Fs, 'readFile'>,
  path: string,
  fileName: string = baseName(path),
): Promise<WalReplay> {
  return decodeWal(await fs.readFile(path), fileName);
}
