/**
 * Test helpers for the LOCK: a fake process table (`FakeProcesses`) standing in for the OS probe,
 * and `JitterFs`, an Fs wrapper that delays every operation by a seeded random amount so that
 * concurrent acquirers interleave differently on every run.
 */

import type { FileStat, Fs, ReadableFile, WritableFile } from './fs.js';
import type { ProcessIdentity, ProcessProbe, ProcessStatus } from './lock.js';
import { createPrng } from '../testing/seeded-prng.js';
import type { Prng } from '../testing/seeded-prng.js';

/** A process table: identities are alive until `kill`ed. */
export class FakeProcesses {
  private readonly alive = new Map<number, string>();
  private nextPid = 1000;
  private generation = 0;
  readonly host: string;

  constructor(host = 'test-host') {
    this.host = host;
  }

  /** Starts a fake process and returns its probe (its "self"). */
  spawn(pid = this.nextPid++): ProcessProbe & { readonly pid: number } {
    const startedAt = `fake:${pid}:${this.generation++}`;
    this.alive.set(pid, startedAt);
    const self: ProcessIdentity = { pid, startedAt, host: this.host };
    return {
      pid,
      self: async () => self,
      status: async (otherPid, otherStartedAt) => this.status(otherPid, otherStartedAt),
    };
  }

  kill(pid: number): void {
    this.alive.delete(pid);
  }

  /** Replaces a pid's start identity (the pid was recycled by another process). */
  recycle(pid: number): void {
    this.alive.set(pid, `fake:${pid}:recycled`);
  }

  status(pid: number, startedAt: string | null): ProcessStatus {
    const current = this.alive.get(pid);
    if (current === undefined) return 'dead';
    return startedAt === null || startedAt === current ? 'alive' : 'dead';
  }
}

/** Delays each operation by 0-`maxDelayMs` ms (or a macrotask turn), seeded. */
export class JitterFs implements Fs {
  private readonly prng: Prng;
  constructor(
    private readonly inner: Fs,
    seed: number,
    private readonly maxDelayMs = 2,
  ) {
    this.prng = createPrng(seed);
  }

  private async jitter(): Promise<void> {
    const delayMs = this.prng.nextInt(this.maxDelayMs + 2) - 1;
    await new Promise<void>((resolve) => (delayMs < 0 ? setImmediate(resolve) : setTimeout(resolve, delayMs)));
  }

  private async run<T>(op: () => Promise<T>): Promise<T> {
    await this.jitter();
    const result = await op();
    await this.jitter();
    return result;
  }

  mkdir(path: string): Promise<void> {
    return this.run(() => this.inner.mkdir(path));
  }
  readdir(path: string): Promise<string[]> {
    return this.run(() => this.inner.readdir(path));
  }
  stat(path: string): Promise<FileStat | undefined> {
    return this.run(() => this.inner.stat(path));
  }
  openWritable(path: string, options?: { truncate?: boolean }): Promise<WritableFile> {
    return this.run(() => this.inner.openWritable(path, options));
  }
  openReadable(path: string): Promise<ReadableFile> {
    return this.run(() => this.inner.openReadable(path));
  }
  readFile(path: string): Promise<Uint8Array> {
    return this.run(() => this.inner.readFile(path));
  }
  createExclusive(path: string, data: Uint8Array): Promise<boolean> {
    return this.run(() => this.inner.createExclusive(path, data));
  }
  truncate(path: string, size: number): Promise<void> {
    return this.run(() => this.inner.truncate(path, size));
  }
  rename(from: string, to: string): Promise<void> {
    return this.run(() => this.inner.rename(from, to));
  }
  unlink(path: string): Promise<void> {
    return this.run(() => this.inner.unlink(path));
  }
  syncDir(path: string): Promise<void> {
    return this.run(() => this.inner.syncDir(path));
  }
}
