// Goal: exports are lossless and imports are idempotent and all-or-nothing per file.
// JSON Lines: export -> import into an empty store -> export gives identical bytes; importing again
// changes nothing. CSV: exported entries re-import; a file with 3 bad rows reports exactly those 3
// lines and imports nothing; re-importing a file adds nothing.
import { describe, expect, it } from 'vitest';
import { steppingClock } from '../ports/clock.js';
import { StoreUnavailable } from '../ports/kv-store.js';
import { sequentialIds } from '../ports/ids.js';
import type { UserState } from '../state.js';
import { amend, changeZone, createTeam, addMember, record, register, retract, setGoal, undoUser } from '../testing/commands.test-util.js';
import { at, user } from '../testing/fixtures.test-util.js';
import { harness } from '../testing/store-harness.test-util.js';
import type { Harness } from '../testing/store-harness.test-util.js';
import { ImportRejectedError } from './errors.js';
import { importCsv, importJsonl } from './import.js';
import { projectionSnapshot, rebuildAll } from './rebuild.js';
import { exportCsv, exportJsonl } from './transfer.js';

async function populated(): Promise<Harness> {
  const h = await harness({ start: '2026-03-20T00:00:00.000Z' });
  await h.runAll([
    register('alice', { timeZone: 'Europe/Berlin' }), register('bob', { timeZone: 'Pacific/Auckland' }),
    record('alice', 'running', 5, { note: 'hills, "steep"', tags: ['a', 'b'], occurredAt: at('2026-03-02T06:00:00.000Z') }),
    record('bob', 'reading', 30, { unit: 'pages', occurredAt: at('2026-03-02T11:01:00.000Z') }),
    amend('alice', 'e1', { amount: 6 }), record('alice', 'running', 2, { occurredAt: at('2026-03-03T06:00:00.000Z') }),
    retract('alice', 'e2'), undoUser('alice'), setGoal('alice', 'running', 20), changeZone('bob', 'UTC'),
    createTeam('core'), addMember('core', 'alice'), addMember('core', 'bob'),
  ]);
  return h;
}

const csvOptions = { clock: steppingClock(at('2026-03-21T00:00:00.000Z')), ids: sequentialIds(77), actor: user('admin') };

describe('JSON Lines', () => {
  it('round-trips: export, import into an empty store, export again: identical', async () => {
    const source = await populated();
    const first = await exportJsonl(source.store);
    expect(first.split('\n').filter(Boolean)).toHaveLength(14);
    const target = await harness();
    const report = await importJsonl(target.store, first);
    expect(report).toMatchObject({ imported: 14, skipped: 0, commits: 1, atomic: true });
    expect(await exportJsonl(target.store)).toBe(first);
    const rows = await projectionSnapshot(target.store);
    expect(rows).toEqual(await projectionSnapshot(source.store));
    await rebuildAll(target.store);
    expect(await projectionSnapshot(target.store)).toEqual(rows);
  });

  it('importing the same file again changes nothing', async () => {
    const source = await populated();
    const text = await exportJsonl(source.store);
    const target = await harness();
    await importJsonl(target.store, text);
    const before = target.kv.dump();
    const again = await importJsonl(target.store, text);
    expect(again).toMatchObject({ imported: 0, skipped: 14, commits: 0 });
    expect(target.kv.dump()).toEqual(before);
  });

  it('splits into several commits when the store limits demand it, and says so', async () => {
    const source = await populated();
    const text = await exportJsonl(source.store);
    const target = await harness({ limits: { maxOpsPerCommit: 20 } });
    const report = await importJsonl(target.store, text);
    expect(report.commits).toBeGreaterThan(1);
    expect(report.atomic).toBe(false);
    expect(await exportJsonl(target.store)).toBe(text);
  });

  it('imports from lines (a stream, never one string) like from the text, numbering lines the same way', async () => {
    const source = await populated();
    const text = await exportJsonl(source.store);
    async function* lines(content: string): AsyncGenerator<string> {
      for (const line of content.split('\n')) yield line;
    }
    const target = await harness();
    expect(await importJsonl(target.store, lines(text))).toMatchObject({ imported: 14, atomic: true });
    expect(await exportJsonl(target.store)).toBe(text);
    const broken = text.split('\n');
    broken[3] = '{"not":"an event"}';
    const error = await importJsonl((await harness()).store, lines(broken.join('\n'))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImportRejectedError);
    expect((error as ImportRejectedError).problems.map((problem) => problem.line)).toEqual([4]);
  });

  it('chunked to 128 operations (etcd), interrupted, completes when run again, equal to a one-commit import', async () => {
    const source = await populated();
    for (let index = 1; index <= 150; index += 1) {
      await source.run(record(index % 3 === 0 ? 'bob' : 'alice', index % 3 === 0 ? 'reading' : 'running', index, {
        ...(index % 3 === 0 ? { unit: 'pages' } : {}), occurredAt: at(new Date(Date.parse('2026-02-01T08:00:00.000Z') + index * 3_600_000 * 7).toISOString()),
      }));
    }
    const text = await exportJsonl(source.store);
    const whole = await harness();
    expect(await importJsonl(whole.store, text)).toMatchObject({ commits: 1, atomic: true });
    const chunked = await harness({ limits: { maxOpsPerCommit: 128 } });
    let commits = 0;
    chunked.kv.beforeCommit = () => {
      commits += 1;
      if (commits === 3) throw new StoreUnavailable('injected: lost the store during the third import commit');
    };
    await expect(importJsonl(chunked.store, text)).rejects.toThrow(StoreUnavailable);
    const prefix = (await exportJsonl(chunked.store)).split('\n').filter(Boolean).length;
    expect(prefix).toBeGreaterThan(0);
    expect(prefix).toBeLessThan(text.split('\n').filter(Boolean).length);
    chunked.kv.beforeCommit = undefined;
    const resumed = await importJsonl(chunked.store, text);
    expect(resumed.skipped).toBe(prefix);
    expect(resumed.commits).toBeGreaterThan(1);
    expect(await exportJsonl(chunked.store)).toBe(text);
    expect([...(await projectionSnapshot(chunked.store))]).toEqual([...(await projectionSnapshot(whole.store))]);
  });

  it('rejects bad lines with their numbers and imports nothing', async () => {
    const source = await populated();
    const lines = (await exportJsonl(source.store)).split('\n');
    lines[1] = '{"oops":1}';
    lines[4] = (lines[4] ?? '').replace('"schemaVersion":', '"schemaVersion":99,"x":');
    lines[6] = 'not json';
    const target = await harness();
    const error = await importJsonl(target.store, lines.join('\n')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImportRejectedError);
    expect((error as ImportRejectedError).problems.map((problem) => problem.line)).toEqual([2, 5, 7]);
    expect([...target.kv.dump().keys()]).toEqual(['$meta:format']);
  });

  it('rejects a file that diverges from the store, and one with versions out of order', async () => {
    const source = await populated();
    const text = await exportJsonl(source.store);
    const other = await harness({ idPrefix: 5 });
    await other.run(register('alice'));
    await expect(importJsonl(other.store, text)).rejects.toBeInstanceOf(ImportRejectedError);
    const lines = text.split('\n').filter(Boolean);
    const swapped = [lines[2], lines[1], lines[0], ...lines.slice(3)].join('\n');
    const empty = await harness();
    const error = (await importJsonl(empty.store, swapped).catch((caught: unknown) => caught)) as ImportRejectedError;
    expect(error.problems[0]?.message).toMatch(/out of order/);
  });
});

describe('CSV', () => {
  it('exports counted entries with RFC 4180 quoting and a documented header', async () => {
    const source = await populated();
    const csv = await exportCsv(source.store);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('entry_id,user_id,metric,amount,unit,occurred_at,time_zone,local_date,note,tags,recorded_at');
    expect(lines).toContain('e1,alice,running,6,km,2026-03-02T06:00:00.000Z,Europe/Berlin,2026-03-02,"hills, ""steep""",a b,2026-03-20T00:00:02.000Z');
    expect(lines.some((line) => line.startsWith('e1,bob,reading,30,pages,2026-03-02T11:01:00.000Z,Pacific/Auckland,2026-03-03,'))).toBe(true);
    expect(lines.filter(Boolean)).toHaveLength(4); // header + alice e1, e2 (the undo restored it) + bob e1
  });

  it('re-imports an export into a store with the users, idempotently', async () => {
    const source = await populated();
    const csv = await exportCsv(source.store);
    const target = await harness({ start: '2026-03-21T00:00:00.000Z' });
    await target.runAll([register('alice', { timeZone: 'Europe/Berlin' }), register('bob', { timeZone: 'Pacific/Auckland' })]);
    const report = await importCsv(target.store, csv, csvOptions);
    expect(report).toMatchObject({ imported: 3, skipped: 0 });
    const alice = (await target.store.loadState({ kind: 'user', id: user('alice') })) as UserState;
    expect([...alice.entries.values()].map((entry) => [entry.amount, entry.note, entry.tags])).toEqual([[6, 'hills, "steep"', ['a', 'b']], [2, null, []]]);
    const before = target.kv.dump();
    expect(await importCsv(target.store, csv, csvOptions)).toMatchObject({ imported: 0, skipped: 3 });
    expect(target.kv.dump()).toEqual(before);
  });

  it('a file with 3 bad rows reports those 3 lines and imports nothing', async () => {
    const target = await harness({ start: '2026-03-21T00:00:00.000Z' });
    await target.run(register('alice'));
    const csv = [
      'user_id,metric,amount,occurred_at,note',
      'alice,running,5,2026-03-01T10:00:00.000Z,ok',
      'alice,running,-3,2026-03-01T10:00:00.000Z,negative amount',
      'alice,running,2,2026-03-01T11:00:00.000Z,ok too',
      'alice,running,2,yesterday,bad time',
      'zed,running,2,2026-03-01T10:00:00.000Z,unknown user',
      '',
    ].join('\r\n');
    const error = (await importCsv(target.store, csv, csvOptions).catch((caught: unknown) => caught)) as ImportRejectedError;
    expect(error).toBeInstanceOf(ImportRejectedError);
    expect(error.problems.map((problem) => problem.line)).toEqual([3, 5, 6]);
    expect(error.problems[2]?.message).toMatch(/^USER_NOT_REGISTERED/);
    expect((await target.store.readStream({ kind: 'user', id: user('alice') })).length).toBe(1);
  });

  it('numbers lines by where a record starts, even after a quoted newline', async () => {
    const target = await harness({ start: '2026-03-21T00:00:00.000Z' });
    await target.run(register('alice'));
    const csv = 'user_id,metric,amount,occurred_at,note\n"alice",running,2,2026-03-01T11:00:00.000Z,"multi\nline"\nalice,running,0,2026-03-01T11:00:00.000Z,zero\n';
    const error = (await importCsv(target.store, csv, csvOptions).catch((caught: unknown) => caught)) as ImportRejectedError;
    expect(error.problems.map((problem) => [problem.line, problem.message.split(':')[0]])).toEqual([
      [2, 'TEXT_CONTROL_CHARACTERS'], [4, 'AMOUNT_OUT_OF_RANGE'],
    ]);
  });
});
