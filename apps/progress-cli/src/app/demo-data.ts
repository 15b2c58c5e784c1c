/**
 * Demo data: a realistic, reproducible history for a few users and a team, produced by running
 * ordinary commands through the pure decider with a simulated clock (so recordedAt follows the
 * days), then laid out as JSON Lines for one atomic import.
 *
 * Invariants: deterministic for a seed and a "now"; nothing happens after "now"; every event is
 * what `decide` would write for the same command at that time.
 */
import { decide, eventToJsonlLine, evolveAll, initialTeamState, initialUserState, instantFromEpochMs, sequentialIds } from '@progress/domain';
import type { Command, CommandId, DomainEvent, MetricName, StreamRef, StreamState, TeamId, UserId } from '@progress/domain';
import { TZDate } from '@date-fns/tz';

export interface DemoOptions {
  readonly days: number;
  readonly seed: number;
  readonly nowMs: number;
  readonly timeZone: string;
}

interface Habit {
  readonly metric: string;
  readonly unit: string;
  /** Chance of an entry on a weekday / at the weekend. */
  readonly weekday: number;
  readonly weekend: number;
  readonly amount: readonly [min: number, max: number];
  readonly decimals: number;
  readonly hour: number;
  readonly notes?: readonly string[];
  readonly tags?: readonly string[];
  readonly goal?: { target: number; period: 'day' | 'week' | 'month' };
}

interface Person {
  readonly id: string;
  readonly name: string;
  readonly habits: readonly Habit[];
}

export const DEMO_PEOPLE: readonly Person[] = [
  {
    id: 'ada', name: 'Ada Lovelace', habits: [
      { metric: 'running', unit: 'km', weekday: 0.45, weekend: 0.8, amount: [3, 12], decimals: 1, hour: 7, notes: ['easy run', 'intervals', 'long run by the river'], tags: ['morning', 'trail'], goal: { target: 20, period: 'week' } },
      { metric: 'reading', unit: 'pages', weekday: 0.85, weekend: 0.7, amount: [10, 45], decimals: 0, hour: 21, notes: ['Sketch of the Analytical Engine', 'Middlemarch'], goal: { target: 25, period: 'day' } },
    ],
  },
  {
    id: 'grace', name: 'Grace Hopper', habits: [
      { metric: 'running', unit: 'km', weekday: 0.35, weekend: 0.6, amount: [4, 10], decimals: 1, hour: 18, tags: ['evening'], goal: { target: 15, period: 'week' } },
      { metric: 'meditation', unit: 'min', weekday: 0.9, weekend: 0.9, amount: [5, 20], decimals: 0, hour: 6, goal: { target: 10, period: 'day' } },
    ],
  },
  {
    id: 'alan', name: 'Alan Turing', habits: [
      { metric: 'running', unit: 'km', weekday: 0.55, weekend: 0.7, amount: [5, 16], decimals: 1, hour: 17, notes: ['hill repeats', 'tempo'], goal: { target: 30, period: 'week' } },
      { metric: 'pushups', unit: 'count', weekday: 0.6, weekend: 0.3, amount: [15, 40], decimals: 0, hour: 8, goal: { target: 600, period: 'month' } },
    ],
  },
];

export const DEMO_TEAM = { id: 'core', name: 'Core team' } as const;

/** mulberry32: small, fast, good enough for demo data. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Stream {
  ref: StreamRef;
  state: StreamState;
  events: { event: DomainEvent; version: number }[];
  /** recordedAt of the stream's newest event: kept strictly increasing. */
  lastMs: number;
}

export interface DemoData {
  readonly jsonl: string;
  readonly events: number;
  readonly users: readonly string[];
  readonly team: string;
}

export function generateDemo(options: DemoOptions): DemoData {
  const rand = random(options.seed);
  const ids = sequentialIds(options.seed);
  const streams = new Map<string, Stream>();
  const all: { at: number; seq: number; stream: Stream; event: DomainEvent; version: number }[] = [];
  let seq = 0;
  const zone = options.timeZone;
  const dayStart = (offset: number): TZDate => {
    const now = new TZDate(options.nowMs, zone);
    return new TZDate(now.getFullYear(), now.getMonth(), now.getDate() + offset, 0, 0, 0, 0, zone);
  };
  const run = (ref: StreamRef, atMs: number, build: (commandId: CommandId) => Command): readonly DomainEvent[] => {
    const key = `${ref.kind}:${ref.id}`;
    const stream = streams.get(key) ?? { ref, state: ref.kind === 'user' ? initialUserState(ref.id) : initialTeamState(ref.id), events: [], lastMs: 0 };
    streams.set(key, stream);
    const wanted = Math.min(Math.max(atMs + 60_000 + Math.floor(rand() * 600_000), stream.lastMs + 1000), options.nowMs);
    const nowMs = wanted > stream.lastMs ? wanted : stream.lastMs + 1;
    stream.lastMs = nowMs;
    const now = instantFromEpochMs(nowMs);
    const decision = decide(stream.state, build(ids.commandId()), now, ids, {
      isRegisteredUser: (userId) => streams.get(`user:${userId}`)?.state.version !== undefined,
    });
    if (!decision.ok) return [];
    stream.state = evolveAll(stream.state, decision.events);
    for (const event of decision.events) {
      const version = stream.events.length + 1;
      stream.events.push({ event, version });
      all.push({ at: Date.parse(event.recordedAt), seq: seq++, stream, event, version });
    }
    return decision.events;
  };

  const firstDay = dayStart(-(options.days - 1)).getTime();
  for (const person of DEMO_PEOPLE) {
    const userId = person.id as UserId;
    run({ kind: 'user', id: userId }, firstDay - 3_600_000, (commandId) => ({ kind: 'RegisterUser', commandId, actor: userId, userId, displayName: person.name, timeZone: zone }));
  }
  const teamId = DEMO_TEAM.id as TeamId;
  const ada = 'ada' as UserId;
  run({ kind: 'team', id: teamId }, firstDay - 3_000_000, (commandId) => ({ kind: 'CreateTeam', commandId, actor: ada, teamId, name: DEMO_TEAM.name, timeZone: zone }));
  for (const person of DEMO_PEOPLE) {
    run({ kind: 'team', id: teamId }, firstDay - 2_400_000, (commandId) => ({ kind: 'AddMember', commandId, actor: ada, teamId, userId: person.id as UserId }));
  }

  for (let offset = -(options.days - 1); offset <= 0; offset += 1) {
    const day = dayStart(offset);
    const weekend = day.getDay() === 0 || day.getDay() === 6;
    for (const person of DEMO_PEOPLE) {
      const userId = person.id as UserId;
      const ref: StreamRef = { kind: 'user', id: userId };
      const slump = Math.sin((offset + person.id.length * 7) / 9) * 0.15;
      for (const habit of person.habits) {
        if (rand() > (weekend ? habit.weekend : habit.weekday) + slump) continue;
        const atMs = day.getTime() + (habit.hour * 60 + Math.floor(rand() * 90)) * 60_000;
        if (atMs > options.nowMs) continue;
        const scale = 10 ** habit.decimals;
        const amount = Math.round((habit.amount[0] + rand() * (habit.amount[1] - habit.amount[0])) * scale) / scale;
        const note = habit.notes !== undefined && rand() < 0.25 ? habit.notes[Math.floor(rand() * habit.notes.length)] : undefined;
        const tag = habit.tags !== undefined && rand() < 0.4 ? habit.tags[Math.floor(rand() * habit.tags.length)] : undefined;
        const events = run(ref, atMs, (commandId) => ({
          kind: 'RecordProgress', commandId, actor: userId, userId, metric: habit.metric as MetricName, amount, unit: habit.unit,
          occurredAt: instantFromEpochMs(atMs), ...(note === undefined ? {} : { note }), ...(tag === undefined ? {} : { tags: [tag] }),
        }));
        const recorded = events[0];
        if (recorded?.type === 'ProgressRecorded' && rand() < 0.03) {
          run(ref, atMs + 600_000, (commandId) => ({ kind: 'AmendEntry', commandId, actor: userId, userId, entryId: recorded.data.entryId, changes: { amount: Math.round(amount * 1.1 * scale) / scale } }));
        }
      }
      if (offset === -(options.days - 1) + 2) {
        for (const habit of person.habits) {
          if (habit.goal === undefined) continue;
          const goal = habit.goal;
          run(ref, day.getTime() + 20 * 3_600_000, (commandId) => ({ kind: 'SetGoal', commandId, actor: userId, userId, metric: habit.metric as MetricName, target: goal.target, period: goal.period }));
        }
      }
    }
  }
  // Each stream's recordedAt strictly increases, so this order keeps every stream's versions in order.
  const ordered = [...all].sort((a, b) => a.at - b.at || a.seq - b.seq);
  return {
    jsonl: ordered.map((item) => eventToJsonlLine(item.stream.ref, item.version, item.event)).join(''),
    events: ordered.length,
    users: DEMO_PEOPLE.map((person) => person.id),
    team: DEMO_TEAM.id,
  };
}
