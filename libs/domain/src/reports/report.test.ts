// Goal: reports bucket entries by the user's local day (DST weeks in Berlin and New York, an
// Auckland user near midnight), honour Monday/Sunday week starts, compute goal attainment,
// streaks and trend, and as-of reports equal the report of a store cut at that point.
import { describe, expect, it } from 'vitest';
import type { Command } from '../commands.js';
import type { TimeZone } from '../time.js';
import { record, register, retract, setGoal } from '../testing/commands.test-util.js';
import { at, user } from '../testing/fixtures.test-util.js';
import { harness } from '../testing/store-harness.test-util.js';
import type { Harness } from '../testing/store-harness.test-util.js';
import { addMember, createTeam } from '../testing/commands.test-util.js';
import { team } from '../testing/fixtures.test-util.js';
import { previousWindow, resolveWindow } from './period.js';
import type { PeriodSpec } from './period.js';
import { teamReport, userReport } from './report-service.js';

const zone = (name: string): TimeZone => name as TimeZone;

async function setup(zoneName: string, commands: (id: string) => Command[], start = '2026-04-20T00:00:00.000Z'): Promise<Harness> {
  const h = await harness({ start });
  const results = await h.runAll([register('u', { timeZone: zoneName }), ...commands('u')]);
  for (const result of results) expect(result.status).toBe('accepted');
  return h;
}

const runAt = (iso: string, amount = 1): Command => record('u', 'running', amount, { occurredAt: at(iso) });

async function report(h: Harness, period: PeriodSpec, zoneName: string, weekStartsOn: 0 | 1 = 1, now = '2026-04-20T00:00:00.000Z') {
  const result = await userReport(h.store, user('u'), { period, settings: { timeZone: zone(zoneName), weekStartsOn, now: at(now) } });
  if (result === null) throw new Error('no report');
  return result;
}

describe('report windows', () => {
  it('a Berlin week across the spring DST change is 7 days and 167 hours', () => {
    const window = resolveWindow({ kind: 'week', containing: '2026-03-29' as never }, { timeZone: zone('Europe/Berlin'), weekStartsOn: 1, now: at('2026-04-01T00:00:00.000Z') });
    expect([window.from, window.until, window.days]).toEqual(['2026-03-23', '2026-03-30', 7]);
    expect((Date.parse(window.untilInstant) - Date.parse(window.fromInstant)) / 3_600_000).toBe(167);
    expect(previousWindow(window, 1).from).toBe('2026-03-16');
  });

  it('month windows and relative offsets', () => {
    const settings = { timeZone: zone('UTC'), weekStartsOn: 1 as const, now: at('2026-03-10T12:00:00.000Z') };
    expect(resolveWindow({ kind: 'month' }, settings)).toMatchObject({ from: '2026-03-01', until: '2026-04-01', days: 31 });
    expect(resolveWindow({ kind: 'month', offset: -1 }, settings)).toMatchObject({ from: '2026-02-01', until: '2026-03-01' });
    expect(resolveWindow({ kind: 'day', offset: -1 }, settings)).toMatchObject({ from: '2026-03-09', until: '2026-03-10' });
    expect(resolveWindow({ kind: 'range', from: '2026-03-01' as never, to: '2026-03-03' as never }, settings).days).toBe(3);
    expect(() => resolveWindow({ kind: 'range', from: '2026-03-03' as never, to: '2026-03-01' as never }, settings)).toThrow(RangeError);
  });
});

describe('user reports across time zones', () => {
  it('Europe/Berlin: a week crossing DST counts entries by local day, clipped to the window', async () => {
    const h = await setup('Europe/Berlin', () => [
      runAt('2026-03-22T23:30:00.000Z', 100), // Mon 23 Mar 00:30 CET: first minutes of the week
      runAt('2026-03-22T22:30:00.000Z', 1000), // Sun 22 Mar 23:30 CET: previous week
      runAt('2026-03-29T21:30:00.000Z', 10), // Sun 29 Mar 23:30 CEST: last minutes of the week
      runAt('2026-03-29T22:30:00.000Z', 2000), // Mon 30 Mar 00:30 CEST: next week (UTC still says the 29th)
    ]);
    const week = await report(h, { kind: 'week', containing: '2026-03-25' as never }, 'Europe/Berlin');
    const running = week.metrics[0];
    expect(running?.total).toBe(110);
    expect(running?.count).toBe(2);
    expect(running?.days.map((day) => day.total)).toEqual([100, 0, 0, 0, 0, 0, 10]);
    expect(running?.trend).toMatchObject({ previousTotal: 1000, change: -890, direction: 'down' });
  });

  it('America/New_York: Sunday-start vs Monday-start weeks around the March DST change', async () => {
    const h = await setup('America/New_York', () => [
      runAt('2026-03-08T04:30:00.000Z', 1), // Sat 7 Mar 23:30 EST
      runAt('2026-03-08T05:30:00.000Z', 10), // Sun 8 Mar 00:30 EST
      runAt('2026-03-15T03:30:00.000Z', 100), // Sat 14 Mar 23:30 EDT
    ]);
    const sunday = await report(h, { kind: 'week', containing: '2026-03-10' as never }, 'America/New_York', 0);
    expect([sunday.window.from, sunday.window.until]).toEqual(['2026-03-08', '2026-03-15']);
    expect(sunday.metrics[0]?.total).toBe(110);
    const monday = await report(h, { kind: 'week', containing: '2026-03-10' as never }, 'America/New_York', 1);
    expect([monday.window.from, monday.window.until]).toEqual(['2026-03-09', '2026-03-16']);
    expect(monday.metrics[0]?.total).toBe(100);
    expect(monday.metrics[0]?.trend.previousTotal).toBe(11);
  });

  it('Pacific/Auckland: entries a minute either side of local midnight land on different days', async () => {
    const h = await setup('Pacific/Auckland', () => [runAt('2026-01-15T10:59:00.000Z', 3), runAt('2026-01-15T11:01:00.000Z', 4)]);
    const day15 = await report(h, { kind: 'day', containing: '2026-01-15' as never }, 'Pacific/Auckland', 1, '2026-01-16T01:00:00.000Z');
    expect(day15.metrics[0]?.total).toBe(3);
    const day16 = await report(h, { kind: 'day', containing: '2026-01-16' as never }, 'Pacific/Auckland', 1, '2026-01-16T01:00:00.000Z');
    expect(day16.metrics[0]?.total).toBe(4);
    expect(day16.metrics[0]?.streak.current).toBe(2);
    expect(day16.today).toBe('2026-01-16');
  });

  it('goal attainment, periods met, average and streaks', async () => {
    const h = await setup('UTC', (id) => [
      runAt('2026-03-02T08:00:00.000Z', 5), runAt('2026-03-03T08:00:00.000Z', 10), runAt('2026-03-03T18:00:00.000Z', 5),
      runAt('2026-03-05T08:00:00.000Z', 1), setGoal(id, 'running', 20, { period: 'week' }),
    ]);
    const week = await report(h, { kind: 'week', containing: '2026-03-04' as never }, 'UTC', 1, '2026-03-08T12:00:00.000Z');
    const running = week.metrics[0];
    expect(running).toMatchObject({ total: 21, count: 4, average: 5.25, activeDays: 3 });
    expect(running?.goal).toMatchObject({ expected: 20, achieved: 21, percent: 105, periodsMet: 1, periodsTotal: 1 });
    expect(running?.streak).toEqual({ current: 0, longestInWindow: 2 });
    const month = await report(h, { kind: 'month', containing: '2026-03-04' as never }, 'UTC', 1, '2026-03-08T12:00:00.000Z');
    expect(month.metrics[0]?.goal?.expected).toBeCloseTo((20 / 7) * 31, 2);
    expect(month.metrics[0]?.goal?.periodsTotal).toBe(4); // whole Monday weeks inside March 2026: 2-8, 9-15, 16-22, 23-29
  });

  it('retracted entries do not count', async () => {
    const h = await setup('UTC', (id) => [runAt('2026-03-02T08:00:00.000Z', 5), runAt('2026-03-02T09:00:00.000Z', 7), retract(id, 'e1')]);
    const day = await report(h, { kind: 'day', containing: '2026-03-02' as never }, 'UTC');
    expect(day.metrics[0]).toMatchObject({ total: 7, count: 1 });
  });
});

describe('as-of reports', () => {
  it('replaying to a revision gives the report the store gave at that revision', async () => {
    const h = await harness({ start: '2026-03-20T00:00:00.000Z' });
    await h.run(register('u', { timeZone: 'UTC' }));
    await h.run(runAt('2026-03-02T08:00:00.000Z', 5));
    const settings = { timeZone: zone('UTC'), weekStartsOn: 1 as const, now: at('2026-03-20T00:00:00.000Z') };
    const period: PeriodSpec = { kind: 'month', containing: '2026-03-01' as never };
    const then = await userReport(h.store, user('u'), { period, settings });
    const revision = await h.kv.currentRevision();
    await h.runAll([runAt('2026-03-03T08:00:00.000Z', 7), retract('u', 'e1')]);
    const now = await userReport(h.store, user('u'), { period, settings });
    const asOf = await userReport(h.store, user('u'), { period, settings, asOf: { revision } });
    expect(asOf).toEqual(then);
    expect(now?.metrics[0]?.total).toBe(7);
    expect(then?.metrics[0]?.total).toBe(5);
    const byTime = await userReport(h.store, user('u'), { period, settings, asOf: { recordedAt: at('2026-03-20T00:00:01.500Z') } });
    expect(byTime).toEqual(then);
    expect(await userReport(h.store, user('u'), { period, settings, asOf: { revision: 0n } })).toBeNull();
  });

  it('team reports sum members per metric and unit, as of the team at the cutoff', async () => {
    const h = await harness({ start: '2026-03-20T00:00:00.000Z' });
    await h.runAll([
      register('a', { timeZone: 'UTC' }), register('b', { timeZone: 'UTC' }), register('c', { timeZone: 'UTC' }),
      record('a', 'running', 5, { occurredAt: at('2026-03-02T08:00:00.000Z') }),
      record('b', 'running', 7, { occurredAt: at('2026-03-03T08:00:00.000Z') }),
      record('c', 'running', 3, { unit: 'mi', occurredAt: at('2026-03-03T08:00:00.000Z') }),
      setGoal('a', 'running', 10, { period: 'week' }),
      createTeam('t'), addMember('t', 'a'), addMember('t', 'b'),
    ]);
    const revision = await h.kv.currentRevision();
    await h.run(addMember('t', 'c'));
    const request = { period: { kind: 'week', containing: '2026-03-02' } as PeriodSpec, settings: { timeZone: zone('UTC'), weekStartsOn: 1 as const, now: at('2026-03-20T00:00:00.000Z') } };
    const current = await teamReport(h.store, team('t'), request);
    expect(current?.metrics.map((m) => [m.metric, m.unit, m.total])).toEqual([['running', 'km', 12], ['running', 'mi', 3]]);
    expect(current?.metrics[0]?.goal).toMatchObject({ expected: 10, achieved: 5, percent: 50, membersWithGoal: 1 });
    expect(current?.metrics[0]?.byMember.map((m) => [m.userId, m.total])).toEqual([['a', 5], ['b', 7]]);
    const before = await teamReport(h.store, team('t'), { ...request, asOf: { revision } });
    expect(before?.members.map((m) => m.userId)).toEqual(['a', 'b']);
    expect(before?.metrics.map((m) => m.total)).toEqual([12]);
    expect(await teamReport(h.store, team('nope'), request)).toBeNull();
  });
});
