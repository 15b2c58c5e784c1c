// Goal: for every command, bad input (missing argument, unknown flag, bad number, bad date,
// over-long text, unknown id, …) gives the documented exit code and a one-line "error:" message
// with no stack trace, and leaves the store byte-identical.
// Method: one prepared store; each case runs the built binary on its own copy of it and compares
// a full key/value/version scan of the copy before and after (helpers.scanStore).
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cloneSandbox, ok, pool, runCli, sandbox, scanStore, STACK_TRACE } from './helpers.js';
import type { Sandbox, StoreScan } from './helpers.js';

interface Case {
  readonly argv: readonly string[] | ((box: Sandbox) => readonly string[]);
  readonly code: number;
  readonly message: RegExp;
  readonly setup?: (box: Sandbox) => void;
}

const long = (n: number): string => 'x'.repeat(n);

const CASES: Readonly<Record<string, readonly Case[]>> = {
  log: [
    { argv: ['log'], code: 2, message: /^error: missing argument for "progress log <metric> <amount> \[unit\]"/ },
    { argv: ['log', 'running', '5', '--titel', 'x'], code: 2, message: /^error: unknown flag --titel/ },
    { argv: ['log', 'running', 'five'], code: 2, message: /^error: amount five is not a number/ },
    { argv: ['log', 'running', '5', '--at', '2026-02-30'], code: 2, message: /^error: 2026-02-30 is not a date or time/ },
    { argv: ['log', 'running', '5', '--note', long(501)], code: 1, message: /^error: note is 501 characters; the limit is 500/ },
    { argv: ['log', 'running', '5', '--user', 'ghost'], code: 1, message: /^error: user ghost is not registered/ },
    { argv: ['log', 'running', '0'], code: 1, message: /^error: amount must be greater than 0/ },
    { argv: ['log', 'running', '5', 'mi'], code: 1, message: /^error: metric running is measured in km, not mi/ },
    { argv: ['log', 'running', '5', '--at', '2099-01-01'], code: 1, message: /is in the future/ },
    { argv: ['log', long(49), '5'], code: 2, message: /^error: metric name is 49 characters long; the limit is 48/ },
  ],
  status: [
    { argv: ['status', 'extra'], code: 2, message: /^error: unexpected argument "extra"/ },
    { argv: ['status', '--jsn'], code: 2, message: /^error: unknown flag --jsn \(did you mean --json\?\)/ },
    { argv: ['status', '--user', 'ghost'], code: 1, message: /^error: user ghost is not registered/ },
    { argv: ['status', '--user', 'bad:id'], code: 2, message: /^error: user id "bad:id" may contain only/ },
    { argv: ['status', '--user', long(65)], code: 2, message: /^error: user id is 65 characters long; the limit is 64/ },
    { argv: ['status', '--user', ''], code: 2, message: /^error: user id must not be empty/ },
  ],
  goal: [
    { argv: ['goal'], code: 2, message: /^error: missing argument/ },
    { argv: ['goal', 'set', 'running'], code: 2, message: /^error: missing argument for "progress goal set/ },
    { argv: ['goal', 'set', 'running', 'abc', '--per', 'week'], code: 2, message: /^error: target abc is not a number/ },
    { argv: ['goal', 'set', 'running', '5'], code: 2, message: /^error: missing --per/ },
    { argv: ['goal', 'set', 'running', '5', '--per', 'week', '--from', '2026-13-01'], code: 2, message: /^error: 2026-13-01 is not a date or time/ },
    { argv: ['goal', 'set', 'swimming', '5', '--per', 'week'], code: 1, message: /^error: user tester has never recorded swimming/ },
    { argv: ['goal', 'set', 'running', '20', '--per', 'week'], code: 1, message: /^error: the goal for running is already exactly that/ },
    { argv: ['goal', 'clear', 'swimming'], code: 1, message: /^error: user tester has no goal for swimming/ },
    { argv: ['goal', 'list', '--user', 'ghost'], code: 1, message: /^error: user ghost is not registered/ },
  ],
  history: [
    { argv: ['history', '--limit', 'abc'], code: 2, message: /^error: --limit abc is not a whole number/ },
    { argv: ['history', '--from', 'yesterdayish'], code: 2, message: /^error: yesterdayish is not a date or time/ },
    { argv: ['history', '--from', '2026-02-01', '--to', '2026-01-01'], code: 2, message: /^error: --to 2026-01-01 is before --from 2026-02-01/ },
    { argv: ['history', '--user', 'ghost'], code: 1, message: /^error: user ghost is not registered/ },
    { argv: ['history', '--metric', 'Bad Metric'], code: 2, message: /^error: metric name "bad metric" may contain only/ },
    { argv: ['history', '--colour'], code: 2, message: /^error: unknown flag --colour/ },
  ],
  amend: [
    { argv: ['amend'], code: 2, message: /^error: missing argument for "progress amend <entry-id>"/ },
    { argv: ['amend', 'e1'], code: 2, message: /^error: nothing to amend/ },
    { argv: ['amend', 'e1', '--amount', 'x'], code: 2, message: /^error: amount x is not a number/ },
    { argv: ['amend', 'e1', '--at', 'never'], code: 2, message: /^error: never is not a date or time/ },
    { argv: ['amend', 'e999', '--amount', '2'], code: 1, message: /^error: user tester has no entry e999/ },
    { argv: ['amend', 'e1', '--note', long(501)], code: 1, message: /^error: note is 501 characters; the limit is 500/ },
    { argv: ['amend', 'e1', '--amout', '2'], code: 2, message: /^error: unknown flag --amout \(did you mean --amount\?\)/ },
  ],
  retract: [
    { argv: ['retract'], code: 2, message: /^error: missing argument/ },
    { argv: ['retract', 'e999'], code: 1, message: /^error: user tester has no entry e999/ },
    { argv: ['retract', 'e1', '--reason', long(201)], code: 1, message: /^error: reason is 201 characters; the limit is 200/ },
    { argv: ['retract', 'e1', '--why', 'x'], code: 2, message: /^error: unknown flag --why/ },
    { argv: ['retract', 'e:1'], code: 2, message: /^error: entry id "e:1" may contain only/ },
    { argv: ['retract', 'e1', 'e2'], code: 2, message: /^error: unexpected argument "e2"/ },
  ],
  undo: [
    { argv: ['undo', '--dry-rn'], code: 2, message: /^error: unknown flag --dry-rn \(did you mean --dry-run\?\)/ },
    { argv: ['undo', 'now'], code: 2, message: /^error: unexpected argument "now"/ },
    { argv: ['undo', '--team', 'ghost'], code: 1, message: /^error: team ghost does not exist/ },
    { argv: ['undo', '--user', 'ghost'], code: 1, message: /^error: user ghost is not registered/ },
    { argv: ['undo', '--user', 'bad:id'], code: 2, message: /^error: user id "bad:id"/ },
    { argv: ['undo', '--user', 'grace'], code: 1, message: /^error: there is no command left to undo/ },
  ],
  redo: [
    { argv: ['redo'], code: 1, message: /^error: there is no undone command to redo/ },
    { argv: ['redo', '--dryrun'], code: 2, message: /^error: unknown flag --dryrun \(did you mean --dry-run\?\)/ },
    { argv: ['redo', 'x'], code: 2, message: /^error: unexpected argument "x"/ },
    { argv: ['redo', '--team', 'ghost'], code: 1, message: /^error: team ghost does not exist/ },
    { argv: ['redo', '--user', long(65)], code: 2, message: /^error: user id is 65 characters long/ },
  ],
  report: [
    { argv: ['report', '--period', 'year'], code: 2, message: /^error: --period must be one of day, week, month \(got "year"\)/ },
    { argv: ['report', '--from', '2026-02-30'], code: 2, message: /^error: 2026-02-30 is not a date or time/ },
    { argv: ['report', '--ago', 'x'], code: 2, message: /^error: --ago x is not a whole number/ },
    { argv: ['report', '--format', 'pdf'], code: 2, message: /^error: --format must be one of table, json, csv, md, html/ },
    { argv: ['report', '--team', 'ghost'], code: 1, message: /^error: team ghost does not exist/ },
    { argv: ['report', '--user', 'ghost'], code: 1, message: /^error: user ghost is not registered/ },
    { argv: ['report', '--as-of', 'soon'], code: 2, message: /^error: soon is not a date or time/ },
    { argv: ['report', '--format', 'html', '--out', '/nonexistent-dir/x.html'], code: 2, message: /^error: cannot write \/nonexistent-dir\/x.html: no such directory/ },
  ],
  user: [
    { argv: ['user'], code: 2, message: /^error: missing argument/ },
    { argv: ['user', 'add'], code: 2, message: /^error: missing argument for "progress user add <id>"/ },
    { argv: ['user', 'add', 'bad:id'], code: 2, message: /^error: user id "bad:id" may contain only/ },
    { argv: ['user', 'add', 'tester'], code: 1, message: /^error: user tester is already registered/ },
    { argv: ['user', 'add', 'zed', '--name', long(81)], code: 1, message: /^error: display name is 81 characters; the limit is 80/ },
    { argv: ['user', 'add', 'zed', '--time-zone', 'Mars/Base'], code: 2, message: /^error: unknown time zone "Mars\/Base"/ },
    { argv: ['user', 'rename', 'ghost', 'X'], code: 1, message: /^error: user ghost is not registered/ },
    { argv: ['user', 'time-zone', 'Mars/Base'], code: 1, message: /^error: unknown time zone "Mars\/Base"/ },
  ],
  team: [
    { argv: ['team'], code: 2, message: /^error: missing argument/ },
    { argv: ['team', 'create'], code: 2, message: /^error: missing argument for "progress team create/ },
    { argv: ['team', 'add', 'core'], code: 2, message: /^error: missing argument for "progress team add/ },
    { argv: ['team', 'add', 'ghostteam', 'tester'], code: 1, message: /^error: team ghostteam does not exist/ },
    { argv: ['team', 'add', 'core', 'ghost'], code: 1, message: /^error: user ghost is not registered/ },
    { argv: ['team', 'create', 'core'], code: 1, message: /^error: team core already exists/ },
    { argv: ['team', 'create', 't2', long(81)], code: 1, message: /^error: team name is 81 characters; the limit is 80/ },
    { argv: ['team', 'list', 'ghost'], code: 1, message: /^error: team ghost does not exist/ },
    { argv: ['team', 'remove', 'core', 'grace'], code: 1, message: /^error: grace is not in team core/ },
  ],
  export: [
    { argv: ['export', '--format', 'pdf'], code: 2, message: /^error: --format must be one of jsonl, csv, md, html/ },
    { argv: ['export', '--format', 'csv', '--user', 'tester'], code: 2, message: /^error: --format csv exports the whole store/ },
    { argv: ['export', '--out', '/nonexistent-dir/x.jsonl'], code: 2, message: /^error: cannot write \/nonexistent-dir\/x.jsonl/ },
    { argv: ['export', '--as-of', 'never'], code: 2, message: /^error: never is not a date or time/ },
    { argv: ['export', '--formt', 'csv'], code: 2, message: /^error: unknown flag --formt \(did you mean --format\?\)/ },
    { argv: ['export', '--format', 'md', '--team', 'ghost'], code: 1, message: /^error: team ghost does not exist/ },
  ],
  import: [
    { argv: ['import'], code: 2, message: /^error: missing argument for "progress import <file>"/ },
    { argv: (box) => ['import', join(box.root, 'missing.jsonl')], code: 2, message: /^error: cannot read .*missing.jsonl: no such file/ },
    { argv: (box) => ['import', join(box.root, 'notes.txt')], code: 2, message: /^error: cannot tell the format of .*notes.txt/, setup: (box) => writeFileSync(join(box.root, 'notes.txt'), 'hello') },
    {
      argv: (box) => ['import', join(box.root, 'bad.jsonl')], code: 1, message: /^error: import rejected, nothing was imported \(2 problems\):\n {2}line 1: /,
      setup: (box) => writeFileSync(join(box.root, 'bad.jsonl'), 'not json\n{"event":{},"stream":"user:x","version":1}\n'),
    },
    {
      argv: (box) => ['import', join(box.root, 'bad.csv')], code: 1, message: /^error: import rejected, nothing was imported \(1 problem\):\n {2}line 3: /,
      setup: (box) => writeFileSync(join(box.root, 'bad.csv'), 'user_id,metric,amount,occurred_at\ntester,running,5,2026-01-01T08:00:00.000Z\ntester,running,lots,2026-01-02T08:00:00.000Z\n'),
    },
    { argv: (box) => ['import', join(box.root, 'empty.jsonl')], code: 2, message: /^error: .*empty.jsonl is empty; nothing to import/, setup: (box) => writeFileSync(join(box.root, 'empty.jsonl'), '\n') },
    { argv: ['import', 'x.jsonl', '--format', 'xml'], code: 2, message: /^error: --format must be one of jsonl, csv/ },
  ],
  rebuild: [
    { argv: ['rebuild', 'now'], code: 2, message: /^error: unexpected argument "now"/ },
    { argv: ['rebuild', '--force'], code: 2, message: /^error: unknown flag --force/ },
    { argv: ['rebuild', '--jsn'], code: 2, message: /^error: unknown flag --jsn \(did you mean --json\?\)/ },
    { argv: ['rebuild', '--db', ''], code: 2, message: /^error: --db needs a directory/ },
    { argv: ['rebuild', '--db'], code: 2, message: /^error: --db needs a directory/ },
  ],
  db: [
    { argv: ['db'], code: 2, message: /^error: missing argument/ },
    { argv: ['db', 'stat'], code: 2, message: /^error: (unknown command "stat"|unexpected argument "stat")/ },
    { argv: ['db', 'stats', '--jsn'], code: 2, message: /^error: unknown flag --jsn/ },
    { argv: ['db', 'backup'], code: 2, message: /^error: missing argument for "progress db backup <file>"/ },
    { argv: ['db', 'compact', 'now'], code: 2, message: /^error: unexpected argument "now"/ },
    { argv: ['db', 'restore'], code: 2, message: /^error: missing argument for "progress db restore <file>"/ },
    { argv: (box) => ['db', 'restore', join(box.root, 'nope.backup')], code: 2, message: /^error: cannot read .*nope.backup: no such file/ },
    { argv: ['db', 'backup', '/nonexistent-dir/x.backup'], code: 2, message: /^error: cannot write \/nonexistent-dir\/x.backup: no such directory/ },
    { argv: (box) => ['db', 'backup', join(box.root, 'b'), '--since', 'x'], code: 2, message: /^error: --since x is not a whole number/ },
  ],
  demo: [
    { argv: ['demo', '--days', '0'], code: 2, message: /^error: --days 0 is out of range/ },
    { argv: ['demo', '--days', 'x'], code: 2, message: /^error: --days x is not a whole number/ },
    { argv: ['demo', '--seed', '1.5'], code: 2, message: /^error: --seed 1.5 is not a whole number/ },
    { argv: (box) => ['demo', '--db', box.db], code: 2, message: /^error: store .* already has data; the demo needs an empty store/ },
    { argv: ['demo', '--dayz', '3'], code: 2, message: /^error: unknown flag --dayz \(did you mean --days\?\)/ },
  ],
  config: [
    { argv: ['config'], code: 2, message: /^error: missing argument/ },
    { argv: ['config', 'get', 'colour'], code: 2, message: /^error: --key must be one of user, time-zone, week-start|^error: .*colour/ },
    { argv: ['config', 'set', 'time-zone', 'Mars/Base'], code: 2, message: /^error: unknown time zone "Mars\/Base"/ },
    { argv: ['config', 'set', 'week-start', 'friday'], code: 2, message: /^error: week-start must be monday or sunday/ },
    { argv: ['config', 'set', 'user', 'bad:id'], code: 2, message: /^error: user must be 1-64 letters/ },
    { argv: ['config', 'set', 'user'], code: 2, message: /^error: missing argument for "progress config set <key> <value>"/ },
  ],
  completion: [
    { argv: ['completion', 'fish'], code: 2, message: /^error: --shell must be one of bash, zsh|^error: .*fish/ },
    { argv: ['completion', 'bash', 'zsh'], code: 2, message: /^error: unexpected argument "zsh"/ },
    { argv: ['completion', '--shel', 'bash'], code: 2, message: /^error: unknown flag --shel \(did you mean --shell\?\)/ },
    { argv: ['completion', '--x'], code: 2, message: /^error: unknown flag -+x/ },
    { argv: ['completion', 'bash', '--jsn'], code: 2, message: /^error: unknown flag --jsn/ },
  ],
};

let template: Sandbox;
let baseline: StoreScan;

beforeAll(async () => {
  template = sandbox('bad-template');
  await ok(['log', 'running', '5', 'km'], template);
  await ok(['log', 'running', '3'], template);
  await ok(['goal', 'set', 'running', '20', '--per', 'week'], template);
  await ok(['user', 'add', 'grace'], template);
  await ok(['team', 'create', 'core'], template);
  await ok(['team', 'add', 'core', 'tester'], template);
  baseline = await scanStore(template.db);
  expect(baseline.entries).toBeGreaterThan(10);
}, 300_000);

describe('bad input at the CLI', () => {
  it('every command has at least five bad-input cases', () => {
    const commands = ['log', 'status', 'goal', 'history', 'amend', 'retract', 'undo', 'redo', 'report', 'user', 'team', 'export', 'import', 'rebuild', 'db', 'demo', 'config', 'completion'];
    for (const command of commands) expect(CASES[command]?.length ?? 0, command).toBeGreaterThanOrEqual(5);
  });

  for (const [command, cases] of Object.entries(CASES)) {
    it(`${command}: exit code, message, no stack trace, store unchanged`, async () => {
      const failures = await pool(cases.map((item) => async () => {
        const box = cloneSandbox(template, `bad-${command}`);
        item.setup?.(box);
        const argv = typeof item.argv === 'function' ? item.argv(box) : item.argv;
        const result = await runCli(argv, box);
        const after = await scanStore(box.db);
        const problems: string[] = [];
        if (result.code !== item.code) problems.push(`exit ${String(result.code)}, expected ${item.code}`);
        if (!item.message.test(result.stderr)) problems.push(`stderr ${JSON.stringify(result.stderr.slice(0, 300))} does not match ${String(item.message)}`);
        if (STACK_TRACE.test(result.stderr)) problems.push('stack trace printed');
        if (result.stdout !== '') problems.push(`stdout not empty: ${JSON.stringify(result.stdout.slice(0, 100))}`);
        if (after.digest !== baseline.digest) problems.push(`store changed (${baseline.entries} -> ${after.entries} entries)`);
        return problems.length === 0 ? null : `progress ${argv.map((arg) => (arg.length > 20 ? `${arg.slice(0, 20)}…` : arg)).join(' ')}: ${problems.join('; ')}`;
      }), 3);
      expect(failures.filter((failure) => failure !== null)).toEqual([]);
    }, 300_000);
  }

  // Data files (tables, value log) stay byte for byte as they were; opening the store may still
  // rotate its WAL and MANIFEST (engine recovery), which holds no user data.
  it('a corrupted store gives exit 4, names the file, and leaves the data files untouched', async () => {
    const box = cloneSandbox(template, 'corrupt');
    await ok(['db', 'compact'], box);
    const { readdirSync, readFileSync: read } = await import('node:fs');
    const table = readdirSync(box.db).find((name) => name.endsWith('.sst'));
    expect(table).toBeDefined();
    const path = join(box.db, table as string);
    const bytes = read(path);
    bytes[Math.floor(bytes.length / 3)] = (bytes[Math.floor(bytes.length / 3)] ?? 0) ^ 0xff;
    writeFileSync(path, bytes);
    const dataFiles = (): string[] => readdirSync(box.db).filter((name) => /\.(sst|vlog)$/.test(name)).map((name) => `${name}:${createHash('sha256').update(read(join(box.db, name))).digest('hex')}`).sort();
    const before = dataFiles();
    const result = await runCli(['history'], box);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^error: store corrupted \(\S+\.sst at offset \d+(: [^\n]*)?\) in .*; no data was changed\nhint: /);
    expect(STACK_TRACE.test(result.stderr)).toBe(false);
    expect(read(path).equals(bytes)).toBe(true);
    expect(dataFiles()).toEqual(before);
  }, 120_000);
});
