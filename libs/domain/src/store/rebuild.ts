/**
 * Projection rebuild and freshness.
 *
 * - `ensureFreshProjections(store, stream)`: before deciding, the command handler checks the
 *   stream's checkpoints (summary row and daily-totals checkpoint: projection code version and
 *   stream version). Stale or missing rows are rebuilt for that stream from its events.
 * - `rebuildStream`: writes every row the folded state implies and deletes rows it no longer
 *   implies, guarded by absent(ev:<version+1>) so a concurrent append restarts it. When the rows
 *   exceed one commit, they go in several; the checkpoint and summary (which carry the version)
 *   go last, so an interrupted rebuild is detected as stale and redone. The state is folded from
 *   the events (never from a snapshot), and the stream's snapshot is then rewritten from it (or
 *   deleted when the stream is shorter than the snapshot interval).
 * - `rebuildAll`: every stream in the directory, then deletes rows of streams that do not exist.
 *   Output is deterministic, so a rebuild reproduces the incremental rows byte for byte.
 */
import { parseJsonBytes } from '../json.js';
import { DAILY_TOTALS, TEAM_SUMMARY, USER_SUMMARY } from '../projections/projection.js';
import { collect, prefixRange } from '../ports/kv-store.js';
import type { Condition, KvStore, Mutation } from '../ports/kv-store.js';
import type { StreamState } from '../state.js';
import { streamName } from '../streams.js';
import type { StreamRef } from '../streams.js';
import { chunkMutations } from './chunking.js';
import { AppendConflictError } from './errors.js';
import type { EventStore } from './event-store.js';
import { dailyCheckpointKey, dailyRowRange, DAILY_PREFIX, eventKey, parseDailyRowKey, snapshotKey, summaryKey } from './key-layout.js';
import { allProjectionRows } from './projection-rows.js';

export interface RebuildReport {
  readonly streams: number;
  readonly rowsWritten: number;
  readonly rowsDeleted: number;
  readonly commits: number;
}

const REBUILD_ATTEMPTS = 5;

async function checkpointOf(kv: KvStore, key: string): Promise<{ codeVersion: number; streamVersion: number } | null> {
  const entry = await kv.get(key);
  if (entry === undefined) return null;
  const parsed = parseJsonBytes(entry.value);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return null;
  const { codeVersion, streamVersion } = parsed.value as Record<string, unknown>;
  return typeof codeVersion === 'number' && typeof streamVersion === 'number' ? { codeVersion, streamVersion } : null;
}

export async function projectionsFresh(kv: KvStore, state: StreamState): Promise<boolean> {
  const stream: StreamRef = state.kind === 'user' ? { kind: 'user', id: state.userId } : { kind: 'team', id: state.teamId };
  const summaryInfo = state.kind === 'user' ? USER_SUMMARY : TEAM_SUMMARY;
  const summary = await checkpointOf(kv, summaryKey(stream));
  // A checkpoint AHEAD of the state just read is fresh too: another writer appended in between;
  // the append's version check settles that race, a rebuild here would only lose to it again.
  if (summary?.codeVersion !== summaryInfo.codeVersion || summary.streamVersion < state.version) return false;
  if (state.kind === 'team') return true;
  const daily = await checkpointOf(kv, dailyCheckpointKey(state.userId));
  return daily?.codeVersion === DAILY_TOTALS.codeVersion && daily.streamVersion >= state.version;
}

/** Loads the stream's state, rebuilding its projections first when they are stale. */
export async function ensureFreshProjections(store: EventStore, stream: StreamRef): Promise<StreamState> {
  const state = await store.loadState(stream);
  if (state.version === 0 || (await projectionsFresh(store.kv, state))) return state;
  await rebuildStream(store, stream);
  return store.loadState(stream);
}

export async function rebuildStream(store: EventStore, stream: StreamRef): Promise<RebuildReport> {
  for (let attempt = 1; attempt <= REBUILD_ATTEMPTS; attempt += 1) {
    const { state, lastEventId } = await store.replayState(stream);
    const desired = allProjectionRows(state);
    const existing = await existingRowKeys(store.kv, stream);
    const deletes: Mutation[] = existing.filter((key) => !desired.has(key)).map((key) => ({ type: 'delete', key }));
    const markers = new Set([summaryKey(stream), ...(stream.kind === 'user' ? [dailyCheckpointKey(stream.id)] : [])]);
    const puts = [...desired].map(([key, value]): Mutation => ({ type: 'put', key, value }));
    const ordered = [...deletes, ...puts.filter((m) => !markers.has(m.key)), ...puts.filter((m) => markers.has(m.key))];
    const conditions: Condition[] = [{ key: eventKey(stream, state.version + 1), op: 'absent' }];
    if (state.version > 0) conditions.push({ key: eventKey(stream, state.version), op: 'present' });
    const chunks = chunkMutations(ordered, conditions, store.kv.limits);
    let committed = 0;
    for (const chunk of chunks) {
      const result = await store.kv.commit(conditions, chunk);
      if (!result.ok) break;
      committed += 1;
    }
    if (committed === chunks.length) {
      const snapshotCommits = await rebuildSnapshot(store, state, lastEventId, conditions);
      return { streams: 1, rowsWritten: puts.length, rowsDeleted: deletes.length, commits: committed + snapshotCommits };
    }
  }
  throw new AppendConflictError(streamName(stream), REBUILD_ATTEMPTS);
}

/** Rewrites the stream's snapshot from the replayed state, or deletes it for a short stream. */
async function rebuildSnapshot(store: EventStore, state: StreamState, lastEventId: string, conditions: Condition[]): Promise<number> {
  if (store.snapshotInterval > 0 && state.version >= store.snapshotInterval) {
    // a second try after a lost guard: the first refreshed what this store knows of the key
    const written = (await store.writeSnapshot(state, lastEventId)) || (await store.writeSnapshot(state, lastEventId));
    return written ? 1 : 0;
  }
  const key = snapshotKey(state.kind === 'user' ? { kind: 'user', id: state.userId } : { kind: 'team', id: state.teamId });
  if ((await store.kv.get(key)) === undefined) return 0;
  await store.kv.commit(conditions, [{ type: 'delete', key }]);
  return 1;
}

async function existingRowKeys(kv: KvStore, stream: StreamRef): Promise<string[]> {
  const keys: string[] = [];
  if ((await kv.get(summaryKey(stream))) !== undefined) keys.push(summaryKey(stream));
  if (stream.kind === 'user') {
    keys.push(...(await collect(kv, dailyRowRange(stream.id))).map((entry) => entry.key));
    if ((await kv.get(dailyCheckpointKey(stream.id))) !== undefined) keys.push(dailyCheckpointKey(stream.id));
  }
  return keys;
}

/** Rebuilds every projection of every stream, and drops rows of streams that do not exist. */
export async function rebuildAll(store: EventStore): Promise<RebuildReport> {
  const streams = [...(await store.listStreams('user')), ...(await store.listStreams('team'))];
  let rowsWritten = 0;
  let rowsDeleted = 0;
  let commits = 0;
  for (const stream of streams) {
    const report = await rebuildStream(store, stream);
    rowsWritten += report.rowsWritten;
    rowsDeleted += report.rowsDeleted;
    commits += report.commits;
  }
  const users = new Set(streams.filter((stream) => stream.kind === 'user').map((stream) => stream.id as string));
  const orphans: Mutation[] = (await collect(store.kv, prefixRange(DAILY_PREFIX)))
    .filter((entry) => !users.has(parseDailyRowKey(entry.key)?.userId ?? entry.key.slice(`${DAILY_PREFIX}cp:`.length)))
    .map((entry) => ({ type: 'delete', key: entry.key }));
  for (const chunk of chunkMutations(orphans, [], store.kv.limits)) {
    await store.kv.commit([], chunk);
    commits += 1;
  }
  return { streams: streams.length, rowsWritten, rowsDeleted: rowsDeleted + orphans.length, commits };
}

/** Every projection row in the store (summaries of known streams and all `proj:` keys), for comparison. */
export async function projectionSnapshot(store: EventStore): Promise<Map<string, Uint8Array>> {
  const rows = new Map<string, Uint8Array>();
  for (const stream of [...(await store.listStreams('user')), ...(await store.listStreams('team'))]) {
    const summary = await store.kv.get(summaryKey(stream));
    if (summary !== undefined) rows.set(summary.key, summary.value);
  }
  for (const entry of await collect(store.kv, prefixRange('proj:'))) rows.set(entry.key, entry.value);
  return rows;
}
