/**
 * Report windows: a period resolved to local dates `[from, until)` in the report's time zone,
 * with the instants those local midnights fall on (computed with TZDate, DST-correct).
 */
import { assertNever } from '../assert.js';
import type { Instant, LocalDate, TimeZone } from '../time.js';
import { addDays, addMonths, daysBetween, localDateOf, startOfLocalDate, startOfMonth, startOfWeek } from './calendar.js';
import type { WeekStart } from './calendar.js';

export type PeriodKind = 'day' | 'week' | 'month';

export type PeriodSpec =
  /** The current period (offset 0) or one relative to it (-1 = the previous one). */
  | { readonly kind: PeriodKind; readonly offset?: number }
  | { readonly kind: PeriodKind; readonly containing: LocalDate }
  /** Inclusive dates. */
  | { readonly kind: 'range'; readonly from: LocalDate; readonly to: LocalDate };

export interface ReportSettings {
  readonly timeZone: TimeZone;
  readonly weekStartsOn: WeekStart;
  readonly now: Instant;
}

export interface ReportWindow {
  readonly kind: PeriodKind | 'range';
  readonly from: LocalDate;
  /** Exclusive. */
  readonly until: LocalDate;
  readonly days: number;
  readonly fromInstant: Instant;
  readonly untilInstant: Instant;
  readonly timeZone: TimeZone;
}

function windowOf(kind: ReportWindow['kind'], from: LocalDate, until: LocalDate, zone: TimeZone): ReportWindow {
  return {
    kind, from, until, days: daysBetween(from, until),
    fromInstant: startOfLocalDate(from, zone), untilInstant: startOfLocalDate(until, zone), timeZone: zone,
  };
}

function periodContaining(kind: PeriodKind, date: LocalDate, weekStartsOn: WeekStart): [LocalDate, LocalDate] {
  switch (kind) {
    case 'day':
      return [date, addDays(date, 1)];
    case 'week': {
      const start = startOfWeek(date, weekStartsOn);
      return [start, addDays(start, 7)];
    }
    case 'month':
      return [startOfMonth(date), addMonths(date, 1)];
    default:
      return assertNever(kind, 'period kind');
  }
}

function shift(kind: PeriodKind, date: LocalDate, offset: number): LocalDate {
  if (kind === 'day') return addDays(date, offset);
  if (kind === 'week') return addDays(date, 7 * offset);
  return addMonths(date, offset);
}

export function resolveWindow(spec: PeriodSpec, settings: ReportSettings): ReportWindow {
  const zone = settings.timeZone;
  if (spec.kind === 'range') {
    if (spec.to < spec.from) throw new RangeError(`report range ends (${spec.to}) before it starts (${spec.from})`);
    return windowOf('range', spec.from, addDays(spec.to, 1), zone);
  }
  const anchor = 'containing' in spec ? spec.containing : shift(spec.kind, localDateOf(settings.now, zone), spec.offset ?? 0);
  const [from, until] = periodContaining(spec.kind, anchor, settings.weekStartsOn);
  return windowOf(spec.kind, from, until, zone);
}

/** The period before: previous day/week/month, or the same number of days before a range. */
export function previousWindow(window: ReportWindow, weekStartsOn: WeekStart): ReportWindow {
  if (window.kind === 'range') return windowOf('range', addDays(window.from, -window.days), window.from, window.timeZone);
  const [from, until] = periodContaining(window.kind, addDays(window.from, -1), weekStartsOn);
  return windowOf(window.kind, from, until, window.timeZone);
}
