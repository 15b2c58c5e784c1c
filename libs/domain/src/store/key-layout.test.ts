// Goal: the key layout sorts numerically, keeps streams apart with the trailing separator, and
// parses back what it writes.
import { describe, expect, it } from 'vitest';
import { compareKeys } from '../ports/kv-store.js';
import { metric, user } from '../testing/fixtures.test-util.js';
import type { LocalDate } from '../time.js';
import {
  dailyRowKey, dailyRowRange, directoryKey, eventKey, eventRange, headKey, idempotencyKeyFor, padVersion, parseDailyRowKey,
  parseDirectoryKey, parseEventVersion, summaryKey,
} from './key-layout.js';

const alice = { kind: 'user', id: user('alice') } as const;
const inRange = (key: string, range: { start: string; end: string }): boolean => compareKeys(key, range.start) >= 0 && compareKeys(key, range.end) < 0;

describe('key layout', () => {
  it('zero-pads versions to 12 digits so byte order is numeric order', () => {
    expect(eventKey(alice, 42)).toBe('user:alice:ev:000000000042');
    const keys = [1, 9, 10, 99, 100, 123_456_789].map((v) => eventKey(alice, v));
    expect([...keys].sort(compareKeys)).toEqual(keys);
    expect(() => padVersion(10 ** 12)).toThrow();
    expect(() => padVersion(-1)).toThrow();
    expect(parseEventVersion(eventKey(alice, 7))).toBe(7);
  });

  it('keeps a stream range free of other streams and of the stream own head and idempotency keys', () => {
    const range = eventRange(alice);
    expect(inRange(eventKey(alice, 1), range)).toBe(true);
    expect(inRange(eventKey({ kind: 'user', id: user('alice2') }, 1), range)).toBe(false);
    expect(inRange(headKey(alice), range)).toBe(false);
    expect(inRange(idempotencyKeyFor(alice, 'k'), range)).toBe(false);
    expect(inRange(summaryKey(alice), range)).toBe(false);
    expect(inRange(eventKey(alice, 5), eventRange(alice, 2, 5))).toBe(false);
    expect(inRange(eventKey(alice, 4), eventRange(alice, 2, 5))).toBe(true);
  });

  it('bounds daily rows by metric and date', () => {
    const key = dailyRowKey(user('alice'), metric('run'), '2026-03-02' as LocalDate);
    expect(key).toBe('proj:daily-totals:row:alice:run:2026-03-02');
    expect(parseDailyRowKey(key)).toEqual({ userId: 'alice', metric: 'run', date: '2026-03-02' });
    const march = dailyRowRange(user('alice'), metric('run'), '2026-03-01' as LocalDate, '2026-04-01' as LocalDate);
    expect(inRange(key, march)).toBe(true);
    expect(inRange(dailyRowKey(user('alice'), metric('run'), '2026-04-01' as LocalDate), march)).toBe(false);
    expect(inRange(dailyRowKey(user('alice'), metric('running'), '2026-03-02' as LocalDate), dailyRowRange(user('alice'), metric('run')))).toBe(false);
  });

  it('parses directory keys', () => {
    expect(parseDirectoryKey(directoryKey(alice))).toEqual(alice);
    expect(parseDirectoryKey('dir:team:core')).toEqual({ kind: 'team', id: 'core' });
    expect(parseDirectoryKey('dir:other:x')).toBeNull();
  });
});
