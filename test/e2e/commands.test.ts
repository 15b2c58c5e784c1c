// Goal: the happy path of every command of the built binary, in a fresh sandbox, as a user would
// type them (stdout carries data, stderr diagnostics, exit code 0). Method: one story from a first
// `log` on an empty store through goals, corrections, undo/redo, reports in every format, users
// and teams, export/import round trip, maintenance, config, completion and the demo.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ok, runCli, sandbox } from './helpers.js';
import type { Sandbox } from './helpers.js';

let box: Sandbox;

beforeAll(() => {
  box = sandbox('commands');
});

describe('progress commands (built binary)', () => {
  it('log, goal, status, history', async () => {
    const first = await runCli(['log', 'running', '5', 'km', '--note', 'easy run', '--tag', 'morning'], box);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^saved e1: running 5 km at .* \(UTC\)\s+#morning "easy run"\n$/);
    expect(first.stderr).toContain('registered user tester');
    await ok(['log', 'running', '3', '--at', 'yesterday'], box);
    const json = JSON.parse(await ok(['log', 'reading', '30', 'pages', '--json', '--idempotency-key', 'book-1'], box));
    expect(json).toMatchObject({ status: 'saved', entryId: 'e3', metric: 'reading', amount: 30, unit: 'pages', goal: null });
    expect(await ok(['log', 'reading', '30', 'pages', '--idempotency-key', 'book-1'], box)).toMatch(/already saved under idempotency key book-1/);
    expect(await ok(['goal', 'set', 'running', '20', '--per', 'week'], box)).toMatch(/goal set: running 20 per week/);
    expect(await ok(['log', 'running', '2'], box)).toMatch(/goal 20 km per week: \d+(\.\d+)?\/20 this week .*%/);
    expect(await ok(['goal', 'list'], box)).toMatch(/running\s+20 km\s+week/);
    expect(JSON.parse(await ok(['goal', 'list', '--json'], box))).toMatchObject([{ metric: 'running', target: 20, period: 'week' }]);
    const status = await ok(['status'], box);
    expect(status).toMatch(/^tester · \d{4}-\d\d-\d\d · UTC/);
    expect(status).toMatch(/running \(km\)/);
    expect(JSON.parse(await ok(['status', '--json'], box))).toMatchObject({ user: 'tester', metrics: [{ metric: 'reading' }, { metric: 'running', streak: { current: 2 } }] });
    expect(await ok(['history'], box)).toMatch(/e4 .* running .* 2 .* km/);
    const history = JSON.parse(await ok(['history', '--json', '--metric', 'running', '--limit', '0'], box)) as { entryId: string }[];
    expect(history.map((entry) => entry.entryId)).toEqual(['e4', 'e1', 'e2']);
  });

  it('amend, retract, undo and redo', async () => {
    expect(await ok(['amend', 'e1', '--amount', '6', '--note', ''], box)).toMatch(/done: amend e1 .*amount → 6, note → \(none\)/);
    expect(await ok(['retract', 'e2', '--reason', 'logged twice'], box)).toMatch(/done: retract e2/);
    expect(await ok(['undo', '--dry-run'], box)).toMatch(/^undo would reverse: retract e2[\s\S]*restore e2[\s\S]*nothing changed \(dry run\)\n$/);
    expect(await ok(['undo'], box)).toMatch(/^undone: retract e2/);
    expect(await ok(['redo', '--dry-run'], box)).toMatch(/^redo would reverse/);
    expect(await ok(['redo'], box)).toMatch(/^redone/);
    expect(await ok(['history', '--retracted'], box)).toMatch(/e2 .*\(retracted\)/);
  });

  it('report in every format', async () => {
    expect(await ok(['report'], box)).toMatch(/^Progress report: tester\n[\s\S]*running \(km\)\s+total [\s\S]*█/);
    expect(await ok(['report', '--period', 'month'], box)).toMatch(/reading \(pages\)/);
    expect(await ok(['report', '--period', 'week', '--ago', '1'], box)).toMatch(/Progress report/);
    const json = JSON.parse(await ok(['report', '--json'], box));
    expect(json).toMatchObject({ kind: 'user', userId: 'tester', window: { kind: 'week' } });
    expect(await ok(['report', '--format', 'csv'], box)).toMatch(/^from,to,metric,unit,member,total/);
    expect(await ok(['report', '--format', 'md'], box)).toMatch(/^# /);
    await ok(['report', '--format', 'html', '--out', join(box.root, 'r.html')], box);
    expect(readFileSync(join(box.root, 'r.html'), 'utf8')).toMatch(/^<!DOCTYPE html>[\s\S]*<svg/);
    const today = new Date().toISOString().slice(0, 10);
    expect(await ok(['report', '--from', '2026-01-01', '--to', today], box)).toMatch(/2026-01-01 – /);
    expect(JSON.parse(await ok(['report', '--json', '--as-of', '2001-01-01'], box))).toMatchObject({ metrics: [] });
  });

  it('users and teams', async () => {
    expect(await ok(['user', 'add', 'grace', '--name', 'Grace Hopper', '--time-zone', 'America/New_York'], box)).toMatch(/user grace added/);
    expect(await ok(['user', 'rename', 'grace', 'Rear Admiral Hopper'], box)).toMatch(/now called "Rear Admiral Hopper"/);
    expect(await ok(['user', 'time-zone', 'Europe/Berlin', '--user', 'grace'], box)).toMatch(/time zone of grace is now Europe\/Berlin/);
    await ok(['log', 'running', '4', '--user', 'grace'], box);
    expect(await ok(['user', 'list'], box)).toMatch(/grace\s+Rear Admiral Hopper\s+Europe\/Berlin/);
    expect(await ok(['team', 'create', 'core', 'Core team'], box)).toMatch(/team core created/);
    await ok(['team', 'add', 'core', 'tester'], box);
    await ok(['team', 'add', 'core', 'grace'], box);
    expect(await ok(['team', 'list'], box)).toMatch(/core\s+Core team\s+2\s+grace, tester/);
    expect(JSON.parse(await ok(['team', 'list', 'core', '--json'], box))).toEqual({ team: 'core', name: 'Core team', members: ['grace', 'tester'] });
    expect(await ok(['report', '--team', 'core'], box)).toMatch(/team Core team \(core\)[\s\S]*by member/);
    expect(await ok(['team', 'remove', 'core', 'grace'], box)).toMatch(/grace removed from team core/);
    expect(await ok(['undo', '--team', 'core'], box)).toMatch(/undone: remove member grace/);
  });

  it('export and import round trip, CSV in and out', async () => {
    const jsonl = join(box.root, 'all.jsonl');
    await ok(['export', '--out', jsonl], box);
    const lines = readFileSync(jsonl, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    expect(await ok(['export', '--format', 'csv'], box)).toMatch(/^entry_id,user_id,metric,amount,unit,occurred_at/);
    expect(await ok(['export', '--format', 'md', '--team', 'core'], box)).toMatch(/^# /);
    await ok(['export', '--format', 'html', '--out', join(box.root, 'e.html')], box);
    const other = sandbox('import');
    expect(await ok(['import', jsonl], other)).toBe(`imported ${lines.length} events from ${jsonl}\n`);
    expect(await ok(['import', jsonl], other)).toMatch(/imported 0 events .*; \d+ events already present, skipped/);
    expect(await ok(['export'], other)).toBe(readFileSync(jsonl, 'utf8'));
    const csv = join(other.root, 'runs.csv');
    writeFileSync(csv, 'user_id,metric,amount,occurred_at,unit,note,tags\ntester,running,7.5,2026-01-10T08:00:00.000Z,km,park,trail\ntester,rowing,2000,2026-01-11T08:00:00.000Z,m,,\n');
    expect(await ok(['import', csv], other)).toMatch(/^imported 2 events/);
    expect(await ok(['history', '--metric', 'rowing'], other)).toMatch(/rowing\s+2000\s+m/);
    expect(JSON.parse(await ok(['import', '-', '--format', 'jsonl', '--json'], other, { input: readFileSync(jsonl, 'utf8') }))).toMatchObject({ imported: 0 });
  });

  it('rebuild, db stats, compact, verify, backup', async () => {
    expect(await ok(['rebuild'], box)).toMatch(/^rebuilt projections of \d+ streams/);
    expect(await ok(['db', 'stats'], box)).toMatch(/^store .*\n2 users, 1 team/);
    expect(JSON.parse(await ok(['db', 'stats', '--json'], box))).toMatchObject({ users: 2, teams: 1, engine: { levels: expect.any(Array) } });
    expect(await ok(['db', 'compact'], box)).toMatch(/^compacted/);
    expect(await ok(['db', 'verify'], box)).toMatch(/^ok: \d+ tables?, \d+ blocks?, \d+ entries/);
    const backup = join(box.root, 'store.backup');
    expect(await ok(['db', 'backup', backup], box)).toMatch(/^backed up \d+ records .* to .*store.backup; next incremental: --since \d+/);
    const restored = sandbox('restore');
    expect(await ok(['db', 'restore', backup], restored)).toMatch(/^restored \d+ records/);
    // a restore gives new commit timestamps (DESIGN.md section 5), so compare the events, not their order
    const sorted = (text: string): string[] => text.trim().split('\n').sort();
    expect(sorted(await ok(['export'], restored))).toEqual(sorted(await ok(['export'], box)));
    expect((await runCli(['db', 'restore', backup], restored)).stderr).toMatch(/already has data; restore needs an empty store/);
  });

  it('config and completion', async () => {
    expect(await ok(['config', 'get', 'time-zone'], box)).toBe('UTC\n');
    expect(await ok(['config', 'set', 'time-zone', 'Europe/Berlin'], box)).toBe('time-zone = Europe/Berlin\n');
    expect(await ok(['config', 'set', 'week-start', 'sunday'], box)).toBe('week-start = sunday\n');
    expect(await ok(['config', 'get'], box)).toMatch(/^user\s+tester\s+\(default\)\ntime-zone\s+Europe\/Berlin\nweek-start\s+sunday\n$/);
    expect(JSON.parse(readFileSync(join(box.root, 'config/progress/config.json'), 'utf8'))).toEqual({ timeZone: 'Europe/Berlin', weekStart: 'sunday' });
    expect(await ok(['config', 'unset', 'time-zone'], box)).toMatch(/reset to its default/);
    expect(await ok(['completion', 'bash'], box)).toMatch(/complete -o bashdefault -o default -F _progress_completions progress/);
    expect(await ok(['completion', 'zsh'], box)).toMatch(/^#compdef progress/);
    expect(await ok(['--get-yargs-completions', 'progress', 'goal', ''], box)).toMatch(/set\nlist\nclear/);
    expect(await ok(['--help'], box)).toMatch(/Commands:[\s\S]*progress demo/);
    expect(await ok(['log', '--help'], box)).toMatch(/Examples:/);
  });

  it('demo fills a store with 90 days and prints a status and a team report', async () => {
    const demo = join(box.root, 'demo');
    const result = await runCli(['demo', '--db', demo], box);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^demo store .*\n90 days of Ada Lovelace \(ada\), Grace Hopper \(grace\), Alan Turing \(alan\) and team core: \d+ events in one atomic import/);
    expect(result.stdout).toMatch(/\$ progress status --user ada\nAda Lovelace \(ada\)/);
    expect(result.stdout).toMatch(/\$ progress report --team core --ago 1\nProgress report: team Core team \(core\)/);
    expect(await ok(['report', '--user', 'alan', '--period', 'month', '--db', demo], box)).toMatch(/Alan Turing/);
    const again = await runCli(['demo', '--db', demo], box);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already has data/);
  });
});
