/**
 * WalWriter: one `NNNNNN.wal` file, the write-ahead log of one memtable. Each committed
 * transaction or batch is ONE log record (batch/write-batch-format.ts) in the framing of
 * record/record-format.ts, so a torn batch is a torn record and is never replayed (D6).
 *
 * - `appendBatches` writes every batch of a commit group in one `append` (group commit); the
 *   engine calls `sync()` once for the group when any of its commits asked for durability (D1).
 * - Value-log bytes a batch points at must be synced BEFORE the batch is appended (D2): the
 *   engine calls VlogWriter.sync() first.
 * - After a failed append or sync the writer refuses further use (D7); the Db turns read-only.
 * - Opening an existing file continues after its content: recovery must first truncate a torn
 *   tail (replayWal().validEndOffset), or later replays would report corruption.
 */

import { decodeWriteBatch } from '../batch/write-batch-format.js';
import { assert, invariantsEnabled } from '../assert.js';
import type { Fs } from '../fs/fs.js';
import { baseName } from '../fs/fs.js';
import { RecordWriter } from '../record/record-writer.js';

export class WalWriter {
  readonly path: string;
  private readonly records: RecordWriter;

  private constructor(path: string, records: RecordWriter) {
    this.path = path;
    this.records = records;
  }

  /**
   * Opens `path` for appending (created when absent, with the WAL file header). A new WAL is a
   * new file number, so a fresh file is the normal case.
   */
  static async open(fs: Pick<Fs, 'openWritable'>, path: string): Promise<WalWriter> {
    const file = await fs.openWritable(path);
    return new WalWriter(path, await RecordWriter.create(file, 'WAL'));
  }

  /** Bytes in the file, header included (compare with memTableBytes for rotation). */
  get size(): number {
    return this.records.size;
  }

  /** Appends encoded batches (encodeWriteBatch / WriteBatchBuilder.encode) in one write. */
  async appendBatches(encodedBatches: readonly Uint8Array[]): Promise<void> {
    if (invariantsEnabled) {
      for (const batch of encodedBatches) decodeWriteBatch(batch, baseName(this.path), this.records.size);
    }
    assert(encodedBatches.length > 0, 'appendBatches with no batches');
    await this.records.addRecords(encodedBatches);
  }

  /** fdatasync: every appended batch is durable when this resolves. */
  async sync(): Promise<void> {
    await this.records.sync();
  }

  async close(): Promise<void> {
    await this.records.close();
  }
}
