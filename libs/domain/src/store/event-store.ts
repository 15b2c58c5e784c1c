/**
 * EventStore: event streams laid out on a KvStore (key-layout.ts).
 *
 * Append protocol (DESIGN.md "Append protocol"): one commit holds the events, the stream head, the
 * idempotency record, the stream's projection rows and their checkpoint, guarded by
 *   absent(ev:<expected+1>)  [and present(ev:<expected>) when expected > 0]  [and absent(idem:<key>)].
 * Events are immutable and versions gap-free, so "ev:<expected+1> is absent" is exactly "the stream
 * is still at the expected version", and no global key is read or written.
 * A CommitOutcomeUnknown is settled by reading ev:<expected+1> back and comparing event ids.
 *
 * Loading a stream (DESIGN.md "Snapshots"): from the newest state this EventStore already holds
 * for it (a small LRU of folded states; events are immutable, so a state at version v stays a
 * valid prefix), else from the stream's snapshot, else from nothing; then the events after that
 * version are read and folded. So a command costs O(events since the snapshot), not O(stream).
 */
import { assert } from '../assert.js';
import type { DomainEvent } from '../events.js';
import { evolveAll } from '../evolve.js';
import { encodeJson, parseJsonBytes, utf8Encode } from '../json.js';
import { collect, CommitOutcomeUnknown, KvStoreError, scanAll } from '../ports/kv-store.js';
import type { Condition, KvStore, Mutation, Revision } from '../ports/kv-store.js';
import { initialTeamState, initialUserState } from '../state.js';
import type { StreamState } from '../state.js';
import { streamName } from '../streams.js';
import type { StreamRef } from '../streams.js';
import type { Instant } from '../time.js';
import { FormatMismatchError, StreamCorruptedError } from './errors.js';
import {
  directoryKey, directoryRange, eventKey, eventRange, FORMAT_KEY, FORMAT_VERSION, headKey, idempotencyKeyFor,
  parseDirectoryKey, snapshotKey,
} from './key-layout.js';
import { incrementalRowMutations } from './projection-rows.js';
import { comparePositions, decodeEventRecord, encodeEventRecord } from './stored-event.js';
import type { StoredEvent } from './stored-event.js';
import { decodeSnapshot, DEFAULT_SNAPSHOT_INTERVAL, encodeSnapshot } from './snapshot.js';

export interface EventStoreOptions {
  /** Appends write a stream snapshot every this many events; 0 never does. Default 500. */
  readonly snapshotInterval?: number;
  /** Folded stream states kept in memory (least recently used go first); 0 keeps none. Default 1024. */
  readonly cachedStreams?: number;
}

interface Loaded {
  readonly state: StreamState;
  /** Event id at `state.version` ('' at version 0). */
  readonly lastEventId: string;
}

/** What this EventStore last saw of a stream's snapshot key (for the next guarded write). */
interface SnapshotSeen {
  readonly version: number;
  readonly modRevision: Revision;
}

/** Read only events committed at or before a revision, and/or recorded at or before an instant. */
export interface Cutoff {
  readonly revision?: Revision;
  readonly recordedAt?: Instant;
}

export interface AppendRequest {
  /** State folded from the stream at the expected version (before.version). */
  readonly before: StreamState;
  readonly events: readonly DomainEvent[];
  readonly idempotency?: { readonly key: string; readonly record: Uint8Array };
}

export type AppendOutcome =
  | { readonly ok: true; readonly revision: Revision; readonly after: StreamState; readonly stored: readonly StoredEvent[] }
  | { readonly ok: false; readonly reason: 'conflict' };

export function streamOf(state: StreamState): StreamRef {
  return state.kind === 'user' ? { kind: 'user', id: state.userId } : { kind: 'team', id: state.teamId };
}

export function initialStateOf(stream: StreamRef): StreamState {
  return stream.kind === 'user' ? initialUserState(stream.id) : initialTeamState(stream.id);
}

const SETTLE_ATTEMPTS = 3;

export class EventStore {
  readonly snapshotInterval: number;
  private readonly cachedStreams: number;
  private readonly cache = new Map<string, Loaded>();
  private readonly snapshots = new Map<string, SnapshotSeen>();

  private constructor(
    readonly kv: KvStore,
    options: EventStoreOptions,
  ) {
    this.snapshotInterval = options.snapshotInterval ?? DEFAULT_SNAPSHOT_INTERVAL;
    this.cachedStreams = options.cachedStreams ?? 1024;
    assert(Number.isSafeInteger(this.snapshotInterval) && this.snapshotInterval >= 0, 'snapshotInterval must be a whole number >= 0');
    assert(Number.isSafeInteger(this.cachedStreams) && this.cachedStreams >= 0, 'cachedStreams must be a whole number >= 0');
  }

  /** Opens the event store on `kv`, writing the format marker into an empty store. */
  static async open(kv: KvStore, options: EventStoreOptions = {}): Promise<EventStore> {
    const existing = await kv.get(FORMAT_KEY);
    if (existing === undefined) {
      await kv.commit([{ key: FORMAT_KEY, op: 'absent' }], [{ type: 'put', key: FORMAT_KEY, value: encodeJson({ formatVersion: FORMAT_VERSION }) }]);
    } else {
      const parsed = parseJsonBytes(existing.value);
      const version = parsed.ok ? (parsed.value as { formatVersion?: unknown }).formatVersion : undefined;
      if (version !== FORMAT_VERSION) {
        throw new FormatMismatchError(`store format ${String(version)} is not ${FORMAT_VERSION}; this program cannot use it`);
      }
    }
    return new EventStore(kv, options);
  }

  async readStream(stream: StreamRef, options: { fromVersion?: number; cutoff?: Cutoff } = {}): Promise<StoredEvent[]> {
    const fromVersion = options.fromVersion ?? 1;
    const entries = await collect(this.kv, eventRange(stream, fromVersion));
    const out: StoredEvent[] = [];
    for (const [index, entry] of entries.entries()) {
      const stored = decodeOrCorrupt(stream, entry);
      if (stored.version !== fromVersion + index) {
        throw new StreamCorruptedError(`${streamName(stream)} has a gap before version ${stored.version}`, entry.key);
      }
      if (!withinCutoff(stored, options.cutoff)) break;
      out.push(stored);
    }
    return out;
  }

  /** Folds the whole stream from its first event, ignoring cache and snapshot (rebuild, checks). */
  async replayState(stream: StreamRef): Promise<{ state: StreamState; lastEventId: string }> {
    const stored = await this.readStream(stream);
    const state = evolveAll(initialStateOf(stream), stored.map((item) => item.event));
    return { state, lastEventId: stored[stored.length - 1]?.event.eventId ?? '' };
  }

  /**
   * The stream's current state: the cached or snapshot state plus the events after it. With a
   * cutoff (as-of), a replay from the first event, which is what as-of means.
   */
  async loadState(stream: StreamRef, cutoff?: Cutoff): Promise<StreamState> {
    if (cutoff !== undefined) {
      const stored = await this.readStream(stream, { cutoff });
      return evolveAll(initialStateOf(stream), stored.map((item) => item.event));
    }
    const name = streamName(stream);
    const base = this.cache.get(name) ?? (await this.loadSnapshot(stream)) ?? { state: initialStateOf(stream), lastEventId: '' };
    const tail = await this.readStream(stream, { fromVersion: base.state.version + 1 });
    const last = tail[tail.length - 1];
    const loaded = last === undefined ? base : { state: evolveAll(base.state, tail.map((item) => item.event)), lastEventId: last.event.eventId };
    this.remember(name, loaded);
    return loaded.state;
  }

  /** The stored snapshot, if usable: decodable, of this code version, and its last event still in place. */
  private async loadSnapshot(stream: StreamRef): Promise<Loaded | undefined> {
    const entry = await this.kv.get(snapshotKey(stream));
    const name = streamName(stream);
    if (entry === undefined) {
      this.snapshots.set(name, { version: 0, modRevision: 0n });
      return undefined;
    }
    const decoded = decodeSnapshot(entry.value, stream);
    if (!decoded.ok) {
      this.snapshots.set(name, { version: 0, modRevision: entry.modRevision }); // replaced at the next interval
      return undefined;
    }
    const at = await this.kv.get(eventKey(stream, decoded.header.streamVersion));
    if (at === undefined || decodeOrCorrupt(stream, at).event.eventId !== decoded.header.lastEventId) {
      this.snapshots.set(name, { version: 0, modRevision: entry.modRevision });
      return undefined;
    }
    this.snapshots.set(name, { version: decoded.header.streamVersion, modRevision: entry.modRevision });
    return { state: decoded.state, lastEventId: decoded.header.lastEventId };
  }

  private remember(name: string, loaded: Loaded): void {
    if (this.cachedStreams === 0) return;
    const cached = this.cache.get(name);
    if (cached !== undefined && cached.state.version > loaded.state.version) return; // keep the newer
    this.cache.delete(name);
    this.cache.set(name, loaded);
    if (this.cache.size > this.cachedStreams) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) {
        this.cache.delete(oldest.value);
        this.snapshots.delete(oldest.value);
      }
    }
  }

  /**
   * Writes the stream's snapshot at `state.version` in its own commit, guarded by the snapshot key's
   * revision as last seen (a concurrent writer's newer snapshot is kept) and by the event at that
   * version. Best effort: a snapshot beyond the store's limits, a lost race or an unavailable store
   * leaves the old snapshot (or none), which only makes loads fold more events. Returns whether written.
   */
  async writeSnapshot(state: StreamState, lastEventId: string): Promise<boolean> {
    const stream = streamOf(state);
    const name = streamName(stream);
    const key = snapshotKey(stream);
    if (state.version === 0) return false;
    const value = encodeSnapshot(state, lastEventId);
    const seen = this.snapshots.get(name) ?? (await this.seeSnapshot(stream));
    const limits = this.kv.limits;
    if (value.length > limits.maxValueBytes || value.length + key.length * 2 + 64 > limits.maxCommitBytes) {
      this.snapshots.set(name, { version: state.version, modRevision: seen.modRevision }); // do not retry every append
      return false;
    }
    try {
      const result = await this.kv.commit(
        [{ key, op: 'modRevision', equals: seen.modRevision }, { key: eventKey(stream, state.version), op: 'present' }],
        [{ type: 'put', key, value }],
      );
      if (result.ok) {
        this.snapshots.set(name, { version: state.version, modRevision: result.revision });
        return true;
      }
      await this.seeSnapshot(stream);
      return false;
    } catch (error) {
      if (error instanceof KvStoreError) {
        this.snapshots.delete(name); // outcome unknown: read the key again before the next write
        return false;
      }
      throw error;
    }
  }

  private async seeSnapshot(stream: StreamRef): Promise<SnapshotSeen> {
    const entry = await this.kv.get(snapshotKey(stream));
    const decoded = entry === undefined ? undefined : decodeSnapshot(entry.value, stream);
    const seen = { version: decoded?.header?.streamVersion ?? 0, modRevision: entry?.modRevision ?? 0n };
    this.snapshots.set(streamName(stream), seen);
    return seen;
  }

  async streamExists(stream: StreamRef): Promise<boolean> {
    return (await this.kv.get(eventKey(stream, 1))) !== undefined;
  }

  async append(request: AppendRequest): Promise<AppendOutcome> {
    const stream = streamOf(request.before);
    const expected = request.before.version;
    assert(request.events.length > 0, 'append of no events');
    const after = evolveAll(request.before, request.events);
    const conditions: Condition[] = [{ key: eventKey(stream, expected + 1), op: 'absent' }];
    if (expected > 0) conditions.push({ key: eventKey(stream, expected), op: 'present' });
    const mutations: Mutation[] = request.events.map((event, index) => ({
      type: 'put',
      key: eventKey(stream, expected + index + 1),
      value: encodeEventRecord(event, index),
    }));
    const last = request.events[request.events.length - 1] as DomainEvent;
    mutations.push({ type: 'put', key: headKey(stream), value: encodeJson({ version: after.version, lastEventId: last.eventId }) });
    if (expected === 0) mutations.push({ type: 'put', key: directoryKey(stream), value: utf8Encode('{}') });
    if (request.idempotency !== undefined) {
      const key = idempotencyKeyFor(stream, request.idempotency.key);
      conditions.push({ key, op: 'absent' });
      mutations.push({ type: 'put', key, value: request.idempotency.record });
    }
    mutations.push(...incrementalRowMutations(request.before, after, request.events));
    const revision = await this.commitSettled(stream, expected, request.events[0] as DomainEvent, conditions, mutations);
    if (revision === null) return { ok: false, reason: 'conflict' };
    const stored = request.events.map((event, index) => ({
      stream, version: expected + index + 1, position: { revision, ord: index }, event,
    }));
    const name = streamName(stream);
    this.remember(name, { state: after, lastEventId: last.eventId });
    const sinceSnapshot = after.version - (this.snapshots.get(name)?.version ?? 0);
    if (this.snapshotInterval > 0 && sinceSnapshot >= this.snapshotInterval) await this.writeSnapshot(after, last.eventId);
    return { ok: true, revision, after, stored };
  }

  /** Commits; on an unknown outcome reads ev:<expected+1> back. Returns the revision, or null on conflict. */
  private async commitSettled(
    stream: StreamRef, expected: number, first: DomainEvent, conditions: Condition[], mutations: Mutation[],
  ): Promise<Revision | null> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await this.kv.commit(conditions, mutations);
        return result.ok ? result.revision : null;
      } catch (error) {
        if (!(error instanceof CommitOutcomeUnknown)) throw error;
        const landed = await this.kv.get(eventKey(stream, expected + 1));
        if (landed !== undefined) {
          const stored = decodeOrCorrupt(stream, landed);
          return stored.event.eventId === first.eventId ? landed.modRevision : null;
        }
        if (attempt >= SETTLE_ATTEMPTS) throw error; // still unknown and not visible: report honestly
      }
    }
  }

  async readIdempotencyRecord(stream: StreamRef, key: string): Promise<Uint8Array | undefined> {
    return (await this.kv.get(idempotencyKeyFor(stream, key)))?.value;
  }

  /** Every stream of a kind (from the directory), in key order. */
  async listStreams(kind: StreamRef['kind']): Promise<StreamRef[]> {
    const out: StreamRef[] = [];
    for await (const entry of scanAll(this.kv, directoryRange(kind))) {
      const stream = parseDirectoryKey(entry.key);
      if (stream !== null) out.push(stream);
    }
    return out;
  }

  /**
   * All events of all streams in global order (commit revision, then ord): a streaming k-way
   * merge of the per-stream logs, each already in revision order. No `$all` index is needed.
   */
  async *readAll(cutoff?: Cutoff): AsyncGenerator<StoredEvent> {
    const streams = [...(await this.listStreams('user')), ...(await this.listStreams('team'))];
    const cursors = await Promise.all(streams.map(async (stream) => openCursor(this.kv, stream)));
    const live = cursors.filter((cursor) => cursor.current !== undefined);
    while (live.length > 0) {
      let best = 0;
      for (let index = 1; index < live.length; index += 1) {
        const candidate = (live[index] as Cursor).current as StoredEvent;
        if (comparePositions(candidate.position, ((live[best] as Cursor).current as StoredEvent).position) < 0) best = index;
      }
      const cursor = live[best] as Cursor;
      const event = cursor.current as StoredEvent;
      if (!withinCutoff(event, cutoff)) {
        live.splice(best, 1); // cutoffs cut each stream to a prefix, as readStream does
        continue;
      }
      yield event;
      await cursor.advance();
      if (cursor.current === undefined) live.splice(best, 1);
    }
  }
}

interface Cursor {
  current: StoredEvent | undefined;
  advance(): Promise<void>;
}

async function openCursor(kv: KvStore, stream: StreamRef): Promise<Cursor> {
  const iterator = scanAll(kv, eventRange(stream))[Symbol.asyncIterator]();
  const cursor: Cursor = {
    current: undefined,
    advance: async () => {
      const next = await iterator.next();
      cursor.current = next.done === true ? undefined : decodeOrCorrupt(stream, next.value);
    },
  };
  await cursor.advance();
  return cursor;
}

function withinCutoff(stored: StoredEvent, cutoff: Cutoff | undefined): boolean {
  if (cutoff === undefined) return true;
  if (cutoff.revision !== undefined && stored.position.revision > cutoff.revision) return false;
  if (cutoff.recordedAt !== undefined && stored.event.recordedAt > cutoff.recordedAt) return false;
  return true;
}

function decodeOrCorrupt(stream: StreamRef, entry: { key: string; value: Uint8Array; modRevision: Revision }): StoredEvent {
  try {
    return decodeEventRecord(stream, entry);
  } catch (error) {
    throw new StreamCorruptedError(error instanceof Error ? error.message : String(error), entry.key);
  }
}
