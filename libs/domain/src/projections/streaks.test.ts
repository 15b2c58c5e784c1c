// Goal: the summary's fast streak function (integer day numbers, only the two runs it needs)
// agrees with the plain definition (every maximal run, then the longest and the last one).
// Method: fast-check over random sets of dates across month and year ends; seeded, SEED= reruns.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../reports/calendar.js';
import type { LocalDate } from '../time.js';
import { longestAndLatest, longestRun, runsOf } from './streaks.js';

const SEED = process.env['SEED'] === undefined ? Date.now() % 2_147_483_647 : Number(process.env['SEED']);

describe('streaks', () => {
  it('finds runs across month and year ends', () => {
    const dates = ['2025-12-30', '2025-12-31', '2026-01-01', '2026-01-03', '2026-02-28', '2026-03-01'] as LocalDate[];
    expect(runsOf(dates).map((run) => run.days)).toEqual([3, 1, 2]);
    expect(longestAndLatest(dates)).toEqual({
      longest: { start: '2025-12-30', end: '2026-01-01', days: 3 },
      latest: { start: '2026-02-28', end: '2026-03-01', days: 2 },
    });
    expect(longestAndLatest([])).toEqual({ longest: null, latest: null });
  });

  it(`longestAndLatest equals longestRun(runsOf) and the last run (seed ${SEED})`, () => {
    console.log(`streaks property: SEED=${SEED}`);
    const dates = fc.array(fc.integer({ min: 0, max: 120 }).map((offset) => addDays('2025-12-01' as LocalDate, offset)), { maxLength: 80 });
    fc.assert(
      fc.property(dates, (sample) => {
        const runs = runsOf(sample);
        expect(longestAndLatest(sample)).toEqual({ longest: longestRun(runs), latest: runs[runs.length - 1] ?? null });
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
