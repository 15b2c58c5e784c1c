/**
 * Streaks over sets of active local dates (days with at least one counted entry).
 * A run is a maximal sequence of consecutive calendar dates.
 */
import type { LocalDate } from '../time.js';
import { daysBetween, epochDay, fromEpochDay } from '../reports/calendar.js';

export interface Run {
  readonly start: LocalDate;
  readonly end: LocalDate;
  readonly days: number;
}

/**
 * Maximal runs of consecutive dates, in date order. `dates` need not be sorted or unique.
 * O(n log n) on integer day numbers (an append recomputes the summary's runs, so this is hot).
 */
export function runsOf(dates: Iterable<LocalDate>): Run[] {
  const days = Float64Array.from(new Set(dates), epochDay).sort();
  const runs: Run[] = [];
  let start = 0;
  for (let index = 1; index <= days.length; index += 1) {
    const previous = days[index - 1] as number;
    if (index < days.length && days[index] === previous + 1) continue;
    const first = days[start] as number;
    runs.push({ start: fromEpochDay(first), end: fromEpochDay(previous), days: previous - first + 1 });
    start = index;
  }
  return runs;
}

/**
 * The longest run (the earliest among equals) and the latest run, without materialising every
 * run: the summary row needs only these two, on every append.
 */
export function longestAndLatest(dates: Iterable<LocalDate>): { readonly longest: Run | null; readonly latest: Run | null } {
  const days = Float64Array.from(new Set(dates), epochDay).sort();
  if (days.length === 0) return { longest: null, latest: null };
  let best = { first: days[0] as number, last: days[0] as number };
  let latest = best;
  let start = 0;
  for (let index = 1; index <= days.length; index += 1) {
    const previous = days[index - 1] as number;
    if (index < days.length && days[index] === previous + 1) continue;
    latest = { first: days[start] as number, last: previous };
    if (latest.last - latest.first > best.last - best.first) best = latest;
    start = index;
  }
  const run = ({ first, last }: { first: number; last: number }): Run => ({ start: fromEpochDay(first), end: fromEpochDay(last), days: last - first + 1 });
  return { longest: run(best), latest: run(latest) };
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
