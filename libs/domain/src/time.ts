/**
 * Time values used by the model.
 * - `Instant`: a UTC instant as canonical ISO 8601 with milliseconds, `YYYY-MM-DDTHH:mm:ss.sssZ`
 *   (what `Date.prototype.toISOString` writes for years 0000..9999). Chosen over epoch numbers so
 *   events, exports and keys stay readable; canonical form makes string order equal time order.
 * - `LocalDate`: a calendar date `YYYY-MM-DD` in some time zone (the zone travels beside it).
 * - Time zones are IANA names accepted by this runtime's `Intl` (checked, never guessed).
 */
import { z } from 'zod';
import type { Brand, Parsed } from './ids.js';

export type Instant = Brand<string, 'Instant'>;
export type LocalDate = Brand<string, 'LocalDate'>;
export type TimeZone = Brand<string, 'TimeZone'>;

const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const LOCAL_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Earliest and latest instants accepted anywhere in the model. */
export const MIN_INSTANT_MS = Date.UTC(1970, 0, 1);
export const MAX_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function instantFromEpochMs(ms: number): Instant {
  if (!Number.isInteger(ms) || ms < MIN_INSTANT_MS || ms > MAX_INSTANT_MS) {
    throw new RangeError(`epoch milliseconds out of range: ${ms}`);
  }
  return new Date(ms).toISOString() as Instant;
}

export function epochMsOf(instant: Instant): number {
  return Date.parse(instant);
}

/** Accepts only the canonical form (so string comparison orders instants). */
export function parseInstant(input: string): Parsed<Instant> {
  if (!INSTANT_PATTERN.test(input)) {
    return { ok: false, message: `${JSON.stringify(input)} is not a UTC instant like 2026-03-01T12:00:00.000Z` };
  }
  const ms = Date.parse(input);
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== input || ms < MIN_INSTANT_MS) {
    return { ok: false, message: `${JSON.stringify(input)} is not a valid instant` };
  }
  return { ok: true, value: input as Instant };
}

export function parseLocalDate(input: string): Parsed<LocalDate> {
  const match = LOCAL_DATE_PATTERN.exec(input);
  if (match === null) return { ok: false, message: `${JSON.stringify(input)} is not a date like 2026-03-01` };
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || year < 1970) {
    return { ok: false, message: `${JSON.stringify(input)} is not a calendar date` };
  }
  return { ok: true, value: input as LocalDate };
}

const zoneCache = new Map<string, boolean>();

/**
 * Zone names whose offset is 0 at every instant (IANA `Etc/UTC`, `Etc/GMT` and their links):
 * local dates and midnights in them are computed without Intl, whose first DateTimeFormat costs
 * about 30 ms of CPU in a short process (ICU start-up). Same results as TZDate (calendar.test.ts).
 */
const UTC_ZONES: ReadonlySet<string> = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT']);

export function isUtcZone(name: string): boolean {
  return UTC_ZONES.has(name);
}

/** True when this runtime's Intl knows the IANA zone. Offsets like "+01:00" are refused. */
export function isKnownTimeZone(name: string): boolean {
  if (UTC_ZONES.has(name)) return true; // known to every Intl; spares its start-up
  const cached = zoneCache.get(name);
  if (cached !== undefined) return cached;
  let known = false;
  if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name) && name.length <= 64) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      known = true;
    } catch {
      known = false;
    }
  }
  zoneCache.set(name, known);
  return known;
}

export function parseTimeZone(input: string): Parsed<TimeZone> {
  return isKnownTimeZone(input)
    ? { ok: true, value: input as TimeZone }
    : { ok: false, message: `unknown time zone ${JSON.stringify(input)}; use an IANA name such as Europe/Berlin` };
}

function zodParsed<T>(parse: (input: string) => Parsed<T>) {
  return z.string().transform((input, context): T => {
    const parsed = parse(input);
    if (parsed.ok) return parsed.value;
    context.addIssue({ code: 'custom', message: parsed.message });
    return z.NEVER;
  });
}

export const InstantSchema = zodParsed(parseInstant);
export const LocalDateSchema = zodParsed(parseLocalDate);
/** Stored events keep any syntactically plausible zone name; validity was checked when decided. */
export const TimeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z][A-Za-z0-9_+\-/]*$/)
  .transform((input) => input as TimeZone);
