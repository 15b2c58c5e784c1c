/**
 * EtcdKvStore: the domain's storage port (KvStore, @progress/domain) on an etcd v3 cluster.
 *
 * Mapping (shared/reference/etcd-scaleout.md):
 * - Revision = etcd's store revision. A commit is one Txn; its header.revision is the revision of
 *   every key it wrote, so `modRevision` of an event key is the event's global position. No
 *   counter key: appends to different users touch no common key.
 * - Conditions are Txn compares: absent = Version == 0, present = Version > 0, modRevision =
 *   Mod == r (a missing key has mod revision 0), value = Value == bytes (false when missing).
 * - Reads are linearizable range requests; scans are bounded [start, end) and paged
 *   (limit <= maxPageEntries; `more` from etcd). A page too large for one gRPC response is
 *   fetched again with half the limit.
 * - Watch is etcd's watch from afterRevision + 1; events are grouped into one batch per revision.
 *
 * Fault handling (the reason this file exists rather than a thin wrapper):
 * - etcd3's own retry is OFF (`faultHandling.global: noop`): a retried Txn whose first try had
 *   committed fails its compare and turns a successful append into a false conflict.
 * - A commit is re-sent here only when the error proves it was never sent or never proposed
 *   (errors.ts, "not-sent"), for up to `unavailableTimeoutMs`, then StoreUnavailable. Any other
 *   failure after sending is CommitOutcomeUnknown: the event store settles it by reading the
 *   event id at the expected version back.
 * - Reads are idempotent: any transient error is retried (another member is picked by the
 *   client's pool; a member that keeps failing has its circuit opened for 5 s) until
 *   `unavailableTimeoutMs`, then StoreUnavailable.
 *
 * Durability: etcd answers a Txn after a majority has it in its fsynced write-ahead log.
 */
import {
  CommitOutcomeUnknown, compareKeys, HistoryCompacted, LimitExceeded, StoreClosed, StoreUnavailable,
} from '@progress/domain';
import type {
  CommitResult, Condition, KvEntry, KvStore, KvStoreLimits, Mutation, Revision, ScanPage, ScanRequest, WatchBatch,
} from '@progress/domain';
import { circuitBreaker, ConsecutiveBreaker, handleWhen, noop } from 'cockatiel';
import { Etcd3, isRecoverableError } from 'etcd3';
import type { ICompare, IKeyValue, IRangeRequest, IRequestOp, ITxnRequest, KVClient } from 'etcd3';
import { classify, isBrokenCircuit, reasonOf } from './errors.js';
import { KeyCodec, utf8Length } from './keys.js';
import { watchRange } from './watch.js';

/** etcd's defaults (--max-txn-ops 128, --max-request-bytes 1.5 MiB), with room for framing. */
export const ETCD_DEFAULT_LIMITS: KvStoreLimits = {
  maxOpsPerCommit: 128,
  // keys + values; the request also carries protobuf framing (a few bytes per op plus the
  // namespace on every key), so 1,400,000 of etcd's 1,572,864 bytes are declared.
  maxCommitBytes: 1_400_000,
  maxKeyBytes: 1024,
  maxValueBytes: 1_048_576,
  maxPageEntries: 1000,
};

export interface EtcdKvStoreOptions {
  /** Client endpoints, `host:port` or `http://host:port`. */
  readonly hosts: readonly string[];
  /** Prefix for every key (several stores on one cluster). Default: none. */
  readonly namespace?: string;
  /** Deadline of one request (default 5000 ms); a commit past it is CommitOutcomeUnknown. */
  readonly requestTimeoutMs?: number;
  /** How long reads and unsent commits keep trying before StoreUnavailable (default 10000 ms). */
  readonly unavailableTimeoutMs?: number;
  /** Largest gRPC response accepted (default 256 MiB); a larger scan page is fetched in halves. */
  readonly maxResponseBytes?: number;
  /** Lower limits than etcd's defaults, or higher ones for a cluster configured with them. */
  readonly limits?: Partial<KvStoreLimits>;
}

type CallOptions = NonNullable<Parameters<KVClient['range']>[1]>;

/** 1000 entries of up to 256 KiB fit one response; larger pages are fetched in halves. */
const GRPC_MAX_RECEIVE_BYTES = 256 * 1024 * 1024;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function backoffMs(attempt: number): number {
  const base = Math.min(1000, 25 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

/** What the fault handling did, for tests, benchmarks and diagnostics. */
export interface EtcdKvStoreStats {
  /** Read requests (get, scan pages, revision), not counting retries. */
  reads: number;
  commits: number;
  /** Commits sent again because the first try certainly never reached the log. */
  commitsResentUnsent: number;
  /** Commits reported as CommitOutcomeUnknown. */
  commitsUnknown: number;
  /** Reads repeated after a transient failure. */
  readsRetried: number;
}

export class EtcdKvStore implements KvStore {
  readonly limits: KvStoreLimits;
  readonly stats: EtcdKvStoreStats = { reads: 0, commits: 0, commitsResentUnsent: 0, commitsUnknown: 0, readsRetried: 0 };
  readonly hosts: readonly string[];
  private readonly client: Etcd3;
  private readonly keys: KeyCodec;
  private readonly requestTimeoutMs: number;
  private readonly unavailableTimeoutMs: number;
  private readonly watches = new Set<AbortController>();
  private closed = false;

  constructor(options: EtcdKvStoreOptions) {
    if (options.hosts.length === 0) throw new TypeError('EtcdKvStore needs at least one host');
    this.hosts = options.hosts.map((host) => host.replace(/^https?:\/\//, ''));
    this.limits = { ...ETCD_DEFAULT_LIMITS, ...options.limits };
    this.keys = new KeyCodec(options.namespace ?? '');
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    this.unavailableTimeoutMs = options.unavailableTimeoutMs ?? 10_000;
    this.client = new Etcd3({
      hosts: this.hosts.map((host) => `http://${host}`),
      faultHandling: {
        global: noop,
        // etcd3's default per-member breaker (3 failures in a row: skip the member for 5 s), except
        // that a response over our own receive limit says nothing about the member's health
        host: () =>
          circuitBreaker(handleWhen((error) => isRecoverableError(error) && classify(error) !== 'response-too-large'), {
            halfOpenAfter: 5000,
            breaker: new ConsecutiveBreaker(3),
          }),
      },
      grpcOptions: {
        'grpc.max_receive_message_length': options.maxResponseBytes ?? GRPC_MAX_RECEIVE_BYTES,
        'grpc.keepalive_time_ms': 30_000,
        'grpc.keepalive_timeout_ms': 10_000,
      },
    });
  }

  async get(key: string): Promise<KvEntry | undefined> {
    this.checkOpen();
    const response = await this.read(`get ${key}`, (options) => this.client.kv.range({ key: this.keys.encode(key) }, options));
    const kv = response.kvs[0];
    return kv === undefined ? undefined : this.toEntry(kv);
  }

  async scan(request: ScanRequest): Promise<ScanPage> {
    this.checkOpen();
    if (compareKeys(request.start, request.end) >= 0) return { entries: [], more: false };
    let limit = Math.max(1, Math.min(request.limit ?? this.limits.maxPageEntries, this.limits.maxPageEntries));
    for (;;) {
      const range: IRangeRequest = {
        key: this.keys.encodeStart(request.start),
        range_end: this.keys.encodeEnd(request.end),
        limit,
        ...(request.reverse === true ? { sort_order: 'Descend', sort_target: 'Key' } : {}),
      };
      try {
        const response = await this.read(`scan [${request.start}, ${request.end})`, (options) => this.client.kv.range(range, options));
        return { entries: response.kvs.map((kv) => this.toEntry(kv)), more: response.more };
      } catch (error) {
        // a page over the gRPC receive limit (large values): ask for fewer entries
        if (!(error instanceof PageTooLarge) || limit === 1) throw error instanceof PageTooLarge ? error.cause : error;
        limit = Math.max(1, Math.floor(limit / 2));
      }
    }
  }

  async commit(conditions: readonly Condition[], mutations: readonly Mutation[]): Promise<CommitResult> {
    this.checkOpen();
    this.checkLimits(conditions, mutations);
    const request: ITxnRequest = {
      compare: conditions.map((condition) => this.compareOf(condition)),
      success: lastPerKey(mutations).map((mutation) => this.opOf(mutation)),
      failure: [],
    };
    const giveUpAt = Date.now() + this.unavailableTimeoutMs;
    this.stats.commits += 1;
    let telling: unknown;
    for (let attempt = 0; ; attempt += 1) {
      this.checkOpen();
      try {
        const response = await this.client.kv.txn(request, this.callOptions(giveUpAt));
        return response.succeeded ? { ok: true, revision: BigInt(response.header.revision) } : { ok: false };
      } catch (error) {
        const kind = classify(error);
        if (!isBrokenCircuit(error)) telling = error;
        if (kind === 'closed' || this.closed) throw new StoreClosed();
        if (kind === 'limit') throw new LimitExceeded(`etcd refused the commit: ${reasonOf(error)}`, 'maxCommitBytes');
        if (kind === 'no-space') throw this.noSpace(error);
        if (kind === 'not-sent') {
          const pause = backoffMs(attempt);
          if (Date.now() + pause < giveUpAt) {
            this.stats.commitsResentUnsent += 1;
            await sleep(pause);
            continue;
          }
          throw this.unavailable('commit', telling ?? error);
        }
        if (kind === 'other') throw error;
        this.stats.commitsUnknown += 1;
        throw new CommitOutcomeUnknown(`etcd did not confirm a commit that may have been applied: ${reasonOf(error)}`, { cause: error });
      }
    }
  }

  async currentRevision(): Promise<Revision> {
    return this.ping(this.unavailableTimeoutMs);
  }

  /** The current revision, trying for at most `timeoutMs` (openEtcdStore's reachability probe). */
  async ping(timeoutMs: number): Promise<Revision> {
    this.checkOpen();
    const { key } = this.keys.namespaceRange();
    const response = await this.read('current revision', (options) => this.client.kv.range({ key, count_only: true }, options), timeoutMs);
    return BigInt(response.header.revision);
  }

  watch(range: { readonly start: string; readonly end: string }, options: { readonly afterRevision: Revision; readonly signal: AbortSignal }): AsyncIterable<WatchBatch> {
    this.checkOpen();
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    options.signal.addEventListener('abort', abort, { once: true });
    if (options.signal.aborted) controller.abort();
    this.watches.add(controller);
    const forget = (): void => {
      this.watches.delete(controller);
      options.signal.removeEventListener('abort', abort);
    };
    return watchRange({
      client: this.client,
      keys: this.keys,
      start: range.start,
      end: range.end,
      afterRevision: options.afterRevision,
      signal: controller.signal,
      isClosed: () => this.closed,
      checkHistory: (revision) => this.checkHistory(revision),
      onEnd: forget,
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const controller of this.watches) controller.abort();
    this.watches.clear();
    this.client.close();
  }

  /** Throws HistoryCompacted when `revision` is below etcd's compaction point. */
  private async checkHistory(revision: Revision): Promise<void> {
    const current = await this.currentRevision();
    if (revision > current) return; // the future is not compacted
    const { key } = this.keys.namespaceRange();
    await this.read(`watch from revision ${revision}`, (options) => this.client.kv.range({ key, count_only: true, revision: revision.toString() }, options));
  }

  /**
   * Runs an idempotent read, retrying transient failures until `unavailableTimeoutMs`.
   * Maps compaction to HistoryCompacted and an over-large response to PageTooLarge.
   */
  private async read<T>(what: string, call: (options: CallOptions) => Promise<T>, budgetMs = this.unavailableTimeoutMs): Promise<T> {
    const giveUpAt = Date.now() + budgetMs;
    this.stats.reads += 1;
    let telling: unknown; // the last error that says more than "every circuit is open"
    for (let attempt = 0; ; attempt += 1) {
      this.checkOpen();
      try {
        return await call(this.callOptions(giveUpAt));
      } catch (error) {
        const kind = classify(error);
        if (!isBrokenCircuit(error)) telling = error;
        if (kind === 'closed' || this.closed) throw new StoreClosed();
        if (kind === 'compacted') throw new HistoryCompacted(`etcd has compacted the history this ${what} needs: ${reasonOf(error)}`);
        if (kind === 'response-too-large') throw new PageTooLarge(error);
        if (kind === 'no-space') throw this.noSpace(error);
        if (kind === 'other' || kind === 'limit') throw error;
        const pause = backoffMs(attempt);
        if (Date.now() + pause >= giveUpAt) throw this.unavailable(what, telling ?? error, budgetMs);
        this.stats.readsRetried += 1;
        await sleep(pause);
      }
    }
  }

  private callOptions(giveUpAt: number): CallOptions {
    // never wait past the overall budget, but give each try a real chance
    return { deadline: Date.now() + Math.max(250, Math.min(this.requestTimeoutMs, giveUpAt - Date.now())) };
  }

  private unavailable(what: string, error: unknown, budgetMs = this.unavailableTimeoutMs): StoreUnavailable {
    return new StoreUnavailable(
      `etcd cluster ${this.hosts.join(',')} did not answer (${what}) within ${budgetMs / 1000} s: ${reasonOf(error)}; nothing was applied`,
      { cause: error },
    );
  }

  private noSpace(error: unknown): StoreUnavailable {
    return new StoreUnavailable(
      `etcd cluster ${this.hosts.join(',')} is out of space (NOSPACE alarm): compact, defragment and disarm the alarm (etcdctl compact/defrag/alarm disarm); nothing was applied`,
      { cause: error },
    );
  }

  private toEntry(kv: IKeyValue): KvEntry {
    // copy: the client's buffers may share a pool; callers must never alias stored bytes
    return { key: this.keys.decode(kv.key), value: new Uint8Array(kv.value), modRevision: BigInt(kv.mod_revision) };
  }

  private compareOf(condition: Condition): ICompare {
    const key = this.keys.encode(condition.key);
    switch (condition.op) {
      case 'absent':
        return { key, target: 'Version', result: 'Equal', version: 0 };
      case 'present':
        return { key, target: 'Version', result: 'Greater', version: 0 };
      case 'modRevision':
        return { key, target: 'Mod', result: 'Equal', mod_revision: condition.equals.toString() };
      case 'value':
        return { key, target: 'Value', result: 'Equal', value: Buffer.from(condition.equals) };
    }
  }

  private opOf(mutation: Mutation): IRequestOp {
    const key = this.keys.encode(mutation.key);
    return mutation.type === 'put'
      ? { request_put: { key, value: Buffer.from(mutation.value) } }
      : { request_delete_range: { key } };
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosed();
  }

  private checkLimits(conditions: readonly Condition[], mutations: readonly Mutation[]): void {
    const ops = conditions.length + mutations.length;
    if (ops > this.limits.maxOpsPerCommit) {
      throw new LimitExceeded(`${ops} operations in one commit; etcd allows ${this.limits.maxOpsPerCommit}`, 'maxOpsPerCommit');
    }
    let bytes = 0;
    for (const item of [...conditions, ...mutations]) {
      const keyBytes = utf8Length(item.key);
      if (keyBytes === 0 || keyBytes > this.limits.maxKeyBytes) {
        throw new LimitExceeded(`key of ${keyBytes} bytes; allowed 1..${this.limits.maxKeyBytes}`, 'maxKeyBytes');
      }
      bytes += keyBytes;
      const value = 'type' in item ? (item.type === 'put' ? item.value : undefined) : item.op === 'value' ? item.equals : undefined;
      if (value === undefined) continue;
      if (value.length > this.limits.maxValueBytes) {
        throw new LimitExceeded(`value of ${value.length} bytes; the limit is ${this.limits.maxValueBytes}`, 'maxValueBytes');
      }
      bytes += value.length;
    }
    if (bytes > this.limits.maxCommitBytes) {
      throw new LimitExceeded(`commit of ${bytes} bytes; the limit is ${this.limits.maxCommitBytes}`, 'maxCommitBytes');
    }
  }
}

/** A range response over the client's receive limit; the scan retries with a smaller page. */
class PageTooLarge extends Error {
  constructor(override readonly cause: unknown) {
    super('range response too large');
  }
}

/**
 * etcd refuses a Txn that writes one key twice ("duplicate key given in txn request"); the port
 * applies mutations in order, so only the last one per key matters. Order is otherwise kept.
 */
function lastPerKey(mutations: readonly Mutation[]): Mutation[] {
  const last = new Map<string, number>();
  mutations.forEach((mutation, index) => last.set(mutation.key, index));
  return mutations.filter((mutation, index) => last.get(mutation.key) === index);
}
