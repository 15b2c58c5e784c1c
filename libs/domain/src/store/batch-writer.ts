/**
 * Writes a prepared, validated sequence of new events (possibly over many streams) in as few
 * commits as the store's limits allow, in the given order. Each commit carries, per stream it
 * touches: the events (ord = position in the commit), the head, the directory entry for a new
 * stream, extra records (idempotency) and the stream's projection rows and checkpoints, guarded by
 * absent(ev:<first>) and present(ev:<first-1>). One commit when it fits (all or nothing); several
 * otherwise, each consistent on its own, so an interrupted import resumes by running it again.
 */
import type { DomainEvent } from '../events.js';
import { evolveAll } from '../evolve.js';
import { encodeJson, utf8Encode } from '../json.js';
import { LimitExceeded } from '../ports/kv-store.js';
import type { Condition, KvStoreLimits, Mutation } from '../ports/kv-store.js';
import type { StreamState } from '../state.js';
import { streamName } from '../streams.js';
import type { StreamRef } from '../streams.js';
import { AppendConflictError } from './errors.js';
import type { EventStore } from './event-store.js';
import { directoryKey, eventKey, headKey } from './key-layout.js';
import { incrementalRowMutations } from './projection-rows.js';
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

function buildCommit(items: readonly PendingEvent[], states: Map<string, StreamState>): { conditions: Condition[]; mutations: Mutation[]; after: Map<string, StreamState> } {
  const conditions: Condition[] = [];
  const mutations: Mutation[] = [];
  const after = new Map<string, StreamState>();
  const byStream = new Map<string, { stream: StreamRef; events: DomainEvent[] }>();
  items.forEach((item, ord) => {
    const name = streamName(item.stream);
    const group = byStream.get(name) ?? { stream: item.stream, events: [] };
    const before = states.get(name) as StreamState;
    const version = before.version + group.events.length + 1;
    mutations.push({ type: 'put', key: eventKey(item.stream, version), value: encodeEventRecord(item.event, ord) });
    for (const record of item.records ?? []) {
      conditions.push({ key: record.key, op: 'absent' });
      mutations.push({ type: 'put', key: record.key, value: record.value });
    }
    group.events.push(item.event);
    byStream.set(name, group);
  });
  for (const [name, { stream, events }] of byStream) {
    const before = states.get(name) as StreamState;
    const next = evolveAll(before, events);
    after.set(name, next);
    conditions.push({ key: eventKey(stream, before.version + 1), op: 'absent' });
    if (before.version > 0) conditions.push({ key: eventKey(stream, before.version), op: 'present' });
    else mutations.push({ type: 'put', key: directoryKey(stream), value: utf8Encode('{}') });
    const last = events[events.length - 1] as DomainEvent;
    mutations.push({ type: 'put', key: headKey(stream), value: encodeJson({ version: next.version, lastEventId: last.eventId }) });
    mutations.push(...incrementalRowMutations(before, next, events));
  }
  return { conditions, mutations, after };
}

function fits(commit: { conditions: Condition[]; mutations: Mutation[] }, limits: KvStoreLimits): boolean {
  if (commit.conditions.length + commit.mutations.length > limits.maxOpsPerCommit) return false;
  let bytes = 0;
  for (const item of [...commit.conditions, ...commit.mutations]) {
    bytes += item.key.length + ('type' in item && item.type === 'put' ? item.value.length : 0);
  }
  return bytes <= limits.maxCommitBytes;
}

/** `states`: each touched stream's current state (folded from the store just before). */
export async function writeBatches(store: EventStore, items: readonly PendingEvent[], states: Map<string, StreamState>): Promise<BatchReport> {
  let commits = 0;
  let start = 0;
  while (start < items.length) {
    let size = items.length - start;
    let commit = buildCommit(items.slice(start, start + size), states);
    while (!fits(commit, store.kv.limits)) {
      if (size === 1) throw new LimitExceeded('a single imported event does not fit one commit', 'maxCommitBytes');
      size = Math.max(1, Math.floor(size / 2));
      commit = buildCommit(items.slice(start, start + size), states);
    }
    const result = await store.kv.commit(commit.conditions, commit.mutations);
    if (!result.ok) throw new AppendConflictError(`import batch ${commits + 1}`, 1);
    for (const [name, state] of commit.after) states.set(name, state);
    commits += 1;
    start += size;
  }
  return { events: items.length, commits };
}
