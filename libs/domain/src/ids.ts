/**
 * Branded identifiers. Invariants:
 * - no id contains `:` (the key separator, ARCHITECTURE rule 2), whitespace or control characters;
 * - user, team, entry and command ids and idempotency keys use `[A-Za-z0-9._-]`, start with a letter or
 *   digit, and are 1..64 characters (idempotency keys 1..128);
 * - metric names are lower case `[a-z0-9._-]`, start with a letter or digit, 1..48 characters;
 *   the parser lower-cases its input, so `Running` and `running` are one metric;
 * - event ids are RFC 4122 UUIDs in lower case.
 */
import { z } from 'zod';

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type UserId = Brand<string, 'UserId'>;
export type TeamId = Brand<string, 'TeamId'>;
export type EntryId = Brand<string, 'EntryId'>;
export type EventId = Brand<string, 'EventId'>;
export type CommandId = Brand<string, 'CommandId'>;
export type MetricName = Brand<string, 'MetricName'>;
export type IdempotencyKey = Brand<string, 'IdempotencyKey'>;

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

export const ID_MAX_LENGTH = 64;
export const IDEMPOTENCY_KEY_MAX_LENGTH = 128;
export const METRIC_MAX_LENGTH = 48;

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const METRIC_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function parseWith<T>(what: string, input: string, pattern: RegExp, maxLength: number): Parsed<T> {
  if (input.length === 0) return { ok: false, message: `${what} must not be empty` };
  if (input.length > maxLength) {
    return { ok: false, message: `${what} is ${input.length} characters long; the limit is ${maxLength}` };
  }
  if (!pattern.test(input)) {
    return {
      ok: false,
      message: `${what} ${JSON.stringify(input)} may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit`,
    };
  }
  return { ok: true, value: input as T };
}

export const parseUserId = (input: string): Parsed<UserId> => parseWith('user id', input, ID_PATTERN, ID_MAX_LENGTH);
export const parseTeamId = (input: string): Parsed<TeamId> => parseWith('team id', input, ID_PATTERN, ID_MAX_LENGTH);
export const parseEntryId = (input: string): Parsed<EntryId> => parseWith('entry id', input, ID_PATTERN, ID_MAX_LENGTH);
export const parseCommandId = (input: string): Parsed<CommandId> =>
  parseWith('command id', input, ID_PATTERN, ID_MAX_LENGTH);
export const parseIdempotencyKey = (input: string): Parsed<IdempotencyKey> =>
  parseWith('idempotency key', input, ID_PATTERN, IDEMPOTENCY_KEY_MAX_LENGTH);
export const parseMetricName = (input: string): Parsed<MetricName> =>
  parseWith('metric name', input.toLowerCase(), METRIC_PATTERN, METRIC_MAX_LENGTH);

export function parseEventId(input: string): Parsed<EventId> {
  return UUID_PATTERN.test(input)
    ? { ok: true, value: input as EventId }
    : { ok: false, message: `event id ${JSON.stringify(input)} is not a lower-case UUID` };
}

/** Unwraps a parse result; for tests and trusted literals. Throws TypeError with the message. */
export function unwrap<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new TypeError(parsed.message);
  return parsed.value;
}

function zodId<T>(parse: (input: string) => Parsed<T>) {
  return z.string().transform((input, context): T => {
    const parsed = parse(input);
    if (parsed.ok) return parsed.value;
    context.addIssue({ code: 'custom', message: parsed.message });
    return z.NEVER;
  });
}

export const UserIdSchema = zodId(parseUserId);
export const TeamIdSchema = zodId(parseTeamId);
export const EntryIdSchema = zodId(parseEntryId);
export const EventIdSchema = zodId(parseEventId);
export const CommandIdSchema = zodId(parseCommandId);
export const MetricNameSchema = zodId((input: string) =>
  input === input.toLowerCase() ? parseMetricName(input) : { ok: false, message: 'metric name must be lower case' },
);
export const IdempotencyKeySchema = zodId(parseIdempotencyKey);
