/**
 * Dates and times from the command line, interpreted in the user's time zone (DST-correct via
 * TZDate) and echoed back normalised by the commands:
 *
 *   now | today                      the current instant
 *   yesterday                        yesterday at 12:00 local time
 *   YYYY-MM-DD                       that day at 12:00 local time (today: or now, if earlier)
 *   YYYY-MM-DD[T| ]HH:MM[:SS[.mmm]]  local wall-clock time
 *   ...with Z or ±HH:MM               an absolute instant (the offset wins over the zone)
 *   HH:MM                            today at that local time
 *
 * Days (--from/--to) accept today, yesterday and YYYY-MM-DD.
 */
import { TZDate } from '@date-fns/tz';
import { UsageError } from './errors.js';
import { quote } from './output.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/;
const TIME = /^(\d{2}):(\d{2})$/;

export interface Now {
  readonly epochMs: number;
  readonly timeZone: string;
}

const HINT_WHEN = 'use now, today, yesterday, a date like 2026-03-01, a local time like "2026-03-01 07:30" or 07:30, or an ISO instant';
const HINT_DAY = 'use today, yesterday or a date like 2026-03-01';

function badDate(text: string, hint: string): UsageError {
  return new UsageError(`${quote(text)} is not a date or time`, hint);
}

export interface Parts {
  year: number;
  month: number;
  day: number;
}

function validDate(year: number, month: number, day: number): boolean {
  if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  const probe = new Date(Date.UTC(year, month - 1, day));
  return probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

const pad2 = (value: number): string => String(value).padStart(2, '0');

export function formatLocalDate(parts: Parts): string {
  return `${String(parts.year).padStart(4, '0')}-${pad2(parts.month)}-${pad2(parts.day)}`;
}

/**
 * Zones whose offset is always 0: computed with Date's UTC methods, without Intl (TZDate uses
 * Intl, whose first use costs ~30 ms of start-up). parse-date.test.ts checks both agree.
 */
const UTC_ZONES: ReadonlySet<string> = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT']);

export function localParts(epochMs: number, timeZone: string): Parts & { hour: number; minute: number } {
  if (UTC_ZONES.has(timeZone)) {
    const utc = new Date(epochMs);
    return { year: utc.getUTCFullYear(), month: utc.getUTCMonth() + 1, day: utc.getUTCDate(), hour: utc.getUTCHours(), minute: utc.getUTCMinutes() };
  }
  const local = new TZDate(epochMs, timeZone);
  return { year: local.getFullYear(), month: local.getMonth() + 1, day: local.getDate(), hour: local.getHours(), minute: local.getMinutes() };
}

export function localToEpoch(parts: Parts, hour: number, minute: number, second: number, ms: number, timeZone: string): number {
  // (years below 100: Date.UTC would read them as 19xx; leave those to TZDate)
  if (UTC_ZONES.has(timeZone) && parts.year >= 100) return Date.UTC(parts.year, parts.month - 1, parts.day, hour, minute, second, ms);
  return new TZDate(parts.year, parts.month - 1, parts.day, hour, minute, second, ms, timeZone).getTime();
}

function shiftDays(parts: Parts, days: number): Parts {
  const date = new Date(Date.UTC(parts.year, parts.month - 1, parts.day + days));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** An instant (epoch ms) for --at / --as-of. */
export function parseWhen(text: string, now: Now): number {
  const input = text.trim().toLowerCase();
  if (input === 'now' || input === 'today') return now.epochMs;
  const today = localParts(now.epochMs, now.timeZone);
  if (input === 'yesterday') return localToEpoch(shiftDays(today, -1), 12, 0, 0, 0, now.timeZone);
  const date = DATE.exec(input);
  if (date !== null) {
    const parts = { year: Number(date[1]), month: Number(date[2]), day: Number(date[3]) };
    if (!validDate(parts.year, parts.month, parts.day)) throw badDate(text, HINT_WHEN);
    const noon = localToEpoch(parts, 12, 0, 0, 0, now.timeZone);
    // today's noon may still be ahead: then "today" means now (a future date stays in the future)
    return formatLocalDate(parts) === formatLocalDate(today) ? Math.min(noon, now.epochMs) : noon;
  }
  const time = TIME.exec(input);
  if (time !== null) {
    const [hour, minute] = [Number(time[1]), Number(time[2])];
    if (hour > 23 || minute > 59) throw badDate(text, HINT_WHEN);
    return localToEpoch(today, hour, minute, 0, 0, now.timeZone);
  }
  const full = DATE_TIME.exec(input.toUpperCase());
  if (full === null) throw badDate(text, HINT_WHEN);
  const parts = { year: Number(full[1]), month: Number(full[2]), day: Number(full[3]) };
  const [hour, minute, second] = [Number(full[4]), Number(full[5]), Number(full[6] ?? '0')];
  const ms = Number((full[7] ?? '0').padEnd(3, '0'));
  if (!validDate(parts.year, parts.month, parts.day) || hour > 23 || minute > 59 || second > 59) throw badDate(text, HINT_WHEN);
  const offset = full[8];
  if (offset === undefined) return localToEpoch(parts, hour, minute, second, ms, now.timeZone);
  const utc = Date.UTC(parts.year, parts.month - 1, parts.day, hour, minute, second, ms);
  if (offset === 'Z') return utc;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const [offHours, offMinutes] = [Number(digits.slice(0, 2)), Number(digits.slice(2, 4))];
  if (offHours > 18 || offMinutes > 59) throw badDate(text, HINT_WHEN);
  return utc - sign * (offHours * 60 + offMinutes) * 60_000;
}

/** A local date (YYYY-MM-DD) for --from / --to. */
export function parseDay(text: string, now: Now): string {
  const input = text.trim().toLowerCase();
  const today = localParts(now.epochMs, now.timeZone);
  if (input === 'today') return formatLocalDate(today);
  if (input === 'yesterday') return formatLocalDate(shiftDays(today, -1));
  const date = DATE.exec(input);
  if (date === null) throw badDate(text, HINT_DAY);
  const parts = { year: Number(date[1]), month: Number(date[2]), day: Number(date[3]) };
  if (!validDate(parts.year, parts.month, parts.day)) throw badDate(text, HINT_DAY);
  return formatLocalDate(parts);
}

/** "2026-03-01 07:30" in the zone: how an instant is echoed back to the user. */
export function formatLocal(epochMs: number, timeZone: string): string {
  const parts = localParts(epochMs, timeZone);
  return `${formatLocalDate(parts)} ${pad2(parts.hour)}:${pad2(parts.minute)}`;
}
