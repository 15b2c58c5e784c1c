// Goal: instants map to local dates through TZDate, and DST days have 23/25 hours (never 24h math).
import { TZDate } from '@date-fns/tz';
import { startOfDay } from 'date-fns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Instant, LocalDate, TimeZone } from '../time.js';
import { at } from '../testing/fixtures.test-util.js';
import { addDays, addMonths, dayOfWeek, daysInMonth, hoursInLocalDate, localDateOf, startOfLocalDate, startOfWeek } from './calendar.js';

const SEED = process.env['SEED'] === undefined ? Date.now() % 2_147_483_647 : Number(process.env['SEED']);
const d = (text: string): LocalDate => text as LocalDate;
const z = (text: string): TimeZone => text as TimeZone;

describe('calendar', () => {
  it('maps instants to the local date of the zone', () => {
    expect(localDateOf(at('2026-03-28T23:30:00.000Z'), z('Europe/Berlin'))).toBe('2026-03-29');
    expect(localDateOf(at('2026-03-28T23:30:00.000Z'), z('UTC'))).toBe('2026-03-28');
    expect(localDateOf(at('2026-01-15T10:59:00.000Z'), z('Pacific/Auckland'))).toBe('2026-01-15');
    expect(localDateOf(at('2026-01-15T11:01:00.000Z'), z('Pacific/Auckland'))).toBe('2026-01-16');
  });

  it('finds local midnight across DST changes', () => {
    expect(startOfLocalDate(d('2026-03-29'), z('Europe/Berlin'))).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfLocalDate(d('2026-03-30'), z('Europe/Berlin'))).toBe('2026-03-29T22:00:00.000Z');
    expect(startOfLocalDate(d('2026-03-08'), z('America/New_York'))).toBe('2026-03-08T05:00:00.000Z');
    expect(startOfLocalDate(d('2026-03-09'), z('America/New_York'))).toBe('2026-03-09T04:00:00.000Z');
  });

  it('knows DST days are 23 or 25 hours long', () => {
    expect(hoursInLocalDate(d('2026-03-29'), z('Europe/Berlin'))).toBe(23);
    expect(hoursInLocalDate(d('2026-10-25'), z('Europe/Berlin'))).toBe(25);
    expect(hoursInLocalDate(d('2026-03-08'), z('America/New_York'))).toBe(23);
    expect(hoursInLocalDate(d('2026-11-01'), z('America/New_York'))).toBe(25);
    expect(hoursInLocalDate(d('2026-04-05'), z('Pacific/Auckland'))).toBe(25);
    expect(hoursInLocalDate(d('2026-03-10'), z('Europe/Berlin'))).toBe(24);
  });

  it('does calendar arithmetic on dates', () => {
    expect(addDays(d('2026-02-28'), 1)).toBe('2026-03-01');
    expect(addDays(d('2024-02-28'), 1)).toBe('2024-02-29');
    expect(addMonths(d('2026-01-31'), 1)).toBe('2026-02-01');
    expect(daysInMonth(d('2024-02-10'))).toBe(29);
    expect(dayOfWeek(d('2026-03-29'))).toBe(0);
    expect(startOfWeek(d('2026-03-29'), 1)).toBe('2026-03-23');
    expect(startOfWeek(d('2026-03-29'), 0)).toBe('2026-03-29');
    expect(startOfWeek(d('2026-03-28'), 0)).toBe('2026-03-22');
  });

  // The UTC zones skip Intl (time.ts isUtcZone): the results must be TZDate's own.
  it(`computes UTC zones without Intl, with TZDate's results (seed ${SEED})`, () => {
    const pad = (value: number, width: number): string => String(value).padStart(width, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }),
        fc.constantFrom('UTC', 'Etc/UTC', 'GMT', 'Etc/GMT'),
        (ms, name) => {
          const zone = z(name);
          const instant = new Date(ms).toISOString() as Instant;
          const local = new TZDate(ms, name);
          const viaTz = `${pad(local.getFullYear(), 4)}-${pad(local.getMonth() + 1, 2)}-${pad(local.getDate(), 2)}`;
          expect(localDateOf(instant, zone)).toBe(viaTz);
          const date = d(viaTz);
          const midnight = startOfDay(new TZDate(local.getFullYear(), local.getMonth(), local.getDate(), 12, name));
          expect(startOfLocalDate(date, zone)).toBe(new Date(midnight.getTime()).toISOString());
          expect(hoursInLocalDate(date, zone)).toBe(24);
        },
      ),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
