/**
 * Test helpers: deterministic ids and clock, command builders and a given/when/then harness for
 * the pure decider. Not part of the published library (excluded from the lib build).
 */
import { expect } from 'vitest';
import type { Command, CommandMeta } from '../commands.js';
import { commandStream } from '../commands.js';
import { decide } from '../decide.js';
import type { DecideContext, Decision } from '../decide.js';
import type { DomainEvent, EventBody } from '../events.js';
import { evolveAll } from '../evolve.js';
import { parseMetricName, parseTeamId, parseUserId, unwrap } from '../ids.js';
import type { CommandId, MetricName, TeamId, UserId } from '../ids.js';
import { sequentialIds } from '../ports/ids.js';
import type { IdGenerator } from '../ports/ids.js';
import type { RejectionCode } from '../rejections.js';
import { initialTeamState, initialUserState } from '../state.js';
import type { StreamState } from '../state.js';
import { parseInstant } from '../time.js';
import type { Instant } from '../time.js';

export const user = (id: string): UserId => unwrap(parseUserId(id));
export const team = (id: string): TeamId => unwrap(parseTeamId(id));
export const metric = (name: string): MetricName => unwrap(parseMetricName(name));
export const at = (iso: string): Instant => unwrap(parseInstant(iso));

let commandCounter = 0;
export function meta(actor = 'alice'): CommandMeta {
  commandCounter += 1;
  return { commandId: `cmd-${commandCounter}` as CommandId, actor: user(actor) };
}

export const NOW = at('2026-03-10T12:00:00.000Z');

export function initialFor(command: Command): StreamState {
  const stream = commandStream(command);
  return stream.kind === 'user' ? initialUserState(stream.id) : initialTeamState(stream.id);
}

/** Decides each command in turn against its stream; returns accepted events per stream; throws on a rejection. */
export function historyByStream(
  commands: readonly Command[],
  ids: IdGenerator = sequentialIds(1),
  now: Instant = NOW,
): Map<string, DomainEvent[]> {
  const states = new Map<string, StreamState>();
  const events = new Map<string, DomainEvent[]>();
  for (const command of commands) {
    const key = streamKeyOf(command);
    const state = states.get(key) ?? initialFor(command);
    const decision = decide(state, command, now, ids, { isRegisteredUser: () => true });
    if (!decision.ok) throw new Error(`given: ${command.kind} rejected: ${decision.rejection.code} ${decision.rejection.message}`);
    states.set(key, evolveAll(state, decision.events));
    events.set(key, [...(events.get(key) ?? []), ...decision.events]);
  }
  return events;
}

export function streamKeyOf(command: Command): string {
  const stream = commandStream(command);
  return `${stream.kind}:${stream.id}`;
}

export interface Scenario {
  readonly decision: Decision;
  readonly state: StreamState;
}

/** given(previous commands) / when(command): the decision against the folded state of when's stream. */
export function givenWhen(
  given: readonly Command[],
  when: Command,
  options: { now?: Instant; context?: DecideContext } = {},
): Scenario {
  const now = options.now ?? NOW;
  const ids = sequentialIds(7);
  const past = historyByStream(given, ids, now).get(streamKeyOf(when)) ?? [];
  const state = evolveAll(initialFor(when), past);
  return { decision: decide(state, when, now, ids, options.context ?? { isRegisteredUser: () => true }), state };
}

export function bodies(decision: Decision): EventBody[] {
  if (!decision.ok) throw new Error(`expected events, got rejection ${decision.rejection.code}: ${decision.rejection.message}`);
  return decision.events.map((event) => ({ type: event.type, data: event.data }) as EventBody);
}

export function expectRejected(decision: Decision, code: RejectionCode): void {
  expect(decision.ok ? 'accepted' : decision.rejection.code).toBe(code);
  if (!decision.ok) expect(decision.rejection.message.length).toBeGreaterThan(0);
}
