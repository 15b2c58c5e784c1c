/**
 * WriteBatch for bulk loads (Badger's WriteBatch): set/delete without conflict tracking, cut into
 * commits of at most `maxTxnEntries`/`maxTxnBytes`, each written as one WAL record.
 *
 * Atomicity after a crash (README "WriteBatch"): each internal commit is all-or-nothing, and the
 * commits are durable in order (prefix property), so a crash keeps a prefix of the batch's
 * operations, cut at a commit boundary. `flush()` resolves when everything is durable. A batch
 * that fits in one commit (see `commitBoundaries`) is atomic as a whole.
 */

import { InvalidArgumentError, TxnTooBigError } from '../errors.js';
import type { Engine } from './engine.js';
import type { KeyInput, ValueInput } from '../txn/inputs.js';
import { deleteWrite, valueWrite } from '../txn/write-checks.js';
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
    this.add(valueWrite(key, value, options, this.limits));
  }

  delete(key: KeyInput): void {
    this.add(deleteWrite(key, this.limits));
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



  private checkUsable(): void {
    if (this.finished) throw new InvalidArgumentError('write batch already flushed or cancelled');
    if (this.failure !== undefined) throw this.failure;
  }
}
