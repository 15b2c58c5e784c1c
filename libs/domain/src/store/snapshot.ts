/**
 * Stream snapshots: the folded decider state of one stream at a version, stored at
 * `<kind>:<id>:snap`, so loading a stream reads the snapshot and folds only the events after it
 * (DESIGN.md "Snapshots"). A snapshot is a disposable cache, never a source of truth:
 *
 * - it names the projection `stream-snapshot` with a code version; bump `SNAPSHOT.codeVersion`
 *   whenever the state shape or `evolve` changes meaning, and old snapshots are ignored (the
 *   stream is replayed from its events, and the next snapshot replaces the old one);
 * - it carries the version it reflects and the event id at that version; a loader uses it only if
 *   that event is still the one in the store (a store rebuilt under the same names, a restore);
 * - it is written after an append, in its own commit (never making an append bigger or fail),
 *   every `snapshotInterval` events, and by `rebuildStream`; one that would break a store limit
 *   (etcd values are limited to about 1.5 MiB) is simply not written.
 *
 * Encoding: canonical JSON (sorted keys), maps as arrays in their iteration order, so the same
 * state always gives the same bytes.
 */
import { OverlayMap } from '../overlay-map.js';
import { z } from 'zod';
import type { EntryId, MetricName, TeamId, UserId } from '../ids.js';
import { encodeJson, parseJsonBytes } from '../json.js';
import type { ProjectionInfo } from '../projections/projection.js';
import type { CommandRecord, DailyTotal, DayKey, EntryState, GoalState, StreamState, TeamState, UserState } from '../state.js';
import type { Instant, TimeZone } from '../time.js';

export const SNAPSHOT: ProjectionInfo = { name: 'stream-snapshot', codeVersion: 1 };

/**
 * Events between snapshots written by appends (a cold load folds at most this many). Each folded
 * event costs a read and a schema decode (~0.1-0.3 ms): at 500 a `progress log` folded ~250 events
 * on average, a fifth of its start-up budget (issue 7); a snapshot write is one extra commit per
 * interval.
 */
export const DEFAULT_SNAPSHOT_INTERVAL = 100;

export interface SnapshotHeader {
  readonly streamVersion: number;
  readonly lastEventId: string;
}

interface UserStateJson {
  readonly kind: 'user';
  readonly userId: UserId;
  readonly registered: boolean;
  readonly displayName: string;
  readonly timeZone: TimeZone;
  readonly version: number;
  readonly entryCount: number;
  readonly entries: readonly EntryState[];
  readonly metrics: readonly (readonly [MetricName, string])[];
  readonly goals: readonly GoalState[];
  readonly history: readonly CommandRecord[];
  readonly days: readonly DailyTotal[];
}

interface TeamStateJson {
  readonly kind: 'team';
  readonly teamId: TeamId;
  readonly exists: boolean;
  readonly name: string;
  readonly timeZone: TimeZone;
  readonly version: number;
  readonly members: readonly (readonly [UserId, Instant])[];
  readonly history: readonly CommandRecord[];
}

function stateToJson(state: StreamState): UserStateJson | TeamStateJson {
  if (state.kind === 'team') {
    return {
      kind: 'team', teamId: state.teamId, exists: state.exists, name: state.name, timeZone: state.timeZone,
      version: state.version, members: [...state.members], history: state.history,
    };
  }
  return {
    kind: 'user', userId: state.userId, registered: state.registered, displayName: state.displayName,
    timeZone: state.timeZone, version: state.version, entryCount: state.entryCount,
    entries: [...state.entries.values()],
    metrics: [...state.metrics].map(([metric, { unit }]) => [metric, unit] as const),
    goals: [...state.goals.values()],
    history: state.history,
    days: [...state.days.values()],
  };
}

const dayKeyOf = (total: DailyTotal): DayKey => `${total.metric}\u0000${total.date}`;

function stateFromJson(json: UserStateJson | TeamStateJson): StreamState {
  if (json.kind === 'team') {
    const team: TeamState = { ...json, members: new Map(json.members), history: json.history };
    return team;
  }
  const user: UserState = {
    ...json,
    entries: OverlayMap.from(new Map(json.entries.map((entry): [EntryId, EntryState] => [entry.entryId, entry]))),
    metrics: new Map(json.metrics.map(([metric, unit]): [MetricName, { unit: string }] => [metric, { unit }])),
    goals: new Map(json.goals.map((goal): [MetricName, GoalState] => [goal.metric, goal])),
    days: new Map(json.days.map((total): [DayKey, DailyTotal] => [dayKeyOf(total), total])),
  };
  return user;
}

export function encodeSnapshot(state: StreamState, lastEventId: string): Uint8Array {
  return encodeJson({
    projection: SNAPSHOT.name,
    codeVersion: SNAPSHOT.codeVersion,
    streamVersion: state.version,
    lastEventId,
    state: stateToJson(state),
  });
}

/**
 * The envelope is checked; the state inside is trusted as written by `encodeSnapshot` of the same
 * code version (checking every entry with zod would cost what the snapshot saves).
 */
const SnapshotEnvelope = z.object({
  projection: z.literal(SNAPSHOT.name),
  codeVersion: z.number().int(),
  streamVersion: z.number().int().positive(),
  lastEventId: z.string().min(1),
  state: z.looseObject({ kind: z.enum(['user', 'team']), version: z.number().int() }),
});

export type DecodedSnapshot =
  | { readonly ok: true; readonly header: SnapshotHeader; readonly state: StreamState }
  /** Unusable: another code version, or not a snapshot of this stream. Replay instead. */
  | { readonly ok: false; readonly reason: string; readonly header: SnapshotHeader | null };

export function decodeSnapshot(bytes: Uint8Array, stream: { readonly kind: 'user' | 'team'; readonly id: string }): DecodedSnapshot {
  const parsed = parseJsonBytes(bytes);
  const envelope = parsed.ok ? SnapshotEnvelope.safeParse(parsed.value) : undefined;
  if (envelope === undefined || !envelope.success) return { ok: false, reason: 'not a snapshot', header: null };
  const { codeVersion, streamVersion, lastEventId, state } = envelope.data;
  const header = { streamVersion, lastEventId };
  if (codeVersion !== SNAPSHOT.codeVersion) return { ok: false, reason: `snapshot code version ${codeVersion}`, header };
  const json = state as unknown as UserStateJson | TeamStateJson;
  const id = json.kind === 'user' ? json.userId : json.teamId;
  if (json.kind !== stream.kind || id !== stream.id || json.version !== streamVersion) {
    return { ok: false, reason: 'snapshot of another stream or version', header };
  }
  return { ok: true, header, state: stateFromJson(json) };
}
