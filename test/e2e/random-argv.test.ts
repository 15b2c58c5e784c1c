// Goal: no argument vector makes progress exit 70, print a stack trace, or change the store
// without exiting 0. Method: 1,000 random argument vectors (SEED printed; rerun with SEED=<n>,
// more with ARGV_RUNS=<n>) built from command words, flags and good and bad values, run
// in-process through run(argv, io) on one sandbox store; after each, a full scan of the store
// must equal the scan before unless the exit code was 0. A smaller sample runs the built binary.
import { isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '@progress/cli';
import { createPrng } from '@progress/lsm/testing';
import { ok, runCli, sandbox, scanStore, STACK_TRACE } from './helpers.js';
import type { Sandbox } from './helpers.js';

const SEED = Number(process.env.SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.ARGV_RUNS ?? 1000);

const COMMANDS = [
  ['log'], ['log', 'running'], ['log', 'running', '5'], ['log', 'reading', '12', 'pages'], ['status'], ['goal'], ['goal', 'set'], ['goal', 'set', 'running'],
  ['goal', 'list'], ['goal', 'clear'], ['history'], ['amend'], ['amend', 'e1'], ['retract'], ['retract', 'e2'], ['undo'], ['redo'], ['report'],
  ['user'], ['user', 'add'], ['user', 'list'], ['user', 'rename'], ['user', 'time-zone'], ['team'], ['team', 'create'], ['team', 'add'], ['team', 'remove'],
  ['team', 'list'], ['export'], ['import'], ['rebuild'], ['db'], ['db', 'stats'], ['db', 'compact'], ['db', 'verify'], ['config'], ['config', 'get'],
  ['config', 'set'], ['completion'], ['demo'], ['lgo'], [], ['--help'], ['--version'],
];

function values(box: Sandbox): string[] {
  return [
    'running', 'reading', 'Running', 'run ning', 'km', 'mi', 'e1', 'e2', 'e999', 'e:1', '5', '2.5', '0', '-3', '1e3', '1000001', '0.0001', 'abc', '',
    ' ', '💥', 'x'.repeat(70), 'y'.repeat(600), 'tester', 'ghost', 'grace', 'core', 'bad:id', 'week', 'month', 'day', 'year', 'today', 'yesterday',
    'now', '2026-02-30', '2026-01-15', '2026-01-15 07:30', '1999-12-31', '2099-01-01', 'table', 'json', 'csv', 'md', 'html', 'jsonl', 'bash', 'zsh',
    'time-zone', 'week-start', 'user', 'Europe/Berlin', 'Mars/Base', 'sunday', 'tab\there', 'line\nbreak', '\u202eevil', '--', '-', '-x',
    join(box.root, 'out.txt'), join(box.root, 'in.jsonl'), join(box.root, 'missing.csv'), '/nonexistent-dir/file',
  ];
}

const FLAGS = [
  '--json', '--note', '--tag', '--at', '--user', '--idempotency-key', '--per', '--from', '--to', '--limit', '--metric', '--retracted', '--amount',
  '--unit', '--clear-tags', '--reason', '--dry-run', '--team', '--period', '--ago', '--as-of', '--format', '--out', '--name', '--time-zone', '--days',
  '--seed', '--debug', '--help', '--titel', '-n', '-t', '-u', '-x', '--no-color', '--json=1', '--limit=0',
];

function argvOf(rand: () => number, box: Sandbox): string[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const argv = [...pick(COMMANDS)];
  const extra = Math.floor(rand() * 5);
  for (let index = 0; index < extra; index += 1) {
    const roll = rand();
    if (roll < 0.45) argv.push(pick(values(box)));
    else if (roll < 0.9) argv.push(pick(FLAGS), pick(values(box)));
    else argv.push(pick(FLAGS));
  }
  // never point the CLI at a store outside the sandbox (demo without --db makes a temp store)
  if (argv[0] === 'demo') argv.push('--db', box.db);
  // in-process runs share the test's working directory: a relative --out (say `--out md`) would
  // write into the repository, so it goes to the sandbox
  for (let index = 0; index + 1 < argv.length; index += 1) {
    const target = argv[index + 1] as string;
    if (argv[index] === '--out' && !isAbsolute(target)) argv[index + 1] = join(box.root, target);
  }
  return argv;
}

async function prepared(): Promise<Sandbox> {
  const box = sandbox('random');
  await ok(['log', 'running', '5', 'km'], box);
  await ok(['log', 'running', '3'], box);
  await ok(['user', 'add', 'grace'], box);
  await ok(['team', 'create', 'core'], box);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(box.root, 'in.jsonl'), await ok(['export'], box));
  return box;
}

describe(`random argument vectors (SEED=${SEED})`, () => {
  it(`${RUNS} in-process runs: never 70, never a stack trace, store unchanged unless exit 0`, async () => {
    console.log(`random-argv SEED=${SEED} (rerun with SEED=${SEED})`);
    const box = await prepared();
    const prng = createPrng(SEED);
    const rand = (): number => prng.next();
    let before = await scanStore(box.db);
    const codes = new Map<number, number>();
    const problems: string[] = [];
    for (let index = 0; index < RUNS && problems.length < 5; index += 1) {
      const argv = argvOf(rand, box);
      const out: string[] = [];
      const err: string[] = [];
      const code = await run(argv, { env: box.env, stdout: (text) => out.push(text), stderr: (text) => err.push(text), readStdin: async () => '' });
      codes.set(code, (codes.get(code) ?? 0) + 1);
      const stderr = err.join('');
      const after = await scanStore(box.db);
      const label = `#${index} progress ${JSON.stringify(argv)} -> ${code}`;
      if (code === 70) problems.push(`${label}: internal error: ${stderr}`);
      if (![0, 1, 2, 3, 4].includes(code)) problems.push(`${label}: unexpected exit code`);
      if (STACK_TRACE.test(stderr) && !argv.includes('--debug')) problems.push(`${label}: stack trace: ${stderr.slice(0, 300)}`);
      if (code !== 0 && !stderr.startsWith('error:')) problems.push(`${label}: stderr does not start with "error:": ${stderr.slice(0, 200)}`);
      if (code !== 0 && after.digest !== before.digest) problems.push(`${label}: store changed by a failed command`);
      before = after;
    }
    console.log(`random-argv exit codes: ${JSON.stringify(Object.fromEntries([...codes].sort()))}`);
    expect(problems).toEqual([]);
    expect(codes.get(0) ?? 0).toBeGreaterThan(RUNS / 20);
    expect(codes.get(2) ?? 0).toBeGreaterThan(RUNS / 20);
  }, 1_200_000);

  it('a spawned sample of 30 behaves the same through the built binary', async () => {
    const box = await prepared();
    const prng = createPrng(SEED ^ 0x5eed);
    const rand = (): number => prng.next();
    let before = await scanStore(box.db);
    const problems: string[] = [];
    for (let index = 0; index < 30; index += 1) {
      const argv = argvOf(rand, box);
      const result = await runCli(argv, box);
      const after = await scanStore(box.db);
      const label = `progress ${JSON.stringify(argv)} -> ${String(result.code)}`;
      if (result.code === 70 || result.code === null) problems.push(`${label}: ${result.stderr}`);
      if (STACK_TRACE.test(result.stderr) && !argv.includes('--debug')) problems.push(`${label}: stack trace`);
      if (result.code !== 0 && after.digest !== before.digest) problems.push(`${label}: store changed`);
      before = after;
    }
    expect(problems).toEqual([]);
  }, 600_000);
});
