/**
 * Point reads (ARCHITECTURE 3.3): memtable, frozen memtables newest first, L0 files newest
 * first, then at most one file per deeper level, found by binary search over the level's key
 * ranges and skipped by the table's bloom filter. The first source holding a version at or below
 * the read timestamp has the newest such version, because newer versions of a key always live in
 * newer sources (flush order, and L0 compactions take every L0 file).
 *
 * Everything here is synchronous: cached blocks cost no thread-pool round trip.
 */

import { copyOut } from '../codec/byte-slab.js';
import { compareBytes } from '../codec/bytes.js';
import { CorruptionError } from '../errors.js';
import { Kind } from '../keys/internal-key.js';
import { decodeValueHeader, decodeValuePointer, type ValuePointer } from '../keys/value-format.js';
import type { Memtable } from '../memtable/memtable.js';
import type { Version } from '../manifest/version.js';
import type { TableCache } from '../sstable/table-cache.js';
import type { Item } from '../txn/txn.js';

export class VersionHit {
  constructor(
    readonly seq: number,
    readonly kind: Kind,
    /** stored value (keys/value-format.ts) */
    readonly value: Uint8Array,
    /** the table it came from; MEMTABLE_SOURCE for a memtable */
    readonly fileNumber: number,
  ) {}

  /** Where it came from, for corruption reports (built on demand: no string per read). */
  get source(): string {
    return this.fileNumber === MEMTABLE_SOURCE ? 'memtable' : `table ${this.fileNumber}`;
  }
}

export const MEMTABLE_SOURCE = -1;

export interface ReadSources {
  mem: Memtable;
  /** frozen memtables, oldest first */
  imm: readonly Memtable[];
  version: Version;
  tables: TableCache;
}

export function findVersion(sources: ReadSources, key: Uint8Array, readTs: number): VersionHit | undefined {
  const fromMem = sources.mem.get(key, readTs);
  if (fromMem !== undefined) return new VersionHit(fromMem.seq, fromMem.kind, fromMem.value, MEMTABLE_SOURCE);
  for (let i = sources.imm.length - 1; i >= 0; i--) {
    const hit = (sources.imm[i] as Memtable).get(key, readTs);
    if (hit !== undefined) return new VersionHit(hit.seq, hit.kind, hit.value, MEMTABLE_SOURCE);
  }
  const { version, tables } = sources;
  for (const file of version.files(0)) {
    if (compareBytes(key, file.smallestKey) < 0 || compareBytes(key, file.largestKey) > 0) continue;
    if (file.minSeq > readTs) continue;
    const hit = tables.get(file.number, key, readTs);
    if (hit !== undefined) return new VersionHit(hit.seq, hit.kind, hit.value, file.number);
  }
  for (let level = 1; level < version.numLevels; level++) {
    const index = version.findFile(level, key);
    if (index < 0) continue;
    const file = version.files(level)[index];
    if (file === undefined || file.minSeq > readTs) continue;
    const hit = tables.get(file.number, key, readTs);
    if (hit !== undefined) return new VersionHit(hit.seq, hit.kind, hit.value, file.number);
  }
  return undefined;
}

export type ValueResolver = (pointer: ValuePointer) => Uint8Array;

/**
 * Turns a version into the caller's Item: undefined for a tombstone or an expired entry; a value
 * pointer is resolved through the value log unless `keysOnly`.
 */
export function toItem(
  key: Uint8Array,
  seq: number,
  kind: Kind,
  stored: Uint8Array,
  nowMs: number,
  resolve: ValueResolver,
  keysOnly: boolean,
  /** where it came from, for corruption reports (a VersionHit formats it only then) */
  from: string | { readonly source: string },
): Item | undefined {
  if (kind === Kind.DELETE) return undefined;
  const header = decodeValueHeader(stored);
  if (header === undefined) throw new CorruptionError(sourceName(from), 0, 'malformed stored value header');
  if (header.expiresAt !== 0 && header.expiresAt <= nowMs) return undefined;
  let value: Uint8Array;
  if (keysOnly) value = new Uint8Array(0);
  else if (kind === Kind.VALUE) value = copyOut(stored, header.payloadOffset);
  else {
    const pointer = decodeValuePointer(stored, header.payloadOffset);
    if (pointer === undefined) throw new CorruptionError(sourceName(from), 0, 'malformed value pointer');
    value = resolve(pointer);
  }
  return { key, value, userMeta: header.userMeta, expiresAt: header.expiresAt, version: seq };
}

function sourceName(from: string | { readonly source: string }): string {
  return typeof from === 'string' ? from : from.source;
}
