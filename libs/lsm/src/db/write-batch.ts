/**
 * WriteBatch for bulk loads (Badger's WriteBatch): set/delete without conflict tracking, cut into
 * commits of at most `maxTxnEntries`/`maxTxnBytes`, each written as one WAL record.
 *
 * Atomicity after a crash (README "WriteBatch"): each internal commit is all-or-nothing, and the
 * commits are durable in order (prefix property), so a crash keeps a prefix of the batch's
 * operations, cut at a commit boundary. `flush()` resolves when everything is durable. A batch
 * that fits in one commit (see `commitBoundaries`) is atomic as a whole.
 */

import { InvalidArgumentError, TxnTooBigError, EmptyKeyError, KeyTooLargeError, ValueTooLargeError } from '../errors.js';
import { Kind } from '../keys/internal-key.js';
import type { Engine } from './engine.js';
import { toKeyBytes, toValueBytes, type KeyInput, type ValueInput } from '../txn/inputs.js';
import type { EntryOptions, PendingWrite, TxnLimits } from '../txn/txn.js';

const ENTRY_OVERHEAD_BYTES = 24;

export class WriteBatch {
  private readonly engine: Engine;
  private readonly limits: TxnLimits;
  private current = new Map<string, PendingWrite>();
  private currentBytes = 0;
  private readonly inFlight: Promise<void>[] = [];
  private failure: unknown;
  private finished = false;
  /** number of internal commits so far */
  commits = 0;

  constructor(engine: Engine, limits: TxnLimits) {
    this.engine = engine;
    this.limits = limits;
  }

  set(key: KeyInput, value: ValueInput, options: EntryOptions = {}): void {
    const keyBytes = this.checkKey(key);
    const valueBytes = toValueBytes(value);
    if (valueBytes.length > this.limits.maxValueBytes) throw new ValueTooLargeError(valueBytes.length, this.limits.maxValueBytes);
    const { ttlMs, userMeta = 0 } = options;
    if (ttlMs !== undefined && (!Number.isSafeInteger(ttlMs) || ttlMs <= 0)) throw new InvalidArgumentError('ttlMs must be a positive integer');
    if (!Number.isInteger(userMeta) || userMeta < 0 || userMeta > 255) throw new InvalidArgumentError('userMeta must be 0..255');
    const expiresAt = ttlMs === undefined ? 0 : this.limits.nowMs() + ttlMs;
    this.add({ key: keyBytes, kind: Kind.VALUE, value: valueBytes, expiresAt, userMeta });
  }

  delete(key: KeyInput): void {
    this.add({ key: this.checkKey(key), kind: Kind.DELETE, value: new Uint8Array(0), expiresAt: 0, userMeta: 0 });
  }

  /** Commits what is buffered and waits until every commit of the batch is durable. */
  async flush(): Promise<void> {
    this.checkUsable();
    this.cut();
    this.finished = true;
    await Promise.all(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
  }

  /** Drops what is buffered and not yet committed. */
  cancel(): void {
    this.current.clear();
    this.finished = true;
  }

  private add(write: PendingWrite): void {
    this.checkUsable();
    const bytes = write.key.length + write.value.length + ENTRY_OVERHEAD_BYTES;
    if (bytes > this.limits.maxTxnBytes) throw new TxnTooBigError(`one entry of ${bytes} bytes exceeds maxTxnBytes`);
    if (this.current.size + 1 > this.limits.maxTxnEntries || this.currentBytes + bytes > this.limits.maxTxnBytes) this.cut();
    const id = Buffer.from(write.key.buffer, write.key.byteOffset, write.key.byteLength).toString('latin1');
    // A later write of the same key replaces the earlier one within a commit.
    const previous = this.current.get(id);
    if (previous !== undefined) this.currentBytes -= previous.key.length + previous.value.length + ENTRY_OVERHEAD_BYTES;
    this.current.set(id, write);
    this.currentBytes += bytes;
  }

  private cut(): void {
    if (this.current.size === 0) return;
    const writes = [...this.current.values()];
    this.current = new Map();
    this.currentBytes = 0;
    this.engine.checkOpen(true);
    const commitTs = this.engine.oracle.tryCommit(undefined, undefined, writes.map((w) => w.key));
    if (commitTs === undefined) throw new Error('unreachable: write-only commits never conflict');
    this.commits++;
    const done = this.engine.commit(writes, commitTs).catch((error: unknown) => {
      this.failure ??= error;
    });
    this.inFlight.push(done);
  }

  private checkKey(key: KeyInput): Uint8Array {
    const bytes = toKeyBytes(key);
    if (bytes.length === 0) throw new EmptyKeyError();
    if (bytes.length > this.limits.maxKeyBytes) throw new KeyTooLargeError(bytes.length, this.limits.maxKeyBytes);
    return bytes;
  }

  private checkUsable(): void {
    if (this.finished) throw new InvalidArgumentError('write batch already flushed or cancelled');
    if (this.failure !== undefined) throw this.failure;
  }
}
