/**
 * decide() for user-stream commands. Each function checks the rules of one command in a fixed
 * order (registration first, then the referenced entity, then the values) and plans event bodies.
 */
import type { AmendEntry, ChangeTimeZone, ClearGoal, RecordProgress, RegisterUser, RenameUser, RetractEntry, SetGoal } from './commands.js';
import type { EntryChanges } from './events.js';
import type { EntryId, MetricName } from './ids.js';
import { reject } from './rejections.js';
import type { Rejection } from './rejections.js';
import type { EntryState, UserState } from './state.js';
import type { Instant } from './time.js';
import type { Planned, PlanResult } from './plan.js';
import { checkAmount, checkOccurredAt, checkOptionalText, checkTags, checkText, checkTimeZone, LIMITS } from './validation.js';

const planned = (...items: Planned[]): PlanResult => ({ ok: true, planned: items });
const rejected = (rejection: Rejection): PlanResult => ({ ok: false, rejection });
const notRegistered = (state: UserState): PlanResult =>
  rejected(reject('USER_NOT_REGISTERED', `user ${state.userId} is not registered`));

export function planRegister(state: UserState, command: RegisterUser): PlanResult {
  if (state.registered) return rejected(reject('USER_ALREADY_REGISTERED', `user ${state.userId} is already registered`));
  const name = checkText('display name', command.displayName, LIMITS.displayNameChars);
  if (!name.ok) return rejected(name.rejection);
  const zone = checkTimeZone(command.timeZone);
  if (!zone.ok) return rejected(zone.rejection);
  return planned({
    body: { type: 'UserRegistered', data: { userId: state.userId, displayName: name.value } },
    timeZone: zone.value,
  });
}

export function planRename(state: UserState, command: RenameUser): PlanResult {
  if (!state.registered) return notRegistered(state);
  const name = checkText('display name', command.displayName, LIMITS.displayNameChars);
  if (!name.ok) return rejected(name.rejection);
  if (name.value === state.displayName) return rejected(reject('NO_CHANGES', `user ${state.userId} already has that name`));
  return planned({ body: { type: 'UserRenamed', data: { displayName: name.value } } });
}

export function planChangeTimeZone(state: UserState, command: ChangeTimeZone): PlanResult {
  if (!state.registered) return notRegistered(state);
  const zone = checkTimeZone(command.timeZone);
  if (!zone.ok) return rejected(zone.rejection);
  if (zone.value === state.timeZone) return rejected(reject('NO_CHANGES', `time zone is already ${zone.value}`));
  return planned({ body: { type: 'TimeZoneChanged', data: { timeZone: zone.value } }, timeZone: zone.value });
}

function checkUnit(state: UserState, metric: MetricName, raw: string | undefined): { ok: true; unit: string } | { ok: false; rejection: Rejection } {
  const known = state.metrics.get(metric)?.unit;
  if (raw === undefined) return { ok: true, unit: known ?? 'count' };
  const unit = checkText('unit', raw, LIMITS.unitChars);
  if (!unit.ok) return unit;
  if (known !== undefined && known !== unit.value) {
    return { ok: false, rejection: reject('UNIT_MISMATCH', `metric ${metric} is measured in ${known}, not ${unit.value}`) };
  }
  return { ok: true, unit: unit.value };
}

export function planRecord(state: UserState, command: RecordProgress, now: Instant): PlanResult {
  if (!state.registered) return notRegistered(state);
  const amount = checkAmount('amount', command.amount);
  if (!amount.ok) return rejected(amount.rejection);
  const unit = checkUnit(state, command.metric, command.unit);
  if (!unit.ok) return rejected(unit.rejection);
  const note = checkOptionalText('note', command.note, LIMITS.noteChars);
  if (!note.ok) return rejected(note.rejection);
  const tags = checkTags(command.tags);
  if (!tags.ok) return rejected(tags.rejection);
  const occurredAt = checkOccurredAt(command.occurredAt ?? now, now);
  if (!occurredAt.ok) return rejected(occurredAt.rejection);
  const entryId = `e${state.entryCount + 1}` as EntryId;
  return planned({
    body: {
      type: 'ProgressRecorded',
      data: { entryId, metric: command.metric, amount: amount.value, unit: unit.unit, note: note.value, tags: tags.value },
    },
    occurredAt: occurredAt.value,
  });
}

function liveEntry(state: UserState, entryId: EntryId): { ok: true; entry: EntryState } | { ok: false; rejection: Rejection } {
  const entry = state.entries.get(entryId);
  if (entry === undefined) return { ok: false, rejection: reject('ENTRY_NOT_FOUND', `user ${state.userId} has no entry ${entryId}`) };
  if (entry.retracted) return { ok: false, rejection: reject('ENTRY_RETRACTED', `entry ${entryId} was retracted`) };
  return { ok: true, entry };
}

export function planAmend(state: UserState, command: AmendEntry, now: Instant): PlanResult {
  if (!state.registered) return notRegistered(state);
  const found = liveEntry(state, command.entryId);
  if (!found.ok) return rejected(found.rejection);
  const changes = effectiveChanges(state, found.entry, command, now);
  if (!changes.ok) return rejected(changes.rejection);
  if (Object.keys(changes.changes).length === 0) {
    return rejected(reject('NO_CHANGES', `the amendment leaves entry ${command.entryId} unchanged`));
  }
  return planned({ body: { type: 'EntryAmended', data: { entryId: command.entryId, changes: changes.changes } } });
}

type ChangesResult = { ok: true; changes: EntryChanges } | { ok: false; rejection: Rejection };

/** Validates each requested change and keeps only those that differ from the entry. */
function effectiveChanges(state: UserState, entry: EntryState, command: AmendEntry, now: Instant): ChangesResult {
  const requested = command.changes;
  const out: { -readonly [K in keyof EntryChanges]: EntryChanges[K] } = {};
  if (requested.metric !== undefined && requested.metric !== entry.metric) out.metric = requested.metric;
  if (requested.amount !== undefined) {
    const amount = checkAmount('amount', requested.amount);
    if (!amount.ok) return amount;
    if (amount.value !== entry.amount) out.amount = amount.value;
  }
  const metric = out.metric ?? entry.metric;
  if (requested.unit !== undefined || out.metric !== undefined) {
    const unit = checkUnit(state, metric, requested.unit ?? (state.metrics.has(metric) ? undefined : entry.unit));
    if (!unit.ok) return unit;
    if (unit.unit !== entry.unit) out.unit = unit.unit;
  }
  if (requested.note !== undefined) {
    const note = checkOptionalText('note', requested.note, LIMITS.noteChars);
    if (!note.ok) return note;
    if (note.value !== entry.note) out.note = note.value;
  }
  if (requested.tags !== undefined) {
    const tags = checkTags(requested.tags);
    if (!tags.ok) return tags;
    if (tags.value.join(',') !== entry.tags.join(',')) out.tags = tags.value;
  }
  if (requested.occurredAt !== undefined) {
    const occurredAt = checkOccurredAt(requested.occurredAt, now);
    if (!occurredAt.ok) return occurredAt;
    if (occurredAt.value !== entry.occurredAt) out.occurredAt = occurredAt.value;
  }
  return { ok: true, changes: out };
}

export function planRetract(state: UserState, command: RetractEntry): PlanResult {
  if (!state.registered) return notRegistered(state);
  const found = liveEntry(state, command.entryId);
  if (!found.ok) return rejected(found.rejection);
  const reason = checkOptionalText('reason', command.reason, LIMITS.reasonChars);
  if (!reason.ok) return rejected(reason.rejection);
  return planned({ body: { type: 'EntryRetracted', data: { entryId: command.entryId, reason: reason.value } } });
}

export function planSetGoal(state: UserState, command: SetGoal): PlanResult {
  if (!state.registered) return notRegistered(state);
  if (!state.metrics.has(command.metric)) {
    return rejected(reject('UNKNOWN_METRIC', `user ${state.userId} has never recorded ${command.metric}; record it first`));
  }
  const target = checkAmount('target', command.target);
  if (!target.ok) return rejected(target.rejection);
  const startDate = command.startDate ?? null;
  const endDate = command.endDate ?? null;
  if (startDate !== null && endDate !== null && startDate > endDate) {
    return rejected(reject('GOAL_DATES_INVALID', `goal start ${startDate} is after its end ${endDate}`));
  }
  const goal = { metric: command.metric, target: target.value, period: command.period, startDate, endDate };
  const current = state.goals.get(command.metric);
  if (current !== undefined && JSON.stringify(current) === JSON.stringify(goal)) {
    return rejected(reject('NO_CHANGES', `the goal for ${command.metric} is already exactly that`));
  }
  return planned({ body: { type: 'GoalSet', data: goal } });
}

export function planClearGoal(state: UserState, command: ClearGoal): PlanResult {
  if (!state.registered) return notRegistered(state);
  if (!state.goals.has(command.metric)) {
    return rejected(reject('GOAL_NOT_FOUND', `user ${state.userId} has no goal for ${command.metric}`));
  }
  return planned({ body: { type: 'GoalCleared', data: { metric: command.metric } } });
}
