// Goal: --at/--from/--to accept the documented forms, in the user's zone (DST-correct), and
// reject everything else with a usage error. Method: fixed "now" values, table-driven cases.
import { TZDate } from '@date-fns/tz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { formatLocal, localParts, localToEpoch, parseDay, parseWhen } from './parse-date.js';

const SEED = process.env['SEED'] === undefined ? Date.now() % 2_147_483_647 : Number(process.env['SEED']);

const now = { epochMs: Date.parse('2026-03-29T15:00:00Z'), timeZone: 'Europe/Berlin' }; // the day DST starts in Berlin

describe('parseWhen', () => {
  it.each([
    ['now', '2026-03-29T15:00:00.000Z'],
    ['today', '2026-03-29T15:00:00.000Z'],
    ['yesterday', '2026-03-28T11:00:00.000Z'],
    ['2026-03-01', '2026-03-01T11:00:00.000Z'],
    ['2026-03-29', '2026-03-29T10:00:00.000Z'],
    ['2026-03-01 07:30', '2026-03-01T06:30:00.000Z'],
    ['2026-03-01T07:30:15.5', '2026-03-01T06:30:15.500Z'],
    ['2026-03-01T07:30Z', '2026-03-01T07:30:00.000Z'],
    ['2026-03-01T07:30+05:30', '2026-03-01T02:00:00.000Z'],
    ['2026-03-01T07:30-0100', '2026-03-01T08:30:00.000Z'],
    ['08:15', '2026-03-29T06:15:00.000Z'],
  ])('%s -> %s', (input, expected) => {
    expect(new Date(parseWhen(input, now)).toISOString()).toBe(expected);
  });

  it('keeps a future date in the future (the domain rejects it)', () => {
    expect(new Date(parseWhen('2099-01-01', now)).toISOString()).toBe('2099-01-01T11:00:00.000Z');
  });

  it('never puts today\'s bare date in the future', () => {
    const morning = { epochMs: Date.parse('2026-03-29T05:00:00Z'), timeZone: 'Europe/Berlin' };
    expect(parseWhen('2026-03-29', morning)).toBe(morning.epochMs);
  });

  it.each(['', 'tomorrow', '2026-13-01', '2026-02-30', '1969-12-31', '2026-03-01 25:00', '7:30', '2026-03-01T07:30+19:00', '12345', 'now!'])(
    'rejects %j',
    (input) => {
      expect(() => parseWhen(input, now)).toThrow(UsageError);
    },
  );
});

describe('parseDay', () => {
  it('accepts words and dates', () => {
    expect(parseDay('today', now)).toBe('2026-03-29');
    expect(parseDay('Yesterday', now)).toBe('2026-03-28');
    expect(parseDay('2024-02-29', now)).toBe('2024-02-29');
  });

  it.each(['2023-02-29', '2026-3-1', 'now', 'last week'])('rejects %j', (input) => {
    expect(() => parseDay(input, now)).toThrow(/is not a date or time/);
  });
});

describe('formatLocal', () => {
  it('echoes an instant in the zone', () => {
    expect(formatLocal(Date.parse('2026-03-29T01:30:00Z'), 'Europe/Berlin')).toBe('2026-03-29 03:30');
  });
});

// The UTC zones skip TZDate (and Intl): the results must be TZDate's own.
describe(`UTC zones without Intl (seed ${SEED})`, () => {
  const zones = fc.constantFrom('UTC', 'Etc/UTC', 'GMT', 'Etc/GMT');
  it('localParts equals TZDate', () => {
    fc.assert(fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31) }), zones, (ms, zone) => {
      const local = new TZDate(ms, zone);
      expect(localParts(ms, zone)).toEqual({ year: local.getFullYear(), month: local.getMonth() + 1, day: local.getDate(), hour: local.getHours(), minute: local.getMinutes() });
    }), { seed: SEED, numRuns: 1000 });
  });
  it('localToEpoch equals TZDate, overflowing fields included', () => {
    const fields = fc.tuple(fc.integer({ min: 100, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 999 }));
    fc.assert(fc.property(fields, zones, ([year, month, day, hour, minute, second, ms], zone) => {
      const expected = new TZDate(year, month - 1, day, hour, minute, second, ms, zone).getTime();
      expect(localToEpoch({ year, month, day }, hour, minute, second, ms, zone)).toBe(expected);
    }), { seed: SEED, numRuns: 1000 });
  });
});
