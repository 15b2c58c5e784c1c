/**
 * A throw-away 3-member etcd cluster on loopback for tests and the benchmark, driven through
 * scripts/etcd-cluster.sh (which installs Debian's etcd-server when etcd is missing, starts the
 * members, waits for health, and stops them by pid).
 *
 * - Ports: a random free block in 20000-59999 (client base..base+2, peer base+10..base+12),
 *   127.0.0.1 only.
 * - Nothing is left behind: `stop()` stops every member and removes the directory, and a
 *   process 'exit' hook SIGKILLs any member still running if a test run dies first.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';

export const MEMBER_NAMES = ['m1', 'm2', 'm3'] as const;
export type MemberName = (typeof MEMBER_NAMES)[number];

/** scripts/etcd-cluster.sh, from src/testing/ or dist/testing/ alike. */
export const CLUSTER_SCRIPT = fileURLToPath(new URL('../../scripts/etcd-cluster.sh', import.meta.url));

export interface EtcdCluster {
  readonly dir: string;
  readonly basePort: number;
  /** `127.0.0.1:port` of m1, m2, m3. */
  readonly endpoints: readonly string[];
  /** `etcd://` address of the whole cluster, for openEtcdStore. */
  readonly url: string;
  endpointOf(name: MemberName): string;
  pidOf(name: MemberName): number | undefined;
  /** SIGKILL one member and wait until it is gone. */
  kill(name: MemberName): Promise<void>;
  /** Start a stopped member again on its data dir and wait until it is healthy. */
  restart(name: MemberName): Promise<void>;
  /** The member that currently leads (asks the live members). */
  leader(): Promise<MemberName>;
  /** Stop every member and remove the directory. */
  stop(): Promise<void>;
}

function run(args: readonly string[], timeoutMs = 170_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [CLUSTER_SCRIPT, ...args], { timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`etcd-cluster.sh ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve(stdout.trim());
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const base = 20_000 + Math.floor(Math.random() * 39_980);
    const checks = await Promise.all([0, 1, 2, 10, 11, 12].map((offset) => portFree(base + offset)));
    if (checks.every(Boolean)) return base;
  }
  throw new Error('no free block of ports for an etcd cluster');
}

const running = new Set<() => void>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const killAll of running) killAll();
  });
}

export async function startEtcdCluster(options: { basePort?: number } = {}): Promise<EtcdCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'progress-etcd-'));
  const basePort = options.basePort ?? (await freeBasePort());
  const pidOf = (name: MemberName): number | undefined => {
    try {
      const pid = Number(readFileSync(join(dir, `${name}.pid`), 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  const killAll = (): void => {
    for (const name of MEMBER_NAMES) {
      const pid = pidOf(name);
      if (pid === undefined) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  installExitHook();
  running.add(killAll);
  try {
    await run(['start', dir, String(basePort)]);
  } catch (error) {
    killAll();
    running.delete(killAll);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const endpoints = MEMBER_NAMES.map((_, index) => `127.0.0.1:${basePort + index}`);
  const endpointOf = (name: MemberName): string => endpoints[MEMBER_NAMES.indexOf(name)] as string;
  return {
    dir,
    basePort,
    endpoints,
    url: `etcd://${endpoints.join(',')}`,
    endpointOf,
    pidOf,
    kill: async (name) => {
      await run(['kill', dir, name]);
    },
    restart: async (name) => {
      await run(['restart', dir, name]);
    },
    leader: async () => leaderOf(MEMBER_NAMES.filter((name) => pidOf(name) !== undefined).map((name) => ({ name, endpoint: endpointOf(name) }))),
    stop: async () => {
      try {
        await run(['stop', dir]);
      } finally {
        killAll();
        running.delete(killAll);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

async function memberStatus(endpoint: string): Promise<{ id: string; leader: string } | undefined> {
  const client = new Etcd3({ hosts: `http://${endpoint}`, faultHandling: { global: noop } });
  try {
    const status = await client.maintenance.status({ deadline: Date.now() + 2000 });
    return { id: status.header.member_id, leader: status.leader };
  } catch {
    return undefined;
  } finally {
    client.close();
  }
}

async function leaderOf(members: readonly { name: MemberName; endpoint: string }[]): Promise<MemberName> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const statuses = await Promise.all(members.map(async (member) => ({ ...member, status: await memberStatus(member.endpoint) })));
    const leaderId = statuses.find((member) => member.status !== undefined && member.status.leader !== '0')?.status?.leader;
    const leader = statuses.find((member) => member.status?.id === leaderId);
    if (leader !== undefined) return leader.name;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the etcd cluster has no leader');
}
