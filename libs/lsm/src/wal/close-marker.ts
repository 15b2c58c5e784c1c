/**
 * The clean-close marker: the last WAL record a writable Db appends when it closes with its
 * memtable left in the WAL (engine.ts close). It is an empty write batch with commit ts 0 — a
 * real commit always has a commit ts of at least 1 — so every reader of the WAL format (replay,
 * verify, an engine without this marker) decodes it as a batch that changes nothing.
 *
 * A WAL whose last record is this marker was closed by a process that had no I/O failure and
 * whose final fsync succeeded; only such a WAL (and its MANIFEST) is appended to by the next open
 * (open-engine.ts). After a crash, or a failed fsync (whose data may be gone from the disk while
 * still readable from the page cache: RELIABILITY D7, fsyncgate), the open starts new files
 * instead, and never fsyncs a file an earlier process wrote.
 */

import { encodeWriteBatch } from '../batch/write-batch-format.js';
import type { DecodedBatch } from '../batch/write-batch-format.js';

/**
 * close() leaves the memtable in its WAL when the WAL and the vlog values it points at are at
 * most this big (every open, read-only ones too, replays and checks them: ~0.05 ms per KiB in a
 * cold process); above it, close flushes. 64 KiB balances that against a flush (~30 ms, 4 fsyncs)
 * every ~25 `progress log` commands.
 */
export const CLOSE_KEEP_WAL_BYTES = 64 * 1024;

export function encodeCloseMarker(): Uint8Array {
  return encodeWriteBatch(0, []);
}

export function isCloseMarker(batch: Pick<DecodedBatch, 'commitTs' | 'entries'>): boolean {
  return batch.commitTs === 0 && batch.entries.length === 0;
}
