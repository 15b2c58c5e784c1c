// The built `progress` binary on etcd (`--store etcd://...` and PROGRESS_STORE) against a real
// 3-member cluster on loopback ports (started by libs/store-etcd's helper, which installs Debian's
// etcd-server when etcd is missing, and stopped by pid): the same commands and output as the
// embedded store, two processes appending to one user at once (nothing lost or doubled, checked by
// event ids), and the exit codes of an unreachable cluster (3) and a malformed address (2).
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcdCluster } from '@progress/store-etcd/testing';
import type { EtcdCluster } from '@progress/store-etcd/testing';
import { ok, runCli, sandbox } from './helpers.js';
import type { Sandbox } from './helpers.js';

let cluster: EtcdCluster;
let namespaces = 0;

// Under load a cluster takes a while to start, and every command is a process start plus round
// trips: generous limits (none of them decides a pass).
const CLUSTER_START_MS = 180_000;
const TEST_MS = 300_000;

beforeAll(async () => {
  cluster = await startEtcdCluster();
}, CLUSTER_START_MS);

const boxes: Sandbox[] = [];
function tracked<T extends Sandbox>(box: T): T {
  boxes.push(box);
  return box;
}

afterAll(async () => {
  for (const box of boxes) rmSync(box.root, { recursive: true, force: true });
  await cluster?.stop();
}, CLUSTER_START_MS);

/** A sandbox whose store is a fresh namespace on the cluster (PROGRESS_DB still set, and ignored). */
function etcdBox(name: string): Sandbox & { url: string } {
  const box = tracked(sandbox(name));
  namespaces += 1;
  const url = `${cluster.url}/e2e-${process.pid}-${namespaces}`;
  return { ...box, url, env: { ...box.env, PROGRESS_STORE: url } };
}

interface ExportedEvent {
  readonly stream: string;
  readonly version: number;
  readonly event: { readonly eventId: string; readonly type: string; readonly data: { readonly entryId?: string } };
}

function events(jsonl: string): ExportedEvent[] {
  return jsonl.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as ExportedEvent);
}

/** A session of commands with fixed times, so both stores must print the same bytes. */
const SCRIPT: readonly (readonly string[])[] = [
  ['user', 'add', 'ada', '--name', 'Ada'],
  ['log', 'running', '5', 'km', '--user', 'ada', '--at', '2026-03-02 07:30', '--tag', 'park'],
  ['log', 'running', '3.5', '--user', 'ada', '--at', '2026-03-03', '--note', 'easy'],
  ['log', 'reading', '30', 'pages', '--user', 'ada', '--at', '2026-03-03 21:00'],
  ['goal', 'set', 'running', '20', '--per', 'week', '--user', 'ada'],
  ['retract', 'e2', '--user', 'ada'],
  ['team', 'create', 'crew', 'Crew'],
  ['team', 'add', 'crew', 'ada'],
];

const READS: readonly (readonly string[])[] = [
  ['history', '--user', 'ada', '--retracted', '--limit', '0', '--json'],
  ['report', '--user', 'ada', '--from', '2026-03-01', '--to', '2026-03-31', '--as-of', '2026-04-01T00:00:00Z', '--json'],
  ['report', '--team', 'crew', '--from', '2026-03-01', '--to', '2026-03-31', '--format', 'csv'],
  ['status', '--user', 'ada', '--json'],
  ['goal', 'list', '--user', 'ada', '--json'],
  ['user', 'list', '--json'],
];

/** recordedAt is the wall clock of the run; everything else must match. */
const stable = (text: string): string => text.replace(/"recordedAt": ?"[^"]*"/g, '"recordedAt":"…"');

describe('progress on etcd (3-member cluster)', () => {
  it('prints the same as the embedded store for the same commands (--store and PROGRESS_STORE)', async () => {
    const embedded = tracked(sandbox('etcd-same-embedded'));
    const etcd = etcdBox('etcd-same');
    for (const [index, args] of SCRIPT.entries()) {
      const local = await runCli(args, embedded);
      // every other command names the cluster with the flag instead of the environment
      const remote = index % 2 === 0 ? await runCli(['--store', etcd.url, ...args], { ...etcd, env: { ...etcd.env, PROGRESS_STORE: '' } }) : await runCli(args, etcd);
      expect({ args, code: remote.code, stdout: remote.stdout, stderr: remote.stderr }).toEqual({ args, code: local.code, stdout: local.stdout, stderr: local.stderr });
      expect(local.code).toBe(0);
    }
    for (const args of READS) {
      const local = await runCli(args, embedded);
      const remote = await runCli(args, etcd);
      expect(local.code).toBe(0);
      expect({ args, code: remote.code, stdout: stable(remote.stdout) }).toEqual({ args, code: local.code, stdout: stable(local.stdout) });
    }
    // the same bad input fails the same way, and changes nothing on the cluster
    const before = await ok(['export'], etcd);
    for (const args of [['log', 'running', 'x'], ['log', 'running', '1', '--user', 'nobody'], ['retract', 'e99', '--user', 'ada'], ['log', 'running', '1', 'mi', '--user', 'ada']]) {
      const local = await runCli(args, embedded);
      const remote = await runCli(args, etcd);
      expect({ args, code: remote.code, stderr: remote.stderr }).toEqual({ args, code: local.code, stderr: local.stderr });
      expect(remote.code).not.toBe(0);
    }
    expect(await ok(['export'], etcd)).toBe(before);
  }, TEST_MS);

  it('two processes appending to the same user at once: both succeed, no event lost or doubled', async () => {
    const box = etcdBox('etcd-race');
    await ok(['user', 'add', 'bo'], box);
    const ROUNDS = 6;
    const saved: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const results = await Promise.all([1, 2].map((writer) =>
        runCli(['log', 'running', `${round}.${writer}`, '--user', 'bo', '--json'], box)));
      for (const result of results) {
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        saved.push((JSON.parse(result.stdout) as { entryId: string }).entryId);
      }
    }
    const all = events(await ok(['export'], box)).filter((line) => line.stream === 'user:bo');
    const recorded = all.filter((line) => line.event.type === 'ProgressRecorded');
    expect(recorded).toHaveLength(2 * ROUNDS);
    expect(new Set(all.map((line) => line.event.eventId)).size).toBe(all.length); // no event twice
    expect(all.map((line) => line.version)).toEqual(all.map((_, index) => index + 1)); // no gap, no fork
    expect(recorded.map((line) => line.event.data.entryId).sort()).toEqual([...saved].sort()); // what each process printed is there, once
    const amounts = JSON.parse(await ok(['history', '--user', 'bo', '--limit', '0', '--json'], box)) as { amount: number }[];
    expect(amounts.map((entry) => entry.amount).sort((a, b) => a - b)).toEqual(
      Array.from({ length: ROUNDS }, (_, round) => [Number(`${round}.1`), Number(`${round}.2`)]).flat().sort((a, b) => a - b),
    );
  }, TEST_MS);

  it('an unreachable cluster is exit 3 with one clear line; a malformed address is exit 2; nothing is written', async () => {
    const box = tracked(sandbox('etcd-down'));
    const down = `etcd://127.0.0.1:${cluster.basePort + 7},127.0.0.1:${cluster.basePort + 8}`;
    for (const args of [['log', 'running', '1'], ['status'], ['report', '--period', 'month']]) {
      const result = await runCli(['--store', down, ...args], box);
      expect(result.code).toBe(3);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trim().split('\n');
      expect(lines[0]).toMatch(new RegExp(`^error: cannot reach the etcd cluster at 127\\.0\\.0\\.1:${cluster.basePort + 7},127\\.0\\.0\\.1:${cluster.basePort + 8} within 3 s`));
      expect(lines[1]).toMatch(/^hint: /);
      expect(lines).toHaveLength(2);
    }
    for (const [address, message] of [
      ['etcd://', /names no etcd host/],
      ['etcd://host:99999', /port 99999 .* is out of range/],
      ['etcd://a b:2379', /is not a host\[:port\]/],
      ['etcd://127.0.0.1:2379/bad/name', /namespace/],
      ['http://127.0.0.1:2379', /unknown store address scheme "http:\/\/"/],
    ] as const) {
      const viaFlag = await runCli(['--store', address, 'status'], box);
      const viaEnv = await runCli(['history'], box, { env: { PROGRESS_STORE: address } });
      for (const result of [viaFlag, viaEnv]) {
        expect(result.code, `${address}: ${result.stderr}`).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      }
    }
    const both = await runCli(['--store', cluster.url, '--db', box.db, 'status'], box);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/either --db or --store/);
    const engineOnly = await runCli(['--store', cluster.url, 'db', 'stats'], box);
    expect(engineOnly.code).toBe(2);
    expect(engineOnly.stderr).toMatch(/db stats works on the embedded store only/);
  }, TEST_MS);
});
