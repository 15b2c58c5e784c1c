/**
 * Domain events: immutable facts, one zod schema per event type and schema version.
 *
 * Every event is an envelope plus `data`:
 *   type, schemaVersion   which schema `data` follows (events.ts registry; upcast on read)
 *   eventId               lower-case UUID, unique across the store
 *   commandId             the command that produced it (all events of one command share it; undo unit)
 *   recordedAt            instant the store took it (transaction time, from the injected clock)
 *   occurredAt            instant it happened (valid time; may be backdated)
 *   actor                 user who issued the command
 *   timeZone              IANA zone of the stream's user when decided (team streams: the team's zone)
 *
 * Weak schema: a new version may only add fields or make the meaning more precise, and must be
 * computable from the previous version (event-codec.ts upcasters); anything else is a new type.
 * `CURRENT_SCHEMA_VERSION` is written to disk; never lower a version or reuse a retired one.
 */
import { z } from 'zod';
import {
  CommandIdSchema,
  EntryIdSchema,
  EventIdSchema,
  MetricNameSchema,
  TeamIdSchema,
  UserIdSchema,
} from './ids.js';
import { InstantSchema, LocalDateSchema, TimeZoneSchema } from './time.js';

const envelope = {
  eventId: EventIdSchema,
  commandId: CommandIdSchema,
  recordedAt: InstantSchema,
  occurredAt: InstantSchema,
  actor: UserIdSchema,
  timeZone: TimeZoneSchema,
};

const text = (max: number) => z.string().min(1).max(max);
const amount = z.number().finite().positive().max(1_000_000);
const tags = z.array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/)).max(10);
export const GoalPeriodSchema = z.enum(['day', 'week', 'month']);
export type GoalPeriod = z.output<typeof GoalPeriodSchema>;

function eventSchema<T extends string, V extends number, D extends z.ZodType>(type: T, version: V, data: D) {
  return z.object({ type: z.literal(type), schemaVersion: z.literal(version), ...envelope, data }).strict();
}

export const UserRegisteredV1 = eventSchema(
  'UserRegistered',
  1,
  z.object({ userId: UserIdSchema, displayName: text(80) }).strict(),
);
export const UserRenamedV1 = eventSchema('UserRenamed', 1, z.object({ displayName: text(80) }).strict());
export const TimeZoneChangedV1 = eventSchema('TimeZoneChanged', 1, z.object({ timeZone: TimeZoneSchema }).strict());

/** v1 (retired writer, still read): `note` was a required string, '' meaning none; no tags. */
export const ProgressRecordedV1 = eventSchema(
  'ProgressRecorded',
  1,
  z.object({ entryId: EntryIdSchema, metric: MetricNameSchema, amount, unit: text(16), note: z.string().max(500) }).strict(),
);
export const ProgressRecordedV2 = eventSchema(
  'ProgressRecorded',
  2,
  z
    .object({
      entryId: EntryIdSchema,
      metric: MetricNameSchema,
      amount,
      unit: text(16),
      note: text(500).nullable(),
      tags,
    })
    .strict(),
);

export const EntryChangesSchema = z
  .object({
    metric: MetricNameSchema.optional(),
    amount: amount.optional(),
    unit: text(16).optional(),
    note: text(500).nullable().optional(),
    tags: tags.optional(),
    occurredAt: InstantSchema.optional(),
  })
  .strict();
export type EntryChanges = z.output<typeof EntryChangesSchema>;

export const EntryAmendedV1 = eventSchema(
  'EntryAmended',
  1,
  z.object({ entryId: EntryIdSchema, changes: EntryChangesSchema }).strict(),
);
export const EntryRetractedV1 = eventSchema(
  'EntryRetracted',
  1,
  z.object({ entryId: EntryIdSchema, reason: text(200).nullable() }).strict(),
);
/** Compensates an EntryRetracted (undo of a retraction, or redo of an undone record). */
export const EntryRestoredV1 = eventSchema('EntryRestored', 1, z.object({ entryId: EntryIdSchema }).strict());

export const GoalSetV1 = eventSchema(
  'GoalSet',
  1,
  z
    .object({
      metric: MetricNameSchema,
      target: amount,
      period: GoalPeriodSchema,
      startDate: LocalDateSchema.nullable(),
      endDate: LocalDateSchema.nullable(),
    })
    .strict(),
);
export const GoalClearedV1 = eventSchema('GoalCleared', 1, z.object({ metric: MetricNameSchema }).strict());

export const TeamCreatedV1 = eventSchema('TeamCreated', 1, z.object({ teamId: TeamIdSchema, name: text(80) }).strict());
export const MemberAddedV1 = eventSchema('MemberAdded', 1, z.object({ userId: UserIdSchema }).strict());
export const MemberRemovedV1 = eventSchema('MemberRemoved', 1, z.object({ userId: UserIdSchema }).strict());

/**
 * Marks `undoneCommandId` as undone; the compensating events follow it in the same command. When
 * the undone command was itself an undo, its target becomes active again (redo).
 */
export const CommandUndoneV1 = eventSchema(
  'CommandUndone',
  1,
  z.object({ undoneCommandId: CommandIdSchema }).strict(),
);

/** Current schemas: what decide() writes. */
export const CurrentEventSchema = z.discriminatedUnion('type', [
  UserRegisteredV1,
  UserRenamedV1,
  TimeZoneChangedV1,
  ProgressRecordedV2,
  EntryAmendedV1,
  EntryRetractedV1,
  EntryRestoredV1,
  GoalSetV1,
  GoalClearedV1,
  TeamCreatedV1,
  MemberAddedV1,
  MemberRemovedV1,
  CommandUndoneV1,
]);

export type DomainEvent = z.output<typeof CurrentEventSchema>;
export type EventType = DomainEvent['type'];
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

/** The part of an event decide() chooses; the envelope is stamped by `stampEvents`. */
export type EventBody = DomainEvent extends infer E
  ? E extends DomainEvent
    ? { readonly type: E['type']; readonly data: E['data'] }
    : never
  : never;
export type EventBodyOf<T extends EventType> = Extract<EventBody, { type: T }>;

/** Written to disk: the version decide() stamps on each type. Never lower. */
export const CURRENT_SCHEMA_VERSION = {
  UserRegistered: 1,
  UserRenamed: 1,
  TimeZoneChanged: 1,
  ProgressRecorded: 2,
  EntryAmended: 1,
  EntryRetracted: 1,
  EntryRestored: 1,
  GoalSet: 1,
  GoalCleared: 1,
  TeamCreated: 1,
  MemberAdded: 1,
  MemberRemoved: 1,
  CommandUndone: 1,
} as const satisfies Record<EventType, number>;

/** Every readable (type, version) schema, old ones included. */
export const EVENT_SCHEMAS: Readonly<Record<EventType, Readonly<Record<number, z.ZodType>>>> = {
  UserRegistered: { 1: UserRegisteredV1 },
  UserRenamed: { 1: UserRenamedV1 },
  TimeZoneChanged: { 1: TimeZoneChangedV1 },
  ProgressRecorded: { 1: ProgressRecordedV1, 2: ProgressRecordedV2 },
  EntryAmended: { 1: EntryAmendedV1 },
  EntryRetracted: { 1: EntryRetractedV1 },
  EntryRestored: { 1: EntryRestoredV1 },
  GoalSet: { 1: GoalSetV1 },
  GoalCleared: { 1: GoalClearedV1 },
  TeamCreated: { 1: TeamCreatedV1 },
  MemberAdded: { 1: MemberAddedV1 },
  MemberRemoved: { 1: MemberRemovedV1 },
  CommandUndone: { 1: CommandUndoneV1 },
};

export function isEventType(value: string): value is EventType {
  return Object.prototype.hasOwnProperty.call(CURRENT_SCHEMA_VERSION, value);
}
