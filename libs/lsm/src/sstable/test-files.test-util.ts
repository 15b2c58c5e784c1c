/**
 * Tiny in-memory WritableFile/ReadableFile pair for the sstable tests (independent of
 * testing/mem-fs.ts). Counts appends and syncs so tests can check chunked output, and can fail
 * the next append to test error paths.
 */

import type { ReadableFile, WritableFile } from '../fs/fs.js';
import { BlockCache } from './block-cache.js';
import { TableBuilder, type FinishedTable, type TableBuilderOptions } from './table-builder.js';
import { TableReader } from './table-reader.js';
import { Kind, MAX_SEQ, compareInternal } from '../keys/internal-key.js';
import type { InternalIterator } from '../iterator/internal-iterator.js';
import { encodeStoredValue, encodeValuePointer } from '../keys/value-format.js';
import { toHex } from '../codec/bytes.js';

export class MemWritableFile implements WritableFile {
  readonly path: string;
  private data = new Uint8Array(1024);
  private length = 0;
  appendCount = 0;
  syncCount = 0;
  syncedBytes = 0;
  closed = false;
  failNextAppend: Error | undefined;

  constructor(path: string) {
    this.path = path;
  }

  get size(): number {
    return this.length;
  }

  append(data: Uint8Array): Promise<void> {
    if (this.failNextAppend !== undefined) {
      const error = this.failNextAppend;
      this.failNextAppend = undefined;
      return Promise.reject(error);
    }
    if (this.length + data.length > this.data.length) {
      const grown = new Uint8Array(Math.max(this.length + data.length, this.data.length * 2));
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    }
    this.data.set(data, this.length);
    this.length += data.length;
    this.appendCount++;
    return Promise.resolve();
  }

  sync(): Promise<void> {
    this.syncCount++;
    this.syncedBytes = this.length;
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  bytes(): Uint8Array {
    return this.data.slice(0, this.length);
  }
}

export class MemReadableFile implements ReadableFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  readCount = 0;
  closed = false;
  failReads: Error | undefined;

  constructor(path: string, bytes: Uint8Array) {
    this.path = path;
    this.bytes = bytes;
  }

  get size(): number {
    return this.bytes.length;
  }

  readSync(target: Uint8Array, targetOffset: number, length: number, position: number): number {
    if (this.failReads !== undefined) throw this.failReads;
    this.readCount++;
    const end = Math.min(this.bytes.length, position + length);
    if (position >= end) return 0;
    target.set(this.bytes.subarray(position, end), targetOffset);
    return end - position;
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

export interface TestEntry {
  key: Uint8Array;
  seq: number;
  kind: Kind;
  value: Uint8Array;
}

/** Writes `entries` (already in internal order) into a table; returns its bytes and properties. */
export async function buildTable(
  entries: readonly TestEntry[],
  options: TableBuilderOptions = {},
  path = '/db/000001.sst',
): Promise<{ bytes: Uint8Array; finished: FinishedTable; file: MemWritableFile }> {
  const file = new MemWritableFile(path);
  const builder = new TableBuilder(file, options);
  for (const entry of entries) {
    if (builder.add(entry.key, entry.seq, entry.kind, entry.value)) await builder.flush();
  }
  const finished = await builder.finish();
  return { bytes: file.bytes(), finished, file };
}

export function openTable(
  bytes: Uint8Array,
  options: { path?: string; fileNumber?: number; cache?: BlockCache } = {},
): TableReader {
  const file = new MemReadableFile(options.path ?? '/db/000001.sst', bytes);
  return TableReader.open(file, options.fileNumber ?? 1, options.cache ?? new BlockCache(1 << 20));
}

/** Deterministic PRNG (mulberry32): returns floats in [0, 1). */
export function makeRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function compareEntries(a: TestEntry, b: TestEntry): number {
  return compareInternal(a.key, a.seq, a.kind, b.key, b.seq, b.kind);
}

/**
 * Random versions in internal order: `userKeys` distinct user keys drawn from a small alphabet
 * (so prefixes are shared), 1-3 versions each with distinct seqs, mixed kinds.
 */
export function randomEntries(rng: () => number, userKeys: number, maxValueBytes = 40): TestEntry[] {
  const keys = new Map<string, Uint8Array>();
  while (keys.size < userKeys) {
    const length = 1 + Math.floor(rng() * 12);
    const key = new Uint8Array(length);
    for (let i = 0; i < length; i++) key[i] = rng() < 0.7 ? 0x61 + Math.floor(rng() * 3) : Math.floor(rng() * 256);
    keys.set(toHex(key), key);
  }
  const entries: TestEntry[] = [];
  let seq = 1;
  for (const key of keys.values()) {
    const versions = 1 + Math.floor(rng() * 3);
    for (let v = 0; v < versions; v++) entries.push(randomVersion(rng, key, seq++, maxValueBytes));
  }
  return entries.sort(compareEntries);
}

function randomVersion(rng: () => number, key: Uint8Array, seq: number, maxValueBytes: number): TestEntry {
  const roll = rng();
  if (roll < 0.15) return { key, seq, kind: Kind.DELETE, value: new Uint8Array(0) };
  if (roll < 0.3) {
    const pointer = { fileNumber: 1 + Math.floor(rng() * 9), offset: Math.floor(rng() * 1e6), length: 100 + Math.floor(rng() * 1e4) };
    return { key, seq, kind: Kind.VALUE_POINTER, value: encodeStoredValue(encodeValuePointer(pointer), 0, 0) };
  }
  const payload = new Uint8Array(Math.floor(rng() * maxValueBytes));
  for (let i = 0; i < payload.length; i++) payload[i] = Math.floor(rng() * 256);
  return { key, seq, kind: Kind.VALUE, value: encodeStoredValue(payload, 0, 0) };
}

/** A user key near the model's keys: an existing one, a mutation of one, or random bytes. */
export function pickUserKey(rng: () => number, entries: readonly TestEntry[]): Uint8Array {
  const roll = rng();
  const base = entries.length === 0 ? new Uint8Array(0) : (entries[Math.floor(rng() * entries.length)] as TestEntry).key;
  if (roll < 0.5) return base;
  if (roll < 0.8) {
    const out = base.slice(0, Math.max(0, base.length - (rng() < 0.5 ? 1 : 0)));
    if (out.length > 0 && rng() < 0.6) out[out.length - 1] = ((out[out.length - 1] as number) + (rng() < 0.5 ? 1 : 255)) & 0xff;
    return out;
  }
  const out = new Uint8Array(Math.floor(rng() * 6));
  for (let i = 0; i < out.length; i++) out[i] = rng() < 0.5 ? 0x61 + Math.floor(rng() * 3) : Math.floor(rng() * 256);
  return out;
}

function pickSeq(rng: () => number, entries: readonly TestEntry[]): number {
  const roll = rng();
  if (roll < 0.25) return MAX_SEQ;
  if (roll < 0.4) return 0;
  const seq = entries.length === 0 ? 1 : (entries[Math.floor(rng() * entries.length)] as TestEntry).seq;
  return Math.max(0, seq + Math.floor(rng() * 3) - 1);
}

/**
 * Drives `iterator` with `steps` random operations and compares every position with the sorted
 * model. Returns a description of the first divergence, or undefined.
 */
export function compareWithModel(
  iterator: InternalIterator,
  entries: readonly TestEntry[],
  rng: () => number,
  steps: number,
): string | undefined {
  let position = -1; // index into entries; -1 or entries.length = invalid
  const log: string[] = [];
  for (let step = 0; step < steps; step++) {
    const valid = position >= 0 && position < entries.length;
    const roll = rng();
    if (valid && roll < 0.3) {
      iterator.next();
      position++;
      log.push('next');
    } else if (valid && roll < 0.6) {
      iterator.prev();
      position = position === 0 ? -1 : position - 1;
      log.push('prev');
    } else if (roll < 0.75) {
      const key = pickUserKey(rng, entries);
      const seq = pickSeq(rng, entries);
      iterator.seek(key, seq);
      position = entries.findIndex((e) => compareInternal(e.key, e.seq, e.kind, key, seq, 0xff) >= 0);
      if (position < 0) position = entries.length;
      log.push(`seek(${toHex(key)}, ${seq})`);
    } else if (roll < 0.9) {
      const key = pickUserKey(rng, entries);
      const seq = pickSeq(rng, entries);
      iterator.seekForPrev(key, seq);
      position = -1;
      for (let i = entries.length - 1; i >= 0; i--) {
        const e = entries[i] as TestEntry;
        if (compareInternal(e.key, e.seq, e.kind, key, seq, 0) <= 0) {
          position = i;
          break;
        }
      }
      log.push(`seekForPrev(${toHex(key)}, ${seq})`);
    } else if (roll < 0.95) {
      iterator.seekToFirst();
      position = entries.length === 0 ? -1 : 0;
      log.push('seekToFirst');
    } else {
      iterator.seekToLast();
      position = entries.length - 1;
      log.push('seekToLast');
    }
    const problem = describeMismatch(iterator, entries, position);
    if (problem !== undefined) return `${problem} after ${log.slice(-6).join(', ')}`;
  }
  return undefined;
}

function describeMismatch(iterator: InternalIterator, entries: readonly TestEntry[], position: number): string | undefined {
  const expected = position >= 0 && position < entries.length ? entries[position] : undefined;
  if (expected === undefined) return iterator.valid() ? `valid at ${toHex(iterator.key())}, expected invalid` : undefined;
  if (!iterator.valid()) return `invalid, expected ${toHex(expected.key)}@${expected.seq}`;
  if (toHex(iterator.key()) !== toHex(expected.key) || iterator.seq() !== expected.seq || iterator.kind() !== expected.kind) {
    return `at ${toHex(iterator.key())}@${iterator.seq()}/${iterator.kind()}, expected ${toHex(expected.key)}@${expected.seq}/${expected.kind}`;
  }
  if (toHex(iterator.value()) !== toHex(expected.value)) return `value differs at ${toHex(expected.key)}@${expected.seq}`;
  return undefined;
}

/** Full forward and reverse scans; returns the entries seen. */
export function scanForward(iterator: InternalIterator): TestEntry[] {
  const out: TestEntry[] = [];
  for (iterator.seekToFirst(); iterator.valid(); iterator.next()) {
    out.push({ key: iterator.key().slice(), seq: iterator.seq(), kind: iterator.kind(), value: iterator.value().slice() });
  }
  return out;
}

export function scanBackward(iterator: InternalIterator): TestEntry[] {
  const out: TestEntry[] = [];
  for (iterator.seekToLast(); iterator.valid(); iterator.prev()) {
    out.push({ key: iterator.key().slice(), seq: iterator.seq(), kind: iterator.kind(), value: iterator.value().slice() });
  }
  return out;
}

export function entriesHex(entries: readonly TestEntry[]): string[] {
  return entries.map((e) => `${toHex(e.key)}@${e.seq}/${e.kind}=${toHex(e.value)}`);
}
