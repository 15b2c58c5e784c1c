/**
 * The command mix of the CLI kill -9 cycles: what to run next (chosen from the store's current
 * events, so every command is valid) and what it must have appended if it took effect at all.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportedEvent, Rng } from './harness.js';
import { seededUuid } from './harness.js';

export const DEFAULT_USER = 'tester';

/** One expected event of a command that took effect: stream, type and a subset of its data. */
export interface Expected {
  readonly stream: string;
  readonly type: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

export interface Plan {
  readonly kind: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Checks the events the command appended (never empty); returns a problem or null. */
  verify(fresh: readonly ExportedEvent[], before: readonly ExportedEvent[]): string | null;
  /** Exit codes allowed when the command ran to the end (a rejection must append nothing). */
  readonly okCodes: readonly number[];
}

interface Model {
  readonly users: Set<string>;
  /** the default user's entries: id -> retracted */
  readonly entries: Map<string, boolean>;
  readonly teams: Map<string, Set<string>>;
  readonly metrics: Set<string>;
  /** the default user's goals: metric -> target (a goal set to the same target is refused) */
  readonly goals: Map<string, number>;
}

export function modelOf(events: readonly ExportedEvent[]): Model {
  const model: Model = { users: new Set(), entries: new Map(), teams: new Map(), metrics: new Set(), goals: new Map() };
  for (const { stream, event } of events) {
    const [kind, id = ''] = stream.split(':');
    const data = event.data;
    if (kind === 'user') {
      if (event.type === 'UserRegistered') model.users.add(id);
      if (id !== DEFAULT_USER) continue;
      const entryId = typeof data.entryId === 'string' ? data.entryId : '';
      if (event.type === 'ProgressRecorded') {
        model.entries.set(entryId, false);
        if (typeof data.metric === 'string') model.metrics.add(data.metric);
      }
      if (event.type === 'EntryRetracted') model.entries.set(entryId, true);
      if (event.type === 'EntryRestored') model.entries.set(entryId, false);
      if (event.type === 'GoalSet' && typeof data.metric === 'string' && typeof data.target === 'number') model.goals.set(data.metric, data.target);
      if (event.type === 'GoalCleared' && typeof data.metric === 'string') model.goals.delete(data.metric);
    } else {
      if (event.type === 'TeamCreated') model.teams.set(id, new Set());
      const member = typeof data.userId === 'string' ? data.userId : '';
      if (event.type === 'MemberAdded') model.teams.get(id)?.add(member);
      if (event.type === 'MemberRemoved') model.teams.get(id)?.delete(member);
    }
  }
  return model;
}

function matches(fresh: readonly ExportedEvent[], expected: readonly Expected[]): string | null {
  const shown = (): string => fresh.map((item) => `${item.stream}:${item.event.type}`).join(', ');
  if (fresh.length !== expected.length) return `expected ${expected.length} events (${expected.map((e) => e.type).join(', ')}), found ${fresh.length}: ${shown()}`;
  for (const [index, want] of expected.entries()) {
    const got = fresh[index] as ExportedEvent;
    if (got.stream !== want.stream || got.event.type !== want.type) return `event ${index}: expected ${want.stream}:${want.type}, found ${shown()}`;
    for (const [key, value] of Object.entries(want.data ?? {})) {
      if (JSON.stringify(got.event.data[key]) !== JSON.stringify(value)) return `event ${index} ${want.type}: data.${key} is ${JSON.stringify(got.event.data[key])}, expected ${JSON.stringify(value)}`;
    }
  }
  return null;
}

function expecting(kind: string, args: readonly string[], expected: readonly Expected[], env?: NodeJS.ProcessEnv): Plan {
  return { kind, args, ...(env === undefined ? {} : { env }), okCodes: [0], verify: (fresh) => matches(fresh, expected) };
}

/** `progress undo`: CommandUndone{target} followed by one compensation per event of the target. */
function undoPlan(): Plan {
  return {
    kind: 'undo',
    args: ['undo'],
    okCodes: [0, 1], // NOTHING_TO_UNDO / UNDO_NOT_APPLICABLE are fine, and append nothing
    verify: (fresh, before) => {
      const first = fresh[0] as ExportedEvent;
      if (first.event.type !== 'CommandUndone' || first.stream !== `user:${DEFAULT_USER}`) return `undo appended ${first.stream}:${first.event.type} first`;
      if (fresh.some((item) => item.event.commandId !== first.event.commandId || item.stream !== first.stream)) return 'undo events of more than one command or stream';
      const target = first.event.data.undoneCommandId;
      const targetEvents = before.filter((item) => item.stream === first.stream && item.event.commandId === target).length;
      if (targetEvents === 0) return `undo names command ${String(target)}, which is not in the stream`;
      return fresh.length === 1 + targetEvents ? null : `undo of a ${targetEvents}-event command appended ${fresh.length} events`;
    },
  };
}

/** A JSON Lines file of one new user: registration plus `count` entries, all with fixed ids. */
function importPlan(rng: Rng, dir: string, tag: string, count: number): Plan {
  const user = `imp-${tag}`;
  const base = Date.parse('2026-01-05T08:00:00.000Z');
  const lines: string[] = [];
  const envelope = (index: number): Record<string, unknown> => {
    const at = new Date(base + index * 60_000).toISOString();
    return { actor: user, commandId: seededUuid(rng), eventId: seededUuid(rng), occurredAt: at, recordedAt: at, timeZone: 'UTC' };
  };
  lines.push(JSON.stringify({
    event: { ...envelope(0), data: { displayName: user, userId: user }, schemaVersion: 1, type: 'UserRegistered' }, stream: `user:${user}`, version: 1,
  }));
  for (let index = 1; index <= count; index += 1) {
    const data = { amount: 1 + rng.int(500) / 10, entryId: `e${index}`, metric: 'reading', note: `${tag} line ${index}`, tags: [], unit: 'pages' };
    lines.push(JSON.stringify({ event: { ...envelope(index), data, schemaVersion: 2, type: 'ProgressRecorded' }, stream: `user:${user}`, version: index + 1 }));
  }
  const file = join(dir, `import-${tag}.jsonl`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const wanted = lines.map((line) => JSON.parse(line) as ExportedEvent);
  return {
    kind: 'import',
    args: ['import', file],
    okCodes: [0],
    verify: (fresh) => {
      if (fresh.length !== wanted.length) return `import of ${wanted.length} events left ${fresh.length}`;
      const byId = new Map(fresh.map((item) => [item.event.eventId, item]));
      for (const want of wanted) {
        const got = byId.get(want.event.eventId);
        if (got === undefined || JSON.stringify(sortKeys(got)) !== JSON.stringify(sortKeys(want))) return `imported event ${want.event.eventId} differs or is missing`;
      }
      return null;
    },
  };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortKeys(v)]));
}

/** The next command for the store whose events are `events`; `tag` is unique per cycle. */
export function nextPlan(rng: Rng, events: readonly ExportedEvent[], dir: string, tag: string, importSize: number): Plan {
  const model = modelOf(events);
  const me = `user:${DEFAULT_USER}`;
  const active = [...model.entries].filter(([, retracted]) => !retracted).map(([id]) => id);
  const others = [...model.users].filter((user) => user !== DEFAULT_USER);
  const roll = rng();
  const amount = String(1 + rng.int(200) / 10);
  const logPlan = (): Plan => expecting('log', ['log', 'running', amount, '--note', tag], [
    { stream: me, type: 'ProgressRecorded', data: { metric: 'running', amount: Number(amount), note: tag } },
  ]);
  if (!model.users.has(DEFAULT_USER)) {
    return expecting('log+register', ['log', 'running', amount, '--note', tag], [
      { stream: me, type: 'UserRegistered', data: { userId: DEFAULT_USER } },
      { stream: me, type: 'ProgressRecorded', data: { metric: 'running', note: tag } },
    ]);
  }
  if (roll < 0.2) return logPlan();
  if (roll < 0.3) {
    // a new default user: `log` registers it first (auto-registration) and then records
    const user = `n-${tag}`;
    return expecting('log+register', ['log', 'reading', amount, '--note', tag], [
      { stream: `user:${user}`, type: 'UserRegistered', data: { userId: user } },
      { stream: `user:${user}`, type: 'ProgressRecorded', data: { metric: 'reading', note: tag } },
    ], { PROGRESS_USER: user });
  }
  if (roll < 0.4) return importPlan(rng, dir, tag, importSize);
  if (roll < 0.5 && active.length > 0) {
    const entryId = rng.pick(active);
    return expecting('amend', ['amend', entryId, '--amount', amount], [{ stream: me, type: 'EntryAmended', data: { entryId } }]);
  }
  if (roll < 0.58 && active.length > 0) {
    const entryId = rng.pick(active);
    return expecting('retract', ['retract', entryId, '--reason', tag], [{ stream: me, type: 'EntryRetracted', data: { entryId } }]);
  }
  if (roll < 0.66 && model.metrics.has('running')) {
    // never the current target: the CLI refuses an unchanged goal (exit 1, nothing appended)
    let target = 10 + rng.int(40);
    if (target === model.goals.get('running')) target = target === 49 ? 10 : target + 1;
    return expecting('goal set', ['goal', 'set', 'running', String(target), '--per', 'week'], [
      { stream: me, type: 'GoalSet', data: { metric: 'running', target } },
    ]);
  }
  if (roll < 0.76) return undoPlan();
  if (roll < 0.82) {
    const team = `t-${tag}`;
    return expecting('team create', ['team', 'create', team, `Team ${tag}`], [{ stream: `team:${team}`, type: 'TeamCreated', data: { teamId: team } }]);
  }
  const candidates = [...model.teams].flatMap(([team, members]) => others.filter((user) => !members.has(user)).map((user) => [team, user] as const));
  if (roll < 0.92 && candidates.length > 0) {
    const [team, user] = rng.pick(candidates);
    return expecting('team add', ['team', 'add', team, user], [{ stream: `team:${team}`, type: 'MemberAdded', data: { userId: user } }]);
  }
  if (roll < 0.97) {
    const user = `u-${tag}`;
    return expecting('user add', ['user', 'add', user], [{ stream: `user:${user}`, type: 'UserRegistered', data: { userId: user } }]);
  }
  return logPlan();
}
