/**
 * `FaultFs`: wraps any `Fs` and injects I/O errors (RELIABILITY T6; SQLite ioerr tests, RocksDB
 * FaultInjectionTestFS, Pebble errorfs).
 *
 * Operation kinds (each call counts once, before it reaches the inner Fs):
 * - 'read':     readFile, openReadable, ReadableFile.readSync, readdir, stat
 * - 'write':    WritableFile.append, createExclusive, truncate
 * - 'sync':     WritableFile.sync, syncDir
 * - 'metadata': mkdir, openWritable, rename, unlink, removeTree
 * `close()` is neither counted nor failed.
 *
 * A fault rule fails the `atOp`-th operation (1-based, counting only the rule's kinds, or every
 * operation when `kinds` is absent) once, or each matching operation independently with
 * `probability` (seeded; at most `maxFailures` times when given). With `persistent`, the first
 * failure is permanent: every later matching operation fails too. A failed operation does not reach the inner Fs, except a failed append with
 * `partialWrite`, which first writes half of its bytes (as a disk filling up mid-write would).
 * Errors are errno-shaped: `Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO',
 * errno: -5, syscall, path })`. `readSync` throws synchronously; everything else rejects.
 */

import type { FileStat, Fs, ReadableFile, WritableFile } from '../fs/fs.js';
import { createPrng } from './seeded-prng.js';
import type { Prng } from './seeded-prng.js';

export type FaultOpKind = 'read' | 'write' | 'sync' | 'metadata';
export type FaultErrno = 'EIO' | 'ENOSPC' | 'EACCES' | 'EROFS' | 'EMFILE';

export interface FaultRule {
  /** Fail the N-th matching operation (1-based). */
  atOp?: number;
  /** Or fail each matching operation with this probability (seeded by `seed`). */
  probability?: number;
  seed?: number;
  /** Only operations of these kinds match; all kinds when absent. */
  kinds?: readonly FaultOpKind[];
  /** Default 'EIO'. */
  errno?: FaultErrno;
  /** Keep failing every matching operation after the first failure. Default false. */
  persistent?: boolean;
  /** Caps the failures of a probability rule (1 = once). Default: no cap. */
  maxFailures?: number;
  /** A failed append first writes half its bytes. */
  partialWrite?: boolean;
}

export interface FaultCounts {
  read: number;
  write: number;
  sync: number;
  metadata: number;
  total: number;
}

export interface InjectedFault {
  /** Index of the failed operation among all counted operations (1-based). */
  opIndex: number;
  kind: FaultOpKind;
  syscall: string;
  path: string;
  errno: FaultErrno;
}

const ERRNO_NUMBERS: Record<FaultErrno, number> = { EIO: -5, EACCES: -13, EMFILE: -24, ENOSPC: -28, EROFS: -30 };
const ERRNO_TEXT: Record<FaultErrno, string> = {
  EIO: 'i/o error',
  EACCES: 'permission denied',
  EMFILE: 'too many open files',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
};

/** A real-looking Node errno error. */
export function errnoError(code: FaultErrno, syscall: string, path?: string): NodeJS.ErrnoException {
  const where = path === undefined ? '' : ` '${path}'`;
  const error: NodeJS.ErrnoException = Object.assign(new Error(`${code}: ${ERRNO_TEXT[code]}, ${syscall}${where}`), {
    code,
    errno: ERRNO_NUMBERS[code],
    syscall,
  });
  if (path !== undefined) error.path = path;
  return error;
}

interface ActiveRule {
  readonly rule: FaultRule;
  readonly prng: Prng | undefined;
  matched: number;
  failures: number;
}

export class FaultFs implements Fs {
  readonly inner: Fs;
  private readonly rules: ActiveRule[] = [];
  private readonly countsByKind: FaultCounts = { read: 0, write: 0, sync: 0, metadata: 0, total: 0 };
  private readonly injectedFaults: InjectedFault[] = [];
  private lastFailedRule: FaultRule | undefined;

  constructor(inner: Fs, rules: FaultRule | readonly FaultRule[] = []) {
    this.inner = inner;
    for (const rule of Array.isArray(rules) ? rules : [rules as FaultRule]) this.inject(rule);
  }

  /** Adds a rule; rules are checked in the order they were added. */
  inject(rule: FaultRule): this {
    const prng = rule.probability === undefined ? undefined : createPrng(rule.seed ?? 0);
    this.rules.push({ rule, prng, matched: 0, failures: 0 });
    return this;
  }

  /** The T6 "EIO on fsync only" mode: fail the N-th sync (1-based), once or persistently. */
  failSyncOnly(atOp: number, options: { persistent?: boolean; errno?: FaultErrno } = {}): this {
    return this.inject({ atOp, kinds: ['sync'], ...options });
  }

  clearFaults(): void {
    this.rules.length = 0;
  }

  /** Operations counted so far (a copy). */
  get counts(): FaultCounts {
    return { ...this.countsByKind };
  }

  /** The faults injected so far (a copy). */
  get injected(): InjectedFault[] {
    return [...this.injectedFaults];
  }

  /** Counts one operation and returns the error to fail it with, if a rule says so. */
  check(kind: FaultOpKind, syscall: string, path: string): NodeJS.ErrnoException | undefined {
    this.countsByKind[kind] += 1;
    this.countsByKind.total += 1;
    let failure: FaultRule | undefined;
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.kinds !== undefined && !rule.kinds.includes(kind)) continue;
      active.matched += 1;
      if (failure !== undefined) continue;
      if ((active.failures > 0 && rule.persistent === true) || this.triggers(active)) {
        active.failures += 1;
        failure = rule;
      }
    }
    this.lastFailedRule = failure;
    if (failure === undefined) return undefined;
    const errno = failure.errno ?? 'EIO';
    this.injectedFaults.push({ opIndex: this.countsByKind.total, kind, syscall, path, errno });
    return errnoError(errno, syscall, path);
  }

  private triggers(active: ActiveRule): boolean {
    const { rule } = active;
    if (rule.atOp !== undefined && active.matched === rule.atOp) return true;
    if (active.prng === undefined) return false;
    if (rule.maxFailures !== undefined && active.failures >= rule.maxFailures) return false;
    return active.prng.next() < (rule.probability ?? 0);
  }

  /** Whether the rule that failed the last checked operation asked for a partial write. */
  partialWriteOnFailure(): boolean {
    return this.lastFailedRule?.partialWrite === true;
  }

  private async run<T>(kind: FaultOpKind, syscall: string, path: string, op: () => Promise<T>): Promise<T> {
    const error = this.check(kind, syscall, path);
    if (error !== undefined) throw error;
    return op();
  }

  mkdir(path: string): Promise<void> {
    return this.run('metadata', 'mkdir', path, () => this.inner.mkdir(path));
  }

  readdir(path: string): Promise<string[]> {
    return this.run('read', 'scandir', path, () => this.inner.readdir(path));
  }

  stat(path: string): Promise<FileStat | undefined> {
    return this.run('read', 'stat', path, () => this.inner.stat(path));
  }

  openWritable(path: string, options?: { truncate?: boolean }): Promise<WritableFile> {
    return this.run('metadata', 'open', path, async () => {
      return new FaultWritableFile(this, await this.inner.openWritable(path, options));
    });
  }

  openReadable(path: string): Promise<ReadableFile> {
    return this.run('read', 'open', path, async () => {
      return new FaultReadableFile(this, await this.inner.openReadable(path));
    });
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.run('read', 'read', path, () => this.inner.readFile(path));
  }

  createExclusive(path: string, data: Uint8Array): Promise<boolean> {
    return this.run('write', 'open', path, () => this.inner.createExclusive(path, data));
  }

  truncate(path: string, size: number): Promise<void> {
    return this.run('write', 'ftruncate', path, () => this.inner.truncate(path, size));
  }

  rename(from: string, to: string): Promise<void> {
    return this.run('metadata', 'rename', from, () => this.inner.rename(from, to));
  }

  unlink(path: string): Promise<void> {
    return this.run('metadata', 'unlink', path, () => this.inner.unlink(path));
  }

  syncDir(path: string): Promise<void> {
    return this.run('sync', 'fsync', path, () => this.inner.syncDir(path));
  }

  removeTree(path: string): Promise<void> {
    return this.run('metadata', 'rm', path, async () => {
      if (this.inner.removeTree === undefined) throw errnoError('EIO', 'rm', path);
      await this.inner.removeTree(path);
    });
  }
}

class FaultWritableFile implements WritableFile {
  constructor(
    private readonly fs: FaultFs,
    private readonly file: WritableFile,
  ) {}

  get path(): string {
    return this.file.path;
  }

  get size(): number {
    return this.file.size;
  }

  async append(data: Uint8Array): Promise<void> {
    const error = this.fs.check('write', 'write', this.file.path);
    if (error === undefined) return this.file.append(data);
    if (this.fs.partialWriteOnFailure() && data.length > 1) {
      await this.file.append(data.subarray(0, data.length >>> 1));
    }
    throw error;
  }

  async sync(): Promise<void> {
    const error = this.fs.check('sync', 'fdatasync', this.file.path);
    if (error !== undefined) throw error;
    return this.file.sync();
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

class FaultReadableFile implements ReadableFile {
  constructor(
    private readonly fs: FaultFs,
    private readonly file: ReadableFile,
  ) {}

  get path(): string {
    return this.file.path;
  }

  get size(): number {
    return this.file.size;
  }

  readSync(target: Uint8Array, targetOffset: number, length: number, position: number): number {
    const error = this.fs.check('read', 'read', this.file.path);
    if (error !== undefined) throw error;
    return this.file.readSync(target, targetOffset, length, position);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
