/**
 * WriteBatchBuilder: accumulates the writes of one transaction or batch with exact byte
 * accounting, so the transaction size limits (maxTxnEntries, maxTxnBytes: TXN_TOO_BIG) are
 * checked BEFORE an entry is added, then encodes them as one WAL record at commit time, when the
 * commit timestamp is known. Layout: write-batch-format.ts.
 *
 * Invariants:
 * - `encodedBytes` is always exactly the length `encode()` will return;
 * - keys and values are held by reference, not copied: the caller must not mutate them until
 *   `encode()` (the transaction layer owns copies of the user's bytes already).
 */

import { assert } from '../assert.js';
import { isKind, Kind } from '../keys/internal-key.js';
import {
  BATCH_OVERHEAD_BYTES,
  batchEntryBytes,
  encodeWriteBatchInto,
  type BatchEntry,
} from './write-batch-format.js';

export class WriteBatchBuilder {
  private entries: BatchEntry[] = [];
  private bytes = BATCH_OVERHEAD_BYTES;

  /** Bytes one more entry would add (for limit checks before `add`). */
  static entryBytes(key: Uint8Array, value: Uint8Array, seq?: number): number {
    return batchEntryBytes(key.length, value.length, seq);
  }

  get count(): number {
    return this.entries.length;
  }

  /** Exact length of the encoded batch so far, header and commit marker included. */
  get encodedBytes(): number {
    return this.bytes;
  }

  /** The entries in insertion order (the memtable inserts them after the WAL append). */
  get pending(): readonly BatchEntry[] {
    return this.entries;
  }

  put(key: Uint8Array, storedValue: Uint8Array): void {
    this.add({ kind: Kind.VALUE, key, value: storedValue });
  }

  putPointer(key: Uint8Array, storedValue: Uint8Array): void {
    this.add({ kind: Kind.VALUE_POINTER, key, value: storedValue });
  }

  delete(key: Uint8Array): void {
    this.add({ kind: Kind.DELETE, key, value: new Uint8Array(0) });
  }

  add(entry: BatchEntry): void {
    assert(isKind(entry.kind), `batch entry kind ${entry.kind}`);
    assert(entry.kind !== Kind.DELETE || entry.value.length === 0, 'a delete carries no value');
    assert(entry.seq === undefined || (Number.isSafeInteger(entry.seq) && entry.seq >= 0), `entry seq ${entry.seq}`);
    this.entries.push(entry);
    this.bytes += batchEntryBytes(entry.key.length, entry.value.length, entry.seq);
  }

  /** The WAL record of this batch committed at `commitTs` (every explicit seq <= commitTs). */
  encode(commitTs: number): Uint8Array {
    assert(Number.isSafeInteger(commitTs) && commitTs >= 0, `commit ts ${commitTs}`);
    for (const entry of this.entries) {
      assert(entry.seq === undefined || entry.seq <= commitTs, `entry seq ${entry.seq} above commit ts ${commitTs}`);
    }
    const out = new Uint8Array(this.bytes);
    encodeWriteBatchInto(out, commitTs, this.entries);
    return out;
  }

  reset(): void {
    this.entries = [];
    this.bytes = BATCH_OVERHEAD_BYTES;
  }
}
