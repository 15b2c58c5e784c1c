/**
 * `db.backup(writable, { since })` and `db.load(readable)` (docs/backup.md; byte layout in
 * backup-format.ts).
 *
 * What a backup carries. One consistent snapshot at `until` (= the read timestamp of a read-only
 * transaction the backup holds open until it ends), and for every key its NEWEST version at or
 * below `until`, taken only when that version's commit timestamp is > `since`:
 * - a value version that has not expired at backup time → a VALUE record (value, userMeta,
 *   expiresAt, version);
 * - a tombstone, or a value that has expired → in a full backup (since = 0) nothing; in an
 *   incremental backup (since > 0) a DELETE record, so loading it removes the key.
 * Older versions of a key are never carried (the snapshot's view, not the history).
 *
 * Deletions in incremental backups: a DELETE record is written for every key whose newest version
 * in (since, until] is a tombstone or an expired value. Those dead entries must still be stored
 * when the next incremental backup runs, so each backup records its `until` in the MANIFEST
 * (KEEP_DEAD_AFTER) and compaction keeps dead entries newer than it even in the bottom level
 * (unless `retainDeletes: false`). Compaction also records the highest seq of a dead entry it
 * did drop (DEAD_PURGED_TO); an incremental backup whose `since` is below it could miss a
 * deletion and is refused (INVALID_ARGUMENT: take a full backup), never silently incomplete.
 * (docs/backup.md, "Deletions".)
 *
 * Load verifies the WHOLE stream (every checksum, the record order, counts, the trailer and the
 * target's key/value limits) before it applies anything; a truncated or corrupted stream throws
 * CorruptionError("backup", offset) and writes nothing. Verified bytes are held in a Spool
 * (memory, then a temp file in the database directory). Records are then applied in key order
 * through the engine's commit path in batches (no conflict tracking, like WriteBatch); each
 * record is written with its own userMeta and absolute expiresAt, and gets a NEW commit timestamp
 * in the target (source versions are not preserved). A failure while applying (I/O error, closed
 * database) leaves a prefix of the records applied, in key order; load the same stream again to
 * finish (records are idempotent).
 */

import { CorruptionError, InvalidArgumentError, IoError, KeyTooLargeError, LsmError, TxnTooBigError, ValueTooLargeError } from '../errors.js';
import { Kind } from '../keys/internal-key.js';
import { decodeValueHeader, decodeValuePointer } from '../keys/value-format.js';
import type { Db } from '../db.js';
import type { Engine } from '../db/engine.js';
import { NewestVersionScan } from '../db/internal-scan.js';
import type { PendingWrite } from '../txn/txn.js';
import { BackupEncoder, BackupStreamDecoder, type BackupRecord, type BackupTrailer } from './backup-format.js';
import { DEFAULT_SPOOL_MEMORY_BYTES, Spool } from './spool.js';

/** A Node writable stream (fs.WriteStream, process.stdout, PassThrough, ...). */
export interface NodeWritableLike {
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/** A WHATWG WritableStream. */
export interface WebWritableLike {
  getWriter(): { readonly ready: Promise<unknown>; write(chunk: Uint8Array): Promise<void>; releaseLock(): void };
}

/** A WHATWG ReadableStream. */
export interface WebReadableLike {
  getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>; releaseLock(): void };
}

export type BackupTarget = NodeWritableLike | WebWritableLike;
/** Node readables (fs.ReadStream, process.stdin) are async iterables of Buffers. */
export type BackupSource = AsyncIterable<Uint8Array | string> | WebReadableLike;

export interface BackupOptions {
  /** carry only versions committed after this timestamp (a previous backup's `until`); default 0 = full */
  since?: number;
  /** target payload bytes per chunk (default 64 KiB); tests use small chunks */
  chunkBytes?: number;
  /**
   * Keep tombstones and expired values newer than this backup's `until` on disk until the next
   * backup, so an incremental backup from it carries every deletion (default true). With false
   * the backup records nothing, and a later incremental backup from it may be refused.
   */
  retainDeletes?: boolean;
}

export interface BackupResult {
  since: number;
  /** the snapshot's timestamp: pass it as `since` to the next incremental backup */
  until: number;
  records: number;
  /** DELETE records among them (incremental backups only) */
  deletes: number;
  /** bytes written to the stream */
  bytes: number;
}

export interface LoadOptions {
  /** verified bytes kept in memory before the spool moves to a temp file (default 8 MiB) */
  spoolMemoryBytes?: number;
}

export interface LoadResult {
  /** records applied (values + deletes) */
  records: number;
  values: number;
  deletes: number;
  since: number;
  until: number;
  bytes: number;
}

const YIELD_EVERY_MS = 4;
const LOAD_COMMIT_ENTRIES_MAX = 10_000;
const LOAD_COMMIT_BYTES_MAX = 4 * 1024 * 1024;
const LOAD_COMMITS_IN_FLIGHT = 4;
const ENTRY_OVERHEAD_BYTES = 24;

// ---- backup -------------------------------------------------------------------------------------

export async function backup(db: Db, target: BackupTarget, options: BackupOptions = {}): Promise<BackupResult> {
  const since = options.since ?? 0;
  if (!Number.isSafeInteger(since) || since < 0) throw new InvalidArgumentError('since must be a non-negative integer timestamp');
  const engine = db.engine;
  engine.checkOpen(false);
  const sink = toSink(target);
  // The snapshot: registered with the oracle, so compaction keeps every version visible at until.
  const txn = db.newTransaction({ update: false, timeoutMs: Number.MAX_SAFE_INTEGER });
  try {
    const until = txn.readTs;
    if (since > until) {
      throw new InvalidArgumentError(`since ${since} is after this database's current timestamp ${until}; is it a backup of another database?`);
    }
    checkDeletionsKept(engine, since);
    const encoder = new BackupEncoder({ since, until, ...(options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes }) });
    await sink.write(encoder.header());
    let deletes = 0;
    const scan = new NewestVersionScan(engine, until, since);
    try {
      let sliceStart = performance.now();
      let steps = 0;
      for (;;) {
        engine.checkOpen(false);
        const version = scan.next();
        if (version === undefined) break;
        const record = toRecord(engine, version.key, version.seq, version.kind, version.stored, since > 0);
        if (record !== undefined) {
          if (record.deleted) deletes++;
          const chunk = encoder.add(record);
          if (chunk !== undefined) {
            await sink.write(chunk);
            sliceStart = performance.now();
          }
        }
        // Never hold the event loop for long, even while skipping many unchanged keys.
        if (scan.stepped - steps >= 256) {
          steps = scan.stepped;
          if (performance.now() - sliceStart > YIELD_EVERY_MS) {
            await new Promise((resolve) => setImmediate(resolve));
            sliceStart = performance.now();
          }
        }
      }
    } finally {
      scan.close();
    }
    // A compaction that ran during the scan may have dropped a deletion the scan had not reached.
    checkDeletionsKept(engine, since);
    await sink.write(encoder.finish());
    await sink.done();
    // While the snapshot is held no dead entry above `until` can be dropped; from here the
    // MANIFEST keeps them for the next incremental backup.
    if (options.retainDeletes !== false && !engine.readOnly && until > (engine.versions.keepDeadAfterTs ?? -1)) {
      await engine.versions.logAndApply({ keepDeadAfterTs: until });
      engine.background.kick();
    }
    return { since, until, records: encoder.recordCount, deletes, bytes: encoder.bytes };
  } finally {
    txn.discard();
    sink.release();
  }
}

/** An incremental backup is exact only if compaction dropped no deletion newer than `since`. */
function checkDeletionsKept(engine: Engine, since: number): void {
  const purged = engine.versions.deadPurgedToTs;
  if (since > 0 && purged > since) {
    throw new InvalidArgumentError(
      `an incremental backup since ${since} could miss deletions: compaction already dropped deletions up to timestamp ${purged}` +
        ' (no backup since then kept them); take a full backup (since 0)',
    );
  }
}

function toRecord(engine: Engine, key: Uint8Array, seq: number, kind: Kind, stored: Uint8Array, incremental: boolean): BackupRecord | undefined {
  const tombstone: BackupRecord = { key, value: new Uint8Array(0), version: seq, userMeta: 0, expiresAt: 0, deleted: true };
  if (kind === Kind.DELETE) return incremental ? tombstone : undefined;
  const header = decodeValueHeader(stored);
  if (header === undefined) throw new CorruptionError('backup source', 0, `malformed stored value header for a key at version ${seq}`);
  if (header.expiresAt !== 0 && header.expiresAt <= engine.options.nowMs()) return incremental ? tombstone : undefined;
  let value: Uint8Array;
  if (kind === Kind.VALUE) value = stored.subarray(header.payloadOffset);
  else {
    const pointer = decodeValuePointer(stored, header.payloadOffset);
    if (pointer === undefined) throw new CorruptionError('backup source', 0, `malformed value pointer for a key at version ${seq}`);
    value = engine.valueLog.read(pointer);
  }
  return { key, value, version: seq, userMeta: header.userMeta, expiresAt: header.expiresAt, deleted: false };
}

interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
  /** resolves once every write has been accepted by the target */
  done(): Promise<void>;
  release(): void;
}

function toSink(target: BackupTarget): ByteSink {
  if (typeof target !== 'object' || target === null) throw new InvalidArgumentError('backup target must be a writable stream');
  if ('getWriter' in target && typeof target.getWriter === 'function') return webSink(target);
  if ('write' in target && typeof target.write === 'function' && 'on' in target) return nodeSink(target);
  throw new InvalidArgumentError('backup target must be a Node writable or a WritableStream');
}

function nodeSink(stream: NodeWritableLike): ByteSink {
  let failure: Error | undefined;
  const onError = (error: Error): void => {
    failure ??= error;
  };
  stream.on('error', onError);
  const pending: Promise<void>[] = [];
  const fail = (error: unknown): never => {
    throw new IoError(`cannot write the backup stream: ${error instanceof Error ? error.message : String(error)}`, error);
  };
  return {
    async write(bytes) {
      if (failure !== undefined) fail(failure);
      let accepted: () => void = () => undefined;
      let rejected: (error: unknown) => void = () => undefined;
      const written = new Promise<void>((resolve, reject) => {
        accepted = resolve;
        rejected = reject;
      });
      written.catch(() => undefined); // observed in done() or below
      pending.push(written);
      let more = false;
      try {
        more = stream.write(bytes, (error) => (error === undefined || error === null ? accepted() : rejected(error)));
      } catch (error) {
        fail(error);
      }
      if (!more) {
        try {
          await written;
        } catch (error) {
          fail(error);
        }
      }
      if (pending.length > 64) await settle(pending.splice(0, pending.length - 16), fail);
    },
    async done() {
      await settle(pending.splice(0), fail);
      if (failure !== undefined) fail(failure);
    },
    release() {
      stream.removeListener('error', onError);
    },
  };
}

async function settle(promises: Promise<void>[], fail: (error: unknown) => never): Promise<void> {
  try {
    await Promise.all(promises);
  } catch (error) {
    fail(error);
  }
}

function webSink(stream: WebWritableLike): ByteSink {
  let writer: ReturnType<WebWritableLike['getWriter']>;
  try {
    writer = stream.getWriter();
  } catch (error) {
    throw new InvalidArgumentError(`cannot write to the backup stream: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    async write(bytes) {
      try {
        await writer.ready;
        await writer.write(bytes);
      } catch (error) {
        throw new IoError(`cannot write the backup stream: ${error instanceof Error ? error.message : String(error)}`, error);
      }
    },
    async done() {
      try {
        await writer.ready;
      } catch (error) {
        throw new IoError(`cannot write the backup stream: ${error instanceof Error ? error.message : String(error)}`, error);
      }
    },
    release() {
      writer.releaseLock();
    },
  };
}

// ---- load ---------------------------------------------------------------------------------------

export async function load(db: Db, source: BackupSource, options: LoadOptions = {}): Promise<LoadResult> {
  const engine = db.engine;
  engine.checkOpen(true);
  const memoryBytes = options.spoolMemoryBytes ?? DEFAULT_SPOOL_MEMORY_BYTES;
  if (!Number.isSafeInteger(memoryBytes) || memoryBytes < 0) throw new InvalidArgumentError('spoolMemoryBytes must be a non-negative integer');
  const spool = new Spool(engine.fs, engine.dir, () => engine.versions.newFileNumber(), memoryBytes);
  try {
    // Pass 1: verify everything, applying nothing.
    const limits = engine.options;
    const check = (record: BackupRecord): void => {
      if (record.key.length > limits.maxKeyBytes) throw new KeyTooLargeError(record.key.length, limits.maxKeyBytes);
      if (record.value.length > limits.maxValueBytes) throw new ValueTooLargeError(record.value.length, limits.maxValueBytes);
      const bytes = record.key.length + record.value.length + ENTRY_OVERHEAD_BYTES;
      if (bytes > limits.maxTxnBytes) throw new TxnTooBigError(`a backup record of ${bytes} bytes exceeds this database's maxTxnBytes`);
    };
    const verifier = new BackupStreamDecoder();
    const pace = new Pacer();
    for await (const piece of readPieces(source)) {
      verifier.push(piece);
      for (let unit = verifier.next(); unit !== undefined; unit = verifier.next()) {
        if (unit.type === 'chunk') for (const record of unit.records) check(record);
        await pace.maybeYield();
      }
      await spool.append(piece);
    }
    const trailer = verifier.finish();
    // Pass 2: apply the verified bytes.
    engine.checkOpen(true);
    return await apply(engine, spool, trailer);
  } finally {
    await spool.dispose();
  }
}

async function apply(engine: Engine, spool: Spool, expected: BackupTrailer): Promise<LoadResult> {
  const decoder = new BackupStreamDecoder();
  const limits = engine.options;
  const maxEntries = Math.min(limits.maxTxnEntries, LOAD_COMMIT_ENTRIES_MAX);
  const maxBytes = Math.min(limits.maxTxnBytes, LOAD_COMMIT_BYTES_MAX);
  const inFlight: Promise<void>[] = [];
  let failure: unknown;
  let writes: PendingWrite[] = [];
  let bytes = 0;
  let values = 0;
  let deletes = 0;
  const cut = async (): Promise<void> => {
    if (writes.length === 0) return;
    const batch = writes;
    writes = [];
    bytes = 0;
    if (failure !== undefined) throw failure;
    engine.checkOpen(true);
    const commitTs = engine.oracle.tryCommit(undefined, undefined, batch.map((w) => w.key));
    if (commitTs === undefined) throw new Error('unreachable: write-only commits never conflict');
    inFlight.push(
      engine.commit(batch, commitTs).catch((error: unknown) => {
        failure ??= error;
      }),
    );
    while (inFlight.length >= LOAD_COMMITS_IN_FLIGHT) await inFlight.shift();
  };
  let trailer: BackupTrailer | undefined;
  const pace = new Pacer();
  try {
    for await (const piece of spool.read()) {
      decoder.push(piece);
      for (let unit = decoder.next(); unit !== undefined; unit = decoder.next()) {
        await pace.maybeYield();
        if (unit.type === 'trailer') {
          trailer = unit.trailer;
          continue;
        }
        for (const record of unit.records) {
          const size = record.key.length + record.value.length + ENTRY_OVERHEAD_BYTES;
          if (writes.length + 1 > maxEntries || bytes + size > maxBytes) await cut();
          writes.push(
            record.deleted
              ? { key: record.key, kind: Kind.DELETE, value: new Uint8Array(0), expiresAt: 0, userMeta: 0 }
              : { key: record.key, kind: Kind.VALUE, value: record.value, expiresAt: record.expiresAt, userMeta: record.userMeta },
          );
          bytes += size;
          if (record.deleted) deletes++;
          else values++;
        }
      }
    }
    decoder.finish();
    await cut();
  } finally {
    await Promise.all(inFlight);
  }
  if (failure !== undefined) throw failure;
  if (trailer === undefined || trailer.records !== expected.records || values + deletes !== expected.records) {
    throw new IoError('the load spool changed between verification and apply', undefined);
  }
  return { records: values + deletes, values, deletes, since: trailer.since, until: trailer.until, bytes: spool.bytes };
}

/** Yields to the event loop once more than YIELD_EVERY_MS of synchronous work has passed. */
class Pacer {
  private sliceStart = performance.now();

  async maybeYield(): Promise<void> {
    if (performance.now() - this.sliceStart <= YIELD_EVERY_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
  }
}

async function* readPieces(source: BackupSource): AsyncGenerator<Uint8Array, void, undefined> {
  if (typeof source !== 'object' || source === null) throw new InvalidArgumentError('backup source must be a readable stream');
  const wrap = (error: unknown): unknown =>
    error instanceof LsmError ? error : new IoError(`cannot read the backup stream: ${error instanceof Error ? error.message : String(error)}`, error);
  if ('getReader' in source && typeof source.getReader === 'function') {
    const reader = source.getReader();
    try {
      for (;;) {
        let step: { done: boolean; value?: Uint8Array | undefined };
        try {
          step = await reader.read();
        } catch (error) {
          throw wrap(error);
        }
        if (step.done) return;
        if (step.value !== undefined) yield bytesOf(step.value);
      }
    } finally {
      reader.releaseLock();
    }
  }
  if (!(Symbol.asyncIterator in source)) throw new InvalidArgumentError('backup source must be a Node readable, an async iterable or a ReadableStream');
  const iterator = (source as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  try {
    for (;;) {
      let step: IteratorResult<Uint8Array | string>;
      try {
        step = await iterator.next();
      } catch (error) {
        throw wrap(error);
      }
      if (step.done === true) return;
      yield bytesOf(step.value);
    }
  } finally {
    await iterator.return?.();
  }
}

function bytesOf(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') throw new InvalidArgumentError('backup source yields strings: read it as bytes (no setEncoding)');
  throw new InvalidArgumentError('backup source must yield Uint8Array chunks');
}
