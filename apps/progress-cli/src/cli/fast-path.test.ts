// Goal: the fast path (fast-path.ts) hands each handler exactly what yargs would, and leaves
// every vector it does not fully understand to yargs.
// Method: the app modules of log, status and report are replaced by recorders; each generated
// argument vector runs through run() twice, with the fast path and with PROGRESS_FAST_PATH=0
// (yargs), and the recorded input, exit code, stdout and stderr must be equal. Seeded: SEED=n.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../main.js';
import type { Io } from '../main.js';
import { createPrng } from '@progress/lsm/testing';
import { fastParse } from './fast-path.js';

const recorded: unknown[] = [];
const recorder = (name: string) => async (_ctx: unknown, input: unknown): Promise<void> => {
  recorded.push({ name, input });
};
vi.mock('../app/log.js', () => ({ runLog: recorder('log') }));
vi.mock('../app/status.js', () => ({ runStatus: recorder('status') }));
vi.mock('../app/report.js', () => ({ runReport: recorder('report') }));

async function outcome(argv: readonly string[], fast: boolean): Promise<unknown> {
  recorded.length = 0;
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { env: { PROGRESS_FAST_PATH: fast ? '1' : '0', TZ: 'UTC' }, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
  const code = await run(argv, io);
  return { code, stdout: out.join(''), stderr: err.join(''), recorded: [...recorded] };
}

const SEED = Number(process.env.SEED ?? Math.floor(Math.random() * 2 ** 31));

const COMMANDS = ['log', 'status', 'report'];
const FLAGS = [
  '--note', '-n', '--tag', '-t', '--at', '--user', '-u', '--idempotency-key', '--json', '--db', '--store', '--debug', '--team', '--period', '-p',
  '--ago', '--from', '--to', '--as-of', '--out', '-o', '--format', '-f', '--help', '-h', '--version', '--jsn', '--note=x y', '--period=week',
  '--json=true', '--no-json', '--', '-nt', '--user=', '--tag=a', '--format=csv', '--format=xml',
];
const VALUES = ['running', '5', '2.5', 'km', 'ada', 'day', 'week', 'month', 'csv', 'json', 'html', 'true', 'false', '-1', '', '-', 'a b', 'é', '2026-03-01', '/tmp/x', 'etcd://h:1'];

describe('fast path', () => {
  beforeEach(() => {
    recorded.length = 0;
  });

  it('parses plain vectors and declines the rest', () => {
    expect(fastParse(['log', 'running', '5', 'km', '--tag', 'a', '-t', 'b', '--json'])).toEqual({
      command: 'log', args: { metric: 'running', amount: '5', unit: 'km', tag: ['a', 'b'], json: true },
    });
    expect(fastParse(['status', '--user=ada', '--store', 'etcd://h:1'])).toEqual({ command: 'status', args: { user: 'ada', store: 'etcd://h:1' } });
    for (const argv of [
      ['log', 'running'], ['log', 'a', 'b', 'c', 'd'], ['status', '--help'], ['status', '--json', 'true'], ['report', '--period', 'year'],
      ['report', '--period', 'day', '--period', 'week'], ['log', 'running', '-5'], ['status', '--jsn'], ['history'], ['status', '--db', 'a', '--db', 'b'],
    ]) {
      expect(fastParse(argv), argv.join(' ')).toBeUndefined();
    }
  });

  it(`gives the handlers what yargs gives them (SEED=${SEED})`, async () => {
    const prng = createPrng(SEED);
    const next = (): number => prng.next();
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    let fastCount = 0;
    for (let round = 0; round < 400; round += 1) {
      const argv = [pick(COMMANDS)];
      const length = Math.floor(next() * 7);
      for (let i = 0; i < length; i += 1) argv.push(next() < 0.45 ? pick(FLAGS) : pick(VALUES));
      if (fastParse(argv) === undefined) continue;
      fastCount += 1;
      const viaFast = await outcome(argv, true);
      const viaYargs = await outcome(argv, false);
      expect(viaFast, `SEED=${SEED} argv=${JSON.stringify(argv)}`).toEqual(viaYargs);
    }
    expect(fastCount).toBeGreaterThan(40);
  });
});
