// Goal: the entry point parses strictly, maps every outcome to the documented exit code with a
// one-line message, and the core commands work end to end in-process on a real (temporary) store.
// Method: run(argv, io) with captured output and an isolated environment (XDG dirs, store, zone).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { run, VERSION } from './main.js';
import type { Io } from './main.js';

interface Captured extends Io {
  readonly out: string[];
  readonly err: string[];
}

let root = '';

function capture(): Captured {
  const out: string[] = [];
  const err: string[] = [];
  const env = { XDG_DATA_HOME: join(root, 'data'), XDG_CONFIG_HOME: join(root, 'config'), USER: 'tester', TZ: 'UTC', HOME: root };
  return { out, err, env, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const code = await run(argv, io);
  return { code, out: io.out.join(''), err: io.err.join('') };
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'progress-cli-'));
});

describe('progress entry point', () => {
  it('prints the version and help', async () => {
    expect(await cli('--version')).toMatchObject({ code: 0, out: `${VERSION}\n` });
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('progress <command> [options]');
    expect(help.out).toContain('log <metric> <amount> [unit]');
  });

  it('rejects an unknown flag with exit 2, a suggestion and the usage line', async () => {
    const result = await cli('history', '--limt', '3');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^error: unknown flag --limt \(did you mean --limit\?\)\nhint: usage: progress history/);
    expect(result.out).toBe('');
  });

  it('suggests a command for a typo', async () => {
    const result = await cli('stauts');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^error: unknown command "stauts" \(did you mean status\?\)/);
  });

  it.each([
    [['log', 'running'], /missing argument/],
    [['log', 'running', '5km'], /amount 5km is not a number/],
    [['log', 'running', '5', '--at', 'someday'], /someday is not a date or time/],
    [['goal', 'set', 'running', '5', '--per', 'year'], /--per must be one of day, week, month/],
    [['report', '--period', 'month', '--from', '2026-01-01'], /either --period or --from/],
    [['history', '--limit', 'ten'], /--limit ten is not a whole number/],
    [['amend', 'e1'], /nothing to amend/],
    [['log', 'Bad:Metric', '1'], /metric name/],
  ])('usage error for %j', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.err).not.toMatch(/\n\s+at /);
  });

  it('logs, reports status and history, undoes, with domain rejections as exit 1', async () => {
    const first = await cli('log', 'running', '5', 'km', '--note', 'easy', '--tag', 'Morning');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^saved e1: running 5 km at \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\)\s+#morning "easy"\n$/);
    expect(first.err).toContain('registered user tester');
    expect((await cli('goal', 'set', 'running', '20', '--per', 'week')).code).toBe(0);
    const second = await cli('log', 'running', '3');
    expect(second.out).toMatch(/goal 20 km per week: 8\/20 this week/);
    expect(await cli('log', 'running', '3', 'mi')).toMatchObject({ code: 1, err: expect.stringMatching(/^error: metric running is measured in km, not mi/) });
    expect((await cli('log', 'running', '0')).code).toBe(1);
    const status = await cli('status', '--json');
    expect(JSON.parse(status.out)).toMatchObject({ user: 'tester', metrics: [{ metric: 'running', today: { total: 8 }, goal: { target: 20, period: 'week' } }] });
    const history = await cli('history', '--json');
    expect(JSON.parse(history.out).map((entry: { entryId: string }) => entry.entryId)).toEqual(['e2', 'e1']);
    const dry = await cli('undo', '--dry-run');
    expect(dry.out).toMatch(/^undo would reverse: log running 3 km as e2/);
    expect((await cli('undo')).code).toBe(0);
    expect(JSON.parse((await cli('history', '--json')).out)).toHaveLength(1);
    expect((await cli('redo')).code).toBe(0);
    expect(JSON.parse((await cli('history', '--json')).out)).toHaveLength(2);
    expect(await cli('retract', 'e9')).toMatchObject({ code: 1, err: expect.stringMatching(/^error: user tester has no entry e9\nhint: list entries/) });
  });

  it('reports a user that does not exist as exit 1 and changes nothing', async () => {
    const result = await cli('status', '--user', 'nobody');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^error: user nobody is not registered/);
  });
});
