// Goal: instants map to local dates through TZDate, and DST days have 23/25 hours (never 24h math).
import { describe, expect, it } from 'vitest';
import type { LocalDate, TimeZone } from '../time.js';
import { at } from '../testing/fixtures.test-util.js';
import { addDays, addMonths, dayOfWeek, daysInMonth, hoursInLocalDate, localDateOf, startOfLocalDate, startOfWeek } from './calendar.js';

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
});
