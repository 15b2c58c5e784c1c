/**
 * Calendar arithmetic. Two kinds of values, never mixed:
 * - instants -> local dates and local midnights go through `TZDate` (@date-fns/tz), so DST days of
 *   23 or 25 hours come out right (never "add 24 hours" to an instant);
 * - `LocalDate` arithmetic (next day, start of week/month) is pure calendar arithmetic on
 *   year/month/day, which no time zone affects.
 */
import { TZDate } from '@date-fns/tz';
import { addDays as addDaysTz, startOfDay } from 'date-fns';
import { assert } from '../assert.js';
import type { Instant, LocalDate, TimeZone } from '../time.js';
import { instantFromEpochMs, isUtcZone } from '../time.js';

export type WeekStart = 0 | 1; // 0 = Sunday, 1 = Monday

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

function parts(date: LocalDate): [number, number, number] {
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

function fromUtcDate(date: Date): LocalDate {
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}` as LocalDate;
}

/** The calendar date of `instant` in `zone`. */
export function localDateOf(instant: Instant, zone: TimeZone): LocalDate {
  // UTC: the UTC calendar date, without Intl (whose first use costs ~30 ms of start-up: time.ts)
  if (isUtcZone(zone)) return fromUtcDate(new Date(Date.parse(instant)));
  const local = new TZDate(Date.parse(instant), zone);
  return `${pad(local.getFullYear(), 4)}-${pad(local.getMonth() + 1, 2)}-${pad(local.getDate(), 2)}` as LocalDate;
}

/** The instant local midnight of `date` begins in `zone` (the first instant of that day). */
export function startOfLocalDate(date: LocalDate, zone: TimeZone): Instant {
  const [year, month, day] = parts(date);
  if (isUtcZone(zone)) return instantFromEpochMs(Date.UTC(year, month - 1, day));
  const local = startOfDay(new TZDate(year, month - 1, day, 12, zone));
  return instantFromEpochMs(local.getTime());
}

/** Hours in the local day (23 or 25 on DST changes), computed with TZDate, for tests and charts. */
export function hoursInLocalDate(date: LocalDate, zone: TimeZone): number {
  if (isUtcZone(zone)) return 24;
  const [year, month, day] = parts(date);
  const start = startOfDay(new TZDate(year, month - 1, day, 12, zone));
  const next = addDaysTz(start, 1);
  return (next.getTime() - start.getTime()) / 3_600_000;
}

/** Days since 1970-01-01 of a local date: an integer, so runs of days compare by +1 (no zone involved). */
export function epochDay(date: LocalDate): number {
  const known = epochDays.get(date);
  if (known !== undefined) return known;
  const [year, month, day] = parts(date);
  const days = Math.round(Date.UTC(year, month - 1, day) / 86_400_000);
  if (epochDays.size >= 100_000) epochDays.clear(); // a memo, bounded
  epochDays.set(date, days);
  return days;
}

const epochDays = new Map<string, number>();

export function fromEpochDay(days: number): LocalDate {
  return fromUtcDate(new Date(days * 86_400_000));
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const [year, month, day] = parts(date);
  return fromUtcDate(new Date(Date.UTC(year, month - 1, day + days)));
}

export function addMonths(date: LocalDate, months: number): LocalDate {
  const [year, month] = parts(date);
  return fromUtcDate(new Date(Date.UTC(year, month - 1 + months, 1)));
}

/** 0 = Sunday ... 6 = Saturday. */
export function dayOfWeek(date: LocalDate): number {
  const [year, month, day] = parts(date);
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

export function startOfWeek(date: LocalDate, weekStartsOn: WeekStart): LocalDate {
  return addDays(date, -((dayOfWeek(date) - weekStartsOn + 7) % 7));
}

export function startOfMonth(date: LocalDate): LocalDate {
  return `${date.slice(0, 7)}-01` as LocalDate;
}

export function daysInMonth(date: LocalDate): number {
  return daysBetween(startOfMonth(date), addMonths(date, 1));
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  const [y1, m1, d1] = parts(from);
  const [y2, m2, d2] = parts(to);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / 86_400_000);
}

/** Dates in `[from, until)`. */
export function datesIn(from: LocalDate, until: LocalDate): LocalDate[] {
  const count = daysBetween(from, until);
  assert(count >= 0 && count <= 366 * 100, `date range ${from}..${until} is invalid or too long`);
  return Array.from({ length: count }, (_, index) => addDays(from, index));
}
