/**
 * Small pieces of the engine kept out of engine.ts: cooperative time slicing, the memtable pool
 * size, batch-entry conversion and the GC-rewrite rule.
 */

import { MAX_SEQ, Kind } from '../keys/internal-key.js';
import { encodeStoredValue } from '../keys/value-format.js';
import { LevelIterator } from '../iterator/level-iterator.js';
import type { InternalIterator } from '../iterator/internal-iterator.js';
import type { FileMeta } from '../manifest/version.js';
import type { ResolvedOptions } from '../options.js';
import type { PendingWrite } from '../txn/txn.js';
import type { BatchEntry } from '../batch/write-batch-format.js';
import { findVersion, type ReadSources } from './read-path.js';

/** Cooperative time slicing: yields to the event loop once a slice of synchronous work is used up. */
export class TimeSlice {
  private start = performance.now();

  constructor(private readonly sliceMs: number) {}

  /** Starts a new slice (after an await that already let the event loop run). */
  restart(): void {
    this.start = performance.now();
  }

  async maybeYield(): Promise<void> {
    if (performance.now() - this.start < this.sliceMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.start = performance.now();
  }
}

/**
 * The skiplist pool reserved for a new memtable: its size limit plus a quarter for the last
 * group's overshoot, so the pool does not grow while the memtable fills (a grow copies the whole
 * pool synchronously: a stall of tens to hundreds of ms at 32 MiB). Pages of the reservation
 * that are never written cost no resident memory.
 */
export function memtablePoolBytes(options: ResolvedOptions): number {
  return Math.min(options.memTableBytes + Math.ceil(options.memTableBytes / 4) + 64 * 1024, 0x7fff_0000);
}

export function toBatchEntry(write: PendingWrite): BatchEntry {
  const seq = write.seq === undefined ? {} : { seq: write.seq };
  if (write.kind === Kind.DELETE) return { kind: Kind.DELETE, key: write.key, value: new Uint8Array(0), ...seq };
  return { kind: Kind.VALUE, key: write.key, value: encodeStoredValue(write.value, write.expiresAt, write.userMeta), ...seq };
}

/**
 * Whether a batch entry applies: always, unless it is a value-log GC rewrite (an explicit seq
 * below its commit's), which applies only while that seq is still the key's newest version, so a
 * rewrite never lands in a newer source than a newer version of its key.
 */
export function rewriteApplies(sources: ReadSources, key: Uint8Array, seq: number, commitTs: number): boolean {
  if (seq === commitTs) return true;
  return findVersion(sources, key, MAX_SEQ)?.seq === seq;
}

export function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function newLevelIterator(files: readonly FileMeta[], open: (index: number) => InternalIterator): InternalIterator {
  return new LevelIterator(files.map((f) => ({ smallest: f.smallestKey, largest: f.largestKey })), open);
}
