/**
 * Writes a prepared, validated sequence of new events (possibly over many streams) in as few
 * commits as the store's limits allow, in the given order. Each commit carries, per stream it
 * touches: the events (ord = position in the commit), the head, the directory entry for a new
 * stream, extra records (idempotency) and the stream's projection rows and checkpoints, guarded by
 * absent(ev:<first>) and present(ev:<first-1>). One commit when it fits (all or nothing); several
 * otherwise, each consistent on its own, so an interrupted import resumes by running it again.
 *
 * Linear in the number of events: each stream is folded once, event by event, into one private
 * draft (`Folder`), which also names the day rows each commit touched; a commit is planned from
 * upper bounds on its operations and bytes, item by item, and never re-planned. Per commit, each
 * touched stream costs one summary row, O(its days).
 */
import { assert } from '../assert.js';
import type { DomainEvent } from '../events.js';
import { Folder } from '../evolve.js';
import { encodeJson, utf8Encode } from '../json.js';
import { LimitExceeded } from '../ports/kv-store.js';
import type { Condition, KvStoreLimits, Mutation } from '../ports/kv-store.js';
import type { StreamState } from '../state.js';
import { streamName } from '../streams.js';
import type { StreamRef } from '../streams.js';
import { AppendConflictError } from './errors.js';
import type { EventStore } from './event-store.js';
import { directoryKey, eventKey, headKey } from './key-layout.js';
import { summaryRow, touchedRowMutations } from './projection-rows.js';
import { encodeEventRecord } from './stored-event.js';

export interface PendingEvent {
  readonly stream: StreamRef;
  readonly event: DomainEvent;
  /** Extra puts committed with this event (e.g. an idempotency record), guarded by absent(key). */
  readonly records?: readonly { readonly key: string; readonly value: Uint8Array }[];
}

export interface BatchReport {
  readonly events: number;
  readonly commits: number;
}

/** Upper bounds used to plan a commit before its rows exist (ids <= 64, metrics <= 48 chars). */
const DAY_ROW_BYTES = 'proj:daily-totals:row:'.length + 64 + 1 + 48 + 1 + 10 + 64;
/** A stream's fixed rows besides the summary: 2 conditions, head, directory, checkpoint. */
const STREAM_FIXED_BYTES = 4 * (5 + 64 + 17) + 160;
/** How much one event can grow a summary row (a new metric or goal). */
const SUMMARY_GROWTH_BYTES = 1024;

interface StreamCursor {
  readonly stream: StreamRef;
  readonly folder: Folder<StreamState>;
  /** Committed version. */
  version: number;
  /** Size of the summary row last written (or of the state before the import). */
  summaryBytes: number;
}

interface Planned {
  readonly item: PendingEvent;
  readonly cursor: StreamCursor;
  readonly record: Uint8Array;
}

function opsAndBytes(conditions: readonly Condition[], mutations: readonly Mutation[]): { ops: number; bytes: number } {
  let bytes = 0;
  for (const condition of conditions) bytes += condition.key.length;
  for (const mutation of mutations) bytes += mutation.key.length + (mutation.type === 'put' ? mutation.value.length : 0);
  return { ops: conditions.length + mutations.length, bytes };
}

/** Takes items from `start` while the commit's upper bound fits the limits; at least one. */
function plan(items: readonly PendingEvent[], start: number, cursors: Map<string, StreamCursor>, limits: KvStoreLimits): Planned[] {
  const planned: Planned[] = [];
  const inCommit = new Map<string, number>();
  let ops = 0;
  let bytes = 0;
  for (let index = start; index < items.length; index += 1) {
    const item = items[index] as PendingEvent;
    const name = streamName(item.stream);
    const cursor = cursors.get(name);
    assert(cursor !== undefined, `no state for ${name}`);
    const record = encodeEventRecord(item.event, planned.length);
    const records = item.records ?? [];
    let addOps = 1 + 2 * records.length + 2;
    let addBytes = eventKey(item.stream, 1).length + record.length + 2 * DAY_ROW_BYTES + SUMMARY_GROWTH_BYTES;
    for (const extra of records) addBytes += 2 * extra.key.length + extra.value.length;
    if (!inCommit.has(name)) {
      addOps += 6;
      addBytes += STREAM_FIXED_BYTES + cursor.summaryBytes;
    }
    if (ops + addOps > limits.maxOpsPerCommit || bytes + addBytes > limits.maxCommitBytes) {
      if (planned.length === 0) throw new LimitExceeded('a single imported event does not fit one commit', 'maxCommitBytes');
      break;
    }
    ops += addOps;
    bytes += addBytes;
    inCommit.set(name, (inCommit.get(name) ?? 0) + 1);
    planned.push({ item, cursor, record });
  }
  return planned;
}

function build(planned: readonly Planned[]): { conditions: Condition[]; mutations: Mutation[]; streams: Map<string, { cursor: StreamCursor; events: DomainEvent[] }> } {
  const conditions: Condition[] = [];
  const mutations: Mutation[] = [];
  const streams = new Map<string, { cursor: StreamCursor; events: DomainEvent[] }>();
  for (const { item, cursor, record } of planned) {
    const name = streamName(item.stream);
    const group = streams.get(name) ?? { cursor, events: [] };
    streams.set(name, group);
    mutations.push({ type: 'put', key: eventKey(item.stream, cursor.version + group.events.length + 1), value: record });
    for (const extra of item.records ?? []) {
      conditions.push({ key: extra.key, op: 'absent' });
      mutations.push({ type: 'put', key: extra.key, value: extra.value });
    }
    cursor.folder.apply(item.event);
    group.events.push(item.event);
  }
  for (const { cursor, events } of streams.values()) {
    const { stream, folder } = cursor;
    conditions.push({ key: eventKey(stream, cursor.version + 1), op: 'absent' });
    if (cursor.version > 0) conditions.push({ key: eventKey(stream, cursor.version), op: 'present' });
    else mutations.push({ type: 'put', key: directoryKey(stream), value: utf8Encode('{}') });
    const last = events[events.length - 1] as DomainEvent;
    mutations.push({ type: 'put', key: headKey(stream), value: encodeJson({ version: folder.state.version, lastEventId: last.eventId }) });
    const rows = touchedRowMutations(folder.state, folder.takeTouched());
    cursor.summaryBytes = rows[0]?.type === 'put' ? rows[0].value.length : cursor.summaryBytes;
    mutations.push(...rows);
  }
  return { conditions, mutations, streams };
}

/**
 * `states`: each touched stream's current state (folded from the store just before). Streams of
 * at least `store.snapshotInterval` events get a fresh snapshot afterwards (best effort).
 */
export async function writeBatches(store: EventStore, items: readonly PendingEvent[], states: ReadonlyMap<string, StreamState>): Promise<BatchReport> {
  const cursors = new Map<string, StreamCursor>();
  for (const [name, state] of states) {
    cursors.set(name, { stream: streamOfState(state), folder: new Folder(state), version: state.version, summaryBytes: summaryRow(state).value.length });
  }
  const lastEventIds = new Map<string, string>();
  let commits = 0;
  for (let start = 0; start < items.length; ) {
    const planned = plan(items, start, cursors, store.kv.limits);
    const commit = build(planned);
    const size = opsAndBytes(commit.conditions, commit.mutations);
    assert(size.ops <= store.kv.limits.maxOpsPerCommit && size.bytes <= store.kv.limits.maxCommitBytes, 'import commit exceeds its planned bound');
    const result = await store.kv.commit(commit.conditions, commit.mutations);
    if (!result.ok) throw new AppendConflictError(`import batch ${commits + 1}`, 1);
    for (const [name, { cursor, events }] of commit.streams) {
      cursor.version += events.length;
      lastEventIds.set(name, (events[events.length - 1] as DomainEvent).eventId);
    }
    commits += 1;
    start += planned.length;
  }
  if (store.snapshotInterval > 0) {
    for (const [name, lastEventId] of lastEventIds) {
      const cursor = cursors.get(name) as StreamCursor;
      if (cursor.version >= store.snapshotInterval) await store.writeSnapshot(cursor.folder.state, lastEventId);
    }
  }
  return { events: items.length, commits };
}

function streamOfState(state: StreamState): StreamRef {
  return state.kind === 'user' ? { kind: 'user', id: state.userId } : { kind: 'team', id: state.teamId };
}
