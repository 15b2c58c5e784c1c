// Goal: instants and local dates are canonical and validated; zones are checked against Intl.
import { describe, expect, it } from 'vitest';
import { instantFromEpochMs, isKnownTimeZone, parseInstant, parseLocalDate, parseTimeZone } from './time.js';

describe('time values', () => {
  it('accepts only canonical UTC instants with milliseconds', () => {
    expect(parseInstant('2026-03-01T12:00:00.000Z').ok).toBe(true);
    for (const bad of ['2026-03-01T12:00:00Z', '2026-03-01T12:00:00.000+01:00', '2026-02-30T00:00:00.000Z', '1969-12-31T23:59:59.999Z', 'x']) {
      expect(parseInstant(bad).ok).toBe(false);
    }
  });

  it('round-trips epoch milliseconds', () => {
    const instant = instantFromEpochMs(1_772_366_400_000);
    expect(instant).toBe(new Date(1_772_366_400_000).toISOString());
    expect(() => instantFromEpochMs(Number.NaN)).toThrow(RangeError);
  });

  it('accepts real calendar dates only', () => {
    expect(parseLocalDate('2024-02-29').ok).toBe(true);
    expect(parseLocalDate('2026-02-29').ok).toBe(false);
    expect(parseLocalDate('2026-3-1').ok).toBe(false);
  });

  it('knows IANA zones and refuses made-up ones and offsets', () => {
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('Pacific/Auckland')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isKnownTimeZone('+01:00')).toBe(false);
    expect(parseTimeZone('Europe/Atlantis').ok).toBe(false);
  });
});
