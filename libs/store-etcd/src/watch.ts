/**
 * The port's change feed on etcd's watch: every change in [start, end) after `afterRevision`, one
 * batch per revision (a Txn's puts and deletes share one revision), in revision order.
 *
 * - History is checked first: a start below etcd's compaction point is HistoryCompacted at once,
 *   rather than a watcher that etcd cancels later.
 * - A broken stream is re-established by the etcd3 client from the last revision it delivered
 *   (with backoff), so a member's death is invisible here apart from a pause.
 * - A watch etcd cancels (compaction while disconnected, or anything else) ends the iteration
 *   with HistoryCompacted or StoreUnavailable.
 * - Aborting the signal (or closing the store) ends the iteration and cancels the watcher.
 */
import { compareKeys, HistoryCompacted, StoreUnavailable } from '@progress/domain';
import type { Revision, WatchBatch } from '@progress/domain';
import { Range } from 'etcd3';
import type { Etcd3, IWatchResponse } from 'etcd3';
import { reasonOf } from './errors.js';
import type { KeyCodec } from './keys.js';

export interface WatchParams {
  readonly client: Etcd3;
  readonly keys: KeyCodec;
  readonly start: string;
  readonly end: string;
  readonly afterRevision: Revision;
  readonly signal: AbortSignal;
  isClosed(): boolean;
  checkHistory(revision: Revision): Promise<void>;
  onEnd(): void;
}

/** Splits one watch response into batches, one per revision, keeping etcd's order. */
export function batchesOf(response: IWatchResponse, keys: KeyCodec): WatchBatch[] {
  const batches: { revision: Revision; changes: { key: string; value: Uint8Array | null }[] }[] = [];
  for (const event of response.events) {
    const revision = BigInt(event.kv.mod_revision);
    let batch = batches[batches.length - 1];
    if (batch === undefined || batch.revision !== revision) {
      batch = { revision, changes: [] };
      batches.push(batch);
    }
    batch.changes.push({ key: keys.decode(event.kv.key), value: event.type === 'Delete' ? null : new Uint8Array(event.kv.value) });
  }
  return batches;
}

export async function* watchRange(params: WatchParams): AsyncGenerator<WatchBatch> {
  try {
    if (params.signal.aborted) return;
    const from = params.afterRevision + 1n;
    await params.checkHistory(from);
    yield* follow(params, from);
  } finally {
    params.onEnd();
  }
}

async function* follow(params: WatchParams, from: Revision): AsyncGenerator<WatchBatch> {
  const { keys, signal } = params;
  const queue: WatchBatch[] = [];
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = (): void => wake?.();
  const empty = compareKeys(params.start, params.end) >= 0;
  const watcher = empty
    ? undefined
    : params.client.watch().inRange(new Range(keys.encodeStart(params.start), keys.encodeEnd(params.end))).startRevision(from.toString()).watcher();
  watcher?.on('data', (response: IWatchResponse) => {
    queue.push(...batchesOf(response, keys));
    notify();
  });
  watcher?.on('error', (error: unknown) => {
    failure = error;
    notify();
  });
  signal.addEventListener('abort', notify);
  try {
    while (!signal.aborted) {
      const batch = queue.shift();
      if (batch !== undefined) {
        yield batch;
        continue;
      }
      if (failure !== undefined) throw await explain(params, failure, watcher?.request.start_revision ?? from.toString());
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    signal.removeEventListener('abort', notify);
    if (watcher !== undefined && !params.isClosed()) await watcher.cancel().catch(() => undefined);
  }
}

async function explain(params: WatchParams, failure: unknown, nextRevision: string | number | undefined): Promise<Error> {
  try {
    await params.checkHistory(BigInt(nextRevision ?? 0));
  } catch (error) {
    if (error instanceof HistoryCompacted || error instanceof StoreUnavailable) return error;
  }
  return new StoreUnavailable(`etcd ended the watch: ${reasonOf(failure)}`, { cause: failure });
}
