/**
 * Streaks over sets of active local dates (days with at least one counted entry).
 * A run is a maximal sequence of consecutive calendar dates.
 */
import type { LocalDate } from '../time.js';
import { addDays, daysBetween } from '../reports/calendar.js';

export interface Run {
  readonly start: LocalDate;
  readonly end: LocalDate;
  readonly days: number;
}

/** Maximal runs of consecutive dates, in date order. `dates` need not be sorted or unique. */
export function runsOf(dates: Iterable<LocalDate>): Run[] {
  const sorted = [...new Set(dates)].sort();
  const runs: Run[] = [];
  for (const date of sorted) {
    const last = runs[runs.length - 1];
    if (last !== undefined && addDays(last.end, 1) === date) runs[runs.length - 1] = { ...last, end: date, days: last.days + 1 };
    else runs.push({ start: date, end: date, days: 1 });
  }
  return runs;
}

/** The longest run (the earliest among equals), or null. */
export function longestRun(runs: readonly Run[]): Run | null {
  let best: Run | null = null;
  for (const run of runs) if (best === null || run.days > best.days) best = run;
  return best;
}

/**
 * Length of the streak alive on `today`: the run ending today, or yesterday (today is not over,
 * so a streak is not broken until a whole day passes with nothing logged).
 */
export function currentStreak(runs: readonly Run[], today: LocalDate): number {
  for (let index = runs.length - 1; index >= 0; index -= 1) {
    const run = runs[index] as Run;
    if (run.start > today) continue;
    const end = run.end > today ? today : run.end;
    const gap = daysBetween(end, today);
    return gap <= 1 ? daysBetween(run.start, end) + 1 : 0;
  }
  return 0;
}
