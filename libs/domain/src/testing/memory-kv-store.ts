/**
 * MemoryKvStore: the reference KvStore (ports/kv-store.ts), in memory, with revisions, conditions,
 * limits, a change feed, and fault injection for tests.
 *
 * Invariants:
 * - `keys` is sorted by `compareKeys` and holds exactly the keys of `rows`;
 * - `revision` increases by one per successful commit; every row's modRevision <= revision;
 * - values are copied in and out, so callers can never alias stored bytes.
 *
 * Fault model (`injectFault`, consumed one per commit): `unavailable` rejects without applying;
 * `unknown-applied` applies then throws CommitOutcomeUnknown; `unknown-lost` throws
 * CommitOutcomeUnknown without applying. `beforeCommit` runs before each commit (interleavings).
 */
import {
  CommitOutcomeUnknown, compareKeys, LimitExceeded, StoreClosed, StoreUnavailable,
} from '../ports/kv-store.js';
import type {
  CommitResult, Condition, KvEntry, KvStore, KvStoreLimits, Mutation, Revision, ScanPage, ScanRequest, WatchBatch,
} from '../ports/kv-store.js';
import { bytesEqual } from '../json.js';

export type InjectedFault = 'unavailable' | 'unknown-applied' | 'unknown-lost';

export const DEFAULT_MEMORY_LIMITS: KvStoreLimits = {
  maxOpsPerCommit: 10_000,
  maxCommitBytes: 64 * 1024 * 1024,
  maxKeyBytes: 1024,
  maxValueBytes: 16 * 1024 * 1024,
  maxPageEntries: 1000,
};

interface Row {
  value: Uint8Array;
  modRevision: Revision;
}

const encoder = new TextEncoder();

export class MemoryKvStore implements KvStore {
  readonly limits: KvStoreLimits;
  beforeCommit: (() => Promise<void> | void) | undefined;
  private readonly rows = new Map<string, Row>();
  private keys: string[] = [];
  private revision = 0n;
  private readonly faults: InjectedFault[] = [];
  private readonly feed: WatchBatch[] = [];
  private readonly listeners = new Set<() => void>();
  private closed = false;
  commitCount = 0;

  constructor(limits: Partial<KvStoreLimits> = {}) {
    this.limits = { ...DEFAULT_MEMORY_LIMITS, ...limits };
  }

  injectFault(fault: InjectedFault): void {
    this.faults.push(fault);
  }

  async get(key: string): Promise<KvEntry | undefined> {
    this.checkOpen();
    const row = this.rows.get(key);
    return row === undefined ? undefined : toEntry(key, row);
  }

  async scan(request: ScanRequest): Promise<ScanPage> {
    this.checkOpen();
    const limit = Math.max(1, Math.min(request.limit ?? this.limits.maxPageEntries, this.limits.maxPageEntries));
    const from = this.lowerBound(request.start);
    const to = this.lowerBound(request.end);
    const inRange = from < to ? this.keys.slice(from, to) : [];
    const ordered = request.reverse === true ? inRange.reverse() : inRange;
    const page = ordered.slice(0, limit);
    return {
      entries: page.map((key) => toEntry(key, this.rows.get(key) as Row)),
      more: ordered.length > limit,
    };
  }

  async commit(conditions: readonly Condition[], mutations: readonly Mutation[]): Promise<CommitResult> {
    this.checkOpen();
    this.checkLimits(conditions, mutations);
    if (this.beforeCommit !== undefined) await this.beforeCommit();
    const fault = this.faults.shift();
    if (fault === 'unavailable') throw new StoreUnavailable('injected: store unavailable');
    if (fault === 'unknown-lost') throw new CommitOutcomeUnknown('injected: outcome unknown (not applied)');
    const failed = conditions.findIndex((condition) => !this.holds(condition));
    if (failed >= 0) return { ok: false, failed };
    const revision = this.apply(mutations);
    if (fault === 'unknown-applied') throw new CommitOutcomeUnknown('injected: outcome unknown (applied)');
    return { ok: true, revision };
  }

  async currentRevision(): Promise<Revision> {
    this.checkOpen();
    return this.revision;
  }

  async *watch(range: { start: string; end: string }, options: { afterRevision: Revision; signal: AbortSignal }): AsyncIterable<WatchBatch> {
    let next = options.afterRevision;
    while (!options.signal.aborted) {
      const batches = this.feed.filter((batch) => batch.revision > next);
      for (const batch of batches) {
        next = batch.revision;
        const changes = batch.changes.filter((change) => compareKeys(change.key, range.start) >= 0 && compareKeys(change.key, range.end) < 0);
        if (changes.length > 0) yield { revision: batch.revision, changes };
        if (options.signal.aborted) return;
      }
      if (batches.length > 0 || this.closed) {
        if (this.closed) return;
        continue; // re-check: commits may have landed while the consumer held a batch
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.listeners.delete(wake);
          options.signal.removeEventListener('abort', wake);
          resolve();
        };
        this.listeners.add(wake);
        options.signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of [...this.listeners]) wake();
  }

  /** Every key and value, for tests (bytes copied). */
  dump(): Map<string, Uint8Array> {
    return new Map(this.keys.map((key) => [key, new Uint8Array((this.rows.get(key) as Row).value)]));
  }

  private apply(mutations: readonly Mutation[]): Revision {
    this.revision += 1n;
    this.commitCount += 1;
    const revision = this.revision;
    const changes: { key: string; value: Uint8Array | null }[] = [];
    for (const mutation of mutations) {
      if (mutation.type === 'put') {
        const existing = this.rows.get(mutation.key);
        if (existing === undefined) this.insertKey(mutation.key);
        const value = new Uint8Array(mutation.value);
        this.rows.set(mutation.key, { value, modRevision: revision });
        changes.push({ key: mutation.key, value: new Uint8Array(value) });
      } else if (this.rows.delete(mutation.key)) {
        this.keys.splice(this.lowerBound(mutation.key), 1);
        changes.push({ key: mutation.key, value: null });
      }
    }
    this.feed.push({ revision, changes });
    for (const wake of [...this.listeners]) wake();
    return revision;
  }

  private holds(condition: Condition): boolean {
    const row = this.rows.get(condition.key);
    switch (condition.op) {
      case 'absent':
        return row === undefined;
      case 'present':
        return row !== undefined;
      case 'modRevision':
        return (row?.modRevision ?? 0n) === condition.equals;
      case 'value':
        return row !== undefined && bytesEqual(row.value, condition.equals);
    }
  }

  private checkLimits(conditions: readonly Condition[], mutations: readonly Mutation[]): void {
    const ops = conditions.length + mutations.length;
    if (ops > this.limits.maxOpsPerCommit) {
      throw new LimitExceeded(`${ops} operations in one commit; the limit is ${this.limits.maxOpsPerCommit}`, 'maxOpsPerCommit');
    }
    let bytes = 0;
    for (const item of [...conditions, ...mutations]) {
      const keyBytes = encoder.encode(item.key).length;
      if (keyBytes === 0 || keyBytes > this.limits.maxKeyBytes) {
        throw new LimitExceeded(`key of ${keyBytes} bytes; allowed 1..${this.limits.maxKeyBytes}`, 'maxKeyBytes');
      }
      bytes += keyBytes;
      const value = 'type' in item ? (item.type === 'put' ? item.value : undefined) : item.op === 'value' ? item.equals : undefined;
      if (value !== undefined) {
        if (value.length > this.limits.maxValueBytes) {
          throw new LimitExceeded(`value of ${value.length} bytes; the limit is ${this.limits.maxValueBytes}`, 'maxValueBytes');
        }
        bytes += value.length;
      }
    }
    if (bytes > this.limits.maxCommitBytes) {
      throw new LimitExceeded(`commit of ${bytes} bytes; the limit is ${this.limits.maxCommitBytes}`, 'maxCommitBytes');
    }
  }

  private lowerBound(key: string): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareKeys(this.keys[mid] as string, key) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private insertKey(key: string): void {
    this.keys.splice(this.lowerBound(key), 0, key);
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosed();
  }
}

function toEntry(key: string, row: Row): KvEntry {
  return { key, value: new Uint8Array(row.value), modRevision: row.modRevision };
}
