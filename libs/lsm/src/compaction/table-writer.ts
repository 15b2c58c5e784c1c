/**
 * Writes the output of a flush or a compaction: consumes a merged InternalIterator over the
 * inputs, decides which versions survive, and streams the survivors into SSTs of about
 * `targetFileBytes`, never splitting the versions of one user key across two files (so files of a
 * sorted level never share a user key).
 *
 * Which versions survive (LevelDB's rule, extended with numVersionsToKeep and TTL):
 * - Walking one user key's versions newest first, a version is hidden for every reader once a
 *   newer version with seq <= oldestSnapshotTs has been seen. Hidden versions beyond the first
 *   `numVersionsToKeep` are dropped.
 * - A tombstone (or an expired value) with seq <= oldestSnapshotTs hides everything older. When
 *   the output is bottommost (no deeper level holds the key) the tombstone itself is dropped,
 *   unless its seq is above `keepDeadAfterTs` (the newest backup's `until`: the next incremental
 *   backup must still see the deletion). The highest seq dropped so is `deadPurgedToTs`.
 * - Dropped value pointers are counted per vlog file: that is the value-log GC's discard input.
 *
 * The loop yields to the event loop every `sliceMs` of work so that reads and commits keep
 * flowing while a compaction runs (issue: event-loop delay p99 < 20 ms).
 */

import { assert } from '../assert.js';
import { equalBytes } from '../codec/bytes.js';
import type { Fs } from '../fs/fs.js';
import { joinPath } from '../fs/fs.js';
import { tableFileName } from '../fs/filenames.js';
import type { InternalIterator } from '../iterator/internal-iterator.js';
import { Kind } from '../keys/internal-key.js';
import { decodeValueHeader, decodeValuePointer } from '../keys/value-format.js';
import { CorruptionError } from '../errors.js';
import { TableBuilder, type TableBuilderOptions } from '../sstable/table-builder.js';
import type { FileMeta } from '../manifest/version.js';

export interface TableWriterContext {
  fs: Fs;
  dir: string;
  newFileNumber: () => number;
  /** called with each output file number before it is created, so cleanup never deletes it */
  onFileCreated: (fileNumber: number) => void;
  targetFileBytes: number;
  builderOptions: TableBuilderOptions;
  oldestSnapshotTs: number;
  numVersionsToKeep: number;
  bottommost: boolean;
  /** dead entries with a higher seq survive even when bottommost (MAX_SAFE_INTEGER: none) */
  keepDeadAfterTs: number;
  nowMs: number;
  sliceMs: number;
}

export interface TableWriterResult {
  files: FileMeta[];
  /** garbage bytes per vlog file from dropped value pointers */
  discard: Map<number, number>;
  entriesIn: number;
  entriesOut: number;
  bytesWritten: number;
  /** the highest seq of a tombstone or expired value dropped from the bottom; 0 when none */
  deadPurgedToTs: number;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Drops or keeps one version; see the module comment. */
class SurvivalRule {
  private currentKey: Uint8Array | undefined;
  private newerVisibleToAll = false;
  private versionsKept = 0;
  private deletedForAll = false;
  /** the highest seq of a dead entry dropped because the output is bottommost */
  deadPurgedToTs = 0;

  constructor(private readonly ctx: TableWriterContext) {}

  /** Returns whether the version survives; `key` must stay unchanged until the next call. */
  keep(key: Uint8Array, seq: number, kind: Kind, stored: Uint8Array): boolean {
    if (this.currentKey === undefined || !equalBytes(this.currentKey, key)) {
      this.currentKey = key.slice();
      this.newerVisibleToAll = false;
      this.versionsKept = 0;
      this.deletedForAll = false;
    }
    const visibleToAll = seq <= this.ctx.oldestSnapshotTs;
    let keep = true;
    if (this.deletedForAll) keep = false;
    else if (this.newerVisibleToAll && this.versionsKept >= this.ctx.numVersionsToKeep) keep = false;
    else if (visibleToAll && this.isDead(kind, stored)) {
      this.deletedForAll = true;
      keep = !this.ctx.bottommost || seq > this.ctx.keepDeadAfterTs;
      if (!keep && seq > this.deadPurgedToTs) this.deadPurgedToTs = seq;
    }
    if (visibleToAll) this.newerVisibleToAll = true;
    if (keep) this.versionsKept++;
    return keep;
  }

  private isDead(kind: Kind, stored: Uint8Array): boolean {
    if (kind === Kind.DELETE) return true;
    const header = decodeValueHeader(stored);
    return header !== undefined && header.expiresAt !== 0 && header.expiresAt <= this.ctx.nowMs;
  }
}

export async function writeTables(ctx: TableWriterContext, input: InternalIterator): Promise<TableWriterResult> {
  const result: TableWriterResult = { files: [], discard: new Map(), entriesIn: 0, entriesOut: 0, bytesWritten: 0, deadPurgedToTs: 0 };
  const rule = new SurvivalRule(ctx);
  let output: OutputTable | undefined;
  let lastKey: Uint8Array | undefined;
  let sliceStart = performance.now();
  try {
    for (input.seekToFirst(); input.valid(); input.next()) {
      const key = input.key();
      const seq = input.seq();
      const kind = input.kind();
      const stored = input.value();
      result.entriesIn++;
      if (!rule.keep(key, seq, kind, stored)) {
        if (kind === Kind.VALUE_POINTER) countDiscard(result.discard, stored);
        continue;
      }
      const newUserKey = lastKey === undefined || !equalBytes(lastKey, key);
      if (output !== undefined && newUserKey && output.builder.estimatedBytes >= ctx.targetFileBytes) {
        result.files.push(await output.finish());
        output = undefined;
      }
      output ??= await OutputTable.open(ctx);
      if (output.add(key, seq, kind, stored, newUserKey)) await output.builder.flush();
      if (newUserKey) lastKey = key.slice();
      result.entriesOut++;
      if ((result.entriesIn & 1023) === 0 && performance.now() - sliceStart > ctx.sliceMs) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
    if (output !== undefined) result.files.push(await output.finish());
  } catch (error) {
    output?.builder.abandon();
    throw error;
  }
  for (const file of result.files) result.bytesWritten += file.fileBytes;
  result.deadPurgedToTs = rule.deadPurgedToTs;
  return result;
}

function countDiscard(discard: Map<number, number>, stored: Uint8Array): void {
  const header = decodeValueHeader(stored);
  const pointer = header === undefined ? undefined : decodeValuePointer(stored, header.payloadOffset);
  if (pointer === undefined) throw new CorruptionError('compaction input', 0, 'malformed value pointer');
  discard.set(pointer.fileNumber, (discard.get(pointer.fileNumber) ?? 0) + pointer.length);
}

/** One output SST being written, with the facts its FileMeta needs. */
class OutputTable {
  private smallestKey: Uint8Array | undefined;
  private smallestSeq = 0;
  private largestKey: Uint8Array = new Uint8Array(0);
  private largestSeq = 0;
  private shadowed = 0;

  private constructor(readonly number: number, readonly builder: TableBuilder, private readonly close: () => Promise<void>) {}

  static async open(ctx: TableWriterContext): Promise<OutputTable> {
    const number = ctx.newFileNumber();
    ctx.onFileCreated(number);
    const file = await ctx.fs.openWritable(joinPath(ctx.dir, tableFileName(number)), { truncate: true });
    return new OutputTable(number, new TableBuilder(file, ctx.builderOptions), () => file.close());
  }

  add(key: Uint8Array, seq: number, kind: Kind, stored: Uint8Array, newUserKey: boolean): boolean {
    if (this.smallestKey === undefined) {
      this.smallestKey = key.slice();
      this.smallestSeq = seq;
    }
    if (newUserKey) this.largestKey = key.slice();
    else this.shadowed++;
    this.largestSeq = seq;
    return this.builder.add(key, seq, kind, stored);
  }

  async finish(): Promise<FileMeta> {
    const table = await this.builder.finish();
    await this.close();
    assert(this.smallestKey !== undefined, 'an output table has at least one entry');
    return {
      number: this.number,
      fileBytes: table.fileBytes,
      smallestKey: this.smallestKey,
      smallestSeq: this.smallestSeq,
      largestKey: this.largestKey,
      largestSeq: this.largestSeq,
      minSeq: table.minSeq,
      maxSeq: table.maxSeq,
      entries: table.entryCount,
      deletions: table.deletionCount + this.shadowed,
    };
  }
}
