/**
 * KvStore: the narrow storage port the event store runs on (shared/reference/etcd-scaleout.md).
 * Implemented by MemoryKvStore (testing/), later by the libs/lsm adapter and an etcd adapter; all
 * run the same contract suite (testing/kv-store-contract.ts).
 *
 * Semantics every implementation must give:
 * - Keys are strings (compared in UTF-8 byte order, i.e. code point order); values are bytes.
 * - `Revision` is a store-wide commit position: every successful commit gets a revision strictly
 *   greater than every earlier one (gaps allowed). bigint, because etcd revisions and LSM commit
 *   timestamps are 64-bit and must never lose precision.
 * - `commit(conditions, mutations)` is atomic: if every condition holds, all mutations apply at
 *   one new revision; otherwise nothing applies and `{ ok: false }` is returned.
 * - Each entry carries the revision of the commit that last wrote it (`modRevision`).
 * - Scans are bounded `[start, end)` and paged (`limit`, `more`); the caller continues from
 *   `nextPageStart`. Prefix scans are a helper (`prefixRange`), never a port operation.
 * - Errors are `KvStoreError` subclasses with stable codes (below). `StoreUnavailable` means the
 *   request was certainly not applied; `CommitOutcomeUnknown` means it may or may not have been.
 */

export type Revision = bigint;

export interface KvEntry {
  readonly key: string;
  readonly value: Uint8Array;
  readonly modRevision: Revision;
}

export type Condition =
  | { readonly key: string; readonly op: 'absent' }
  | { readonly key: string; readonly op: 'present' }
  | { readonly key: string; readonly op: 'modRevision'; readonly equals: Revision }
  /** False when the key is absent (as etcd). */
  | { readonly key: string; readonly op: 'value'; readonly equals: Uint8Array };

export type Mutation =
  | { readonly type: 'put'; readonly key: string; readonly value: Uint8Array }
  | { readonly type: 'delete'; readonly key: string };

export type CommitResult =
  | { readonly ok: true; readonly revision: Revision }
  /** `failed` indexes the first condition that did not hold, when the store can tell. */
  | { readonly ok: false; readonly failed?: number };

export interface ScanRequest {
  readonly start: string;
  /** Exclusive. */
  readonly end: string;
  /** At most this many entries; capped by `limits.maxPageEntries`. */
  readonly limit?: number;
  readonly reverse?: boolean;
}

export interface ScanPage {
  readonly entries: readonly KvEntry[];
  /** True when entries remain in the range beyond this page. */
  readonly more: boolean;
}

export interface WatchBatch {
  readonly revision: Revision;
  readonly changes: readonly { readonly key: string; readonly value: Uint8Array | null }[];
}

export interface KvStoreLimits {
  /** Conditions + mutations in one commit (etcd default 128). */
  readonly maxOpsPerCommit: number;
  /** Keys + values bytes in one commit (etcd default about 1.5 MiB). */
  readonly maxCommitBytes: number;
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
  readonly maxPageEntries: number;
}

export interface KvStore {
  readonly limits: KvStoreLimits;
  get(key: string): Promise<KvEntry | undefined>;
  scan(request: ScanRequest): Promise<ScanPage>;
  commit(conditions: readonly Condition[], mutations: readonly Mutation[]): Promise<CommitResult>;
  currentRevision(): Promise<Revision>;
  /** Optional change feed: one batch per commit touching the range, in revision order. */
  watch?(range: { readonly start: string; readonly end: string }, options: { readonly afterRevision: Revision; readonly signal: AbortSignal }): AsyncIterable<WatchBatch>;
  close(): Promise<void>;
}

export type KvStoreErrorCode = 'STORE_UNAVAILABLE' | 'COMMIT_OUTCOME_UNKNOWN' | 'LIMIT_EXCEEDED' | 'HISTORY_COMPACTED' | 'STORE_CLOSED';

export abstract class KvStoreError extends Error {
  abstract readonly code: KvStoreErrorCode;
}

/** The store could not be reached or refused the request; nothing was applied. Safe to retry. */
export class StoreUnavailable extends KvStoreError {
  readonly code = 'STORE_UNAVAILABLE' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailable';
  }
}

/** A commit was sent but its outcome is unknown (timeout, lost connection after sending). */
export class CommitOutcomeUnknown extends KvStoreError {
  readonly code = 'COMMIT_OUTCOME_UNKNOWN' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommitOutcomeUnknown';
  }
}

/** A request broke a declared limit (ops, bytes, key or value size); nothing was applied. */
export class LimitExceeded extends KvStoreError {
  readonly code = 'LIMIT_EXCEEDED' as const;
  constructor(
    message: string,
    readonly limit: keyof KvStoreLimits,
  ) {
    super(message);
    this.name = 'LimitExceeded';
  }
}

/** A watch asked for revisions the store no longer keeps. */
export class HistoryCompacted extends KvStoreError {
  readonly code = 'HISTORY_COMPACTED' as const;
  constructor(message: string) {
    super(message);
    this.name = 'HistoryCompacted';
  }
}

export class StoreClosed extends KvStoreError {
  readonly code = 'STORE_CLOSED' as const;
  constructor() {
    super('the store is closed');
    this.name = 'StoreClosed';
  }
}

/** The smallest string greater than every string starting with `prefix` (exclusive end). */
export function prefixEnd(prefix: string): string {
  if (prefix.length === 0) return '\u{10ffff}';
  const last = prefix.codePointAt(prefix.length - 1) ?? 0;
  return prefix.slice(0, -1) + String.fromCodePoint(last + 1);
}

export function prefixRange(prefix: string): { start: string; end: string } {
  return { start: prefix, end: prefixEnd(prefix) };
}

/** All entries of `[start, end)` in key order, page by page. */
export async function* scanAll(store: KvStore, range: { start: string; end: string; reverse?: boolean }): AsyncGenerator<KvEntry> {
  let { start, end } = range;
  const reverse = range.reverse ?? false;
  while (compareKeys(start, end) < 0) {
    const page = await store.scan({ start, end, reverse, limit: store.limits.maxPageEntries });
    for (const entry of page.entries) yield entry;
    const last = page.entries[page.entries.length - 1];
    if (!page.more || last === undefined) return;
    if (reverse) end = last.key;
    else start = `${last.key}\u0000`;
  }
}

export async function collect(store: KvStore, range: { start: string; end: string; reverse?: boolean }): Promise<KvEntry[]> {
  const out: KvEntry[] = [];
  for await (const entry of scanAll(store, range)) out.push(entry);
  return out;
}

/** Compares strings in UTF-8 byte order (= code point order), unlike `<` (UTF-16 units). */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1; // a surrogate pair encodes a code point above any BMP unit
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
