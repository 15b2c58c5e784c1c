/**
 * `NodeProcessProbe`: the OS probe behind the LOCK's stale detection (fs/lock.ts).
 *
 * - Liveness: `process.kill(pid, 0)`; ESRCH means no such process, EPERM means it exists (owned by
 *   another user).
 * - Linux start identity: "linux:<boot_id>:<starttime>", with boot_id from
 *   /proc/sys/kernel/random/boot_id and starttime = field 22 of /proc/<pid>/stat (clock ticks
 *   since boot). A pid recycled by another process, or reused after a reboot, has another
 *   identity, so it is not mistaken for the owner. A zombie (state Z or X) counts as dead.
 * - Elsewhere the start identity is null and liveness alone decides.
 * /proc is read through the `Fs` seam (NodeFs by default), so this module needs no node:fs.
 */

import { hostname } from 'node:os';
import type { Fs } from './fs.js';
import { nodeFs } from './node-fs.js';
import { errnoOf } from '../errors.js';
import { fromUtf8 } from '../codec/bytes.js';
import type { ProcessIdentity, ProcessProbe, ProcessStatus } from './lock.js';

export interface ProcStat {
  /** Field 3: R, S, D, Z, T, X, ... */
  readonly state: string;
  /** Field 22: start time in clock ticks after boot, as decimal digits. */
  readonly startTimeTicks: string;
}

/**
 * Parses /proc/<pid>/stat. Field 2 (comm) is parenthesized and may itself contain spaces and
 * parentheses, so fields are counted after the LAST ')'. Returns undefined when malformed.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const state = rest[0];
  const startTimeTicks = rest[19]; // field 22; rest[0] is field 3
  if (state === undefined || startTimeTicks === undefined || !/^\d+$/.test(startTimeTicks)) return undefined;
  return { state, startTimeTicks };
}

/** Whether a process with this pid exists (zombies included). */
export function processExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid < 1) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoOf(error) !== 'ESRCH';
  }
}

export interface NodeProcessProbeOptions {
  fs?: Fs;
  platform?: NodeJS.Platform;
  /** Default os.hostname(). */
  host?: string;
  /** Default process.pid. */
  pid?: number;
}

export class NodeProcessProbe implements ProcessProbe {
  private readonly fs: Fs;
  private readonly platform: NodeJS.Platform;
  private readonly host: string | undefined;
  private readonly pid: number;
  private selfIdentity: Promise<ProcessIdentity> | undefined;
  private bootId: Promise<string | undefined> | undefined;

  constructor(options: NodeProcessProbeOptions = {}) {
    this.fs = options.fs ?? nodeFs;
    this.platform = options.platform ?? process.platform;
    this.host = options.host;
    this.pid = options.pid ?? process.pid;
  }

  self(): Promise<ProcessIdentity> {
    this.selfIdentity ??= this.startIdentity(this.pid).then((startedAt) => ({
      pid: this.pid,
      startedAt,
      host: this.host ?? hostname(),
    }));
    return this.selfIdentity;
  }

  async status(pid: number, startedAt: string | null): Promise<ProcessStatus> {
    if (!processExists(pid)) return 'dead';
    if (this.platform !== 'linux') return 'alive';
    const stat = await this.procStat(pid);
    if (stat === undefined) return processExists(pid) ? 'alive' : 'dead';
    if (stat.state === 'Z' || stat.state === 'X') return 'dead';
    if (startedAt === null || !startedAt.startsWith('linux:')) return 'alive';
    const current = await this.identityFrom(stat);
    if (current === null) return 'alive';
    return current === startedAt ? 'alive' : 'dead';
  }

  /** The start identity of `pid`, or null when it cannot be read. */
  async startIdentity(pid: number): Promise<string | null> {
    if (this.platform !== 'linux') return null;
    const stat = await this.procStat(pid);
    return stat === undefined ? null : this.identityFrom(stat);
  }

  private async identityFrom(stat: ProcStat): Promise<string | null> {
    this.bootId ??= this.readText('/proc/sys/kernel/random/boot_id').then((text) => text?.trim());
    const bootId = await this.bootId;
    return bootId === undefined || bootId === '' ? null : `linux:${bootId}:${stat.startTimeTicks}`;
  }

  private async procStat(pid: number): Promise<ProcStat | undefined> {
    const text = await this.readText(`/proc/${pid}/stat`);
    return text === undefined ? undefined : parseProcStat(text);
  }

  private async readText(path: string): Promise<string | undefined> {
    try {
      return fromUtf8(await this.fs.readFile(path));
    } catch (error) {
      const code = errnoOf(error);
      if (code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES' || code === 'EPERM') return undefined;
      throw error;
    }
  }
}

/** The probe for this process, on NodeFs. */
export const nodeProcessProbe: NodeProcessProbe = new NodeProcessProbe();
