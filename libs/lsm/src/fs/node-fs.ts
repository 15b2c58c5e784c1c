/**
 * `NodeFs`: the production `Fs` (fs/fs.ts) on Node's file system (RELIABILITY D9).
 *
 * - Appends are positional writes at the handle's reserved end offset, looped until every byte
 *   is written (`fs.write` may write fewer bytes than asked). Appends may be issued concurrently
 *   on one handle; each reserves its byte range when called, so bytes land in call order.
 * - An append of at most `syncWriteBytesMax` bytes (default 16 KiB) made while no other append
 *   of the handle is in flight is written with `fs.writeSync` before `append` returns: a copy
 *   into the page cache costs a few microseconds, a thread-pool round trip tens. Larger appends
 *   go through the thread pool. Either way errors arrive as a rejected promise.
 * - `WritableFile.sync()` is fdatasync; `syncDir()` opens the directory read-only and fsyncs it
 *   (skipped on win32, where directories cannot be opened).
 * - `createExclusive` opens with O_CREAT|O_EXCL ('wx'), writes, fsyncs and closes; if writing
 *   fails it unlinks the partial file before rethrowing.
 * - `truncate` is durable when it resolves (ftruncate + fdatasync): it only cuts torn tails.
 * - A `ReadableFile` holds one fd for its lifetime; `readSync` is a positioned read (pread).
 *   `size` is the size when opened.
 * - Errors are Node's errno errors, untouched; the engine wraps them in IoError.
 */

import * as fs from 'node:fs';
import type { FileStat, Fs, ReadableFile, WritableFile } from './fs.js';

type WriteCallback = (error: NodeJS.ErrnoException | null, bytesWritten: number) => void;

/** The write syscall NodeFs uses; injectable so tests can force short writes. */
export type WriteSyscall = (
  fd: number,
  buffer: Uint8Array,
  offset: number,
  length: number,
  position: number,
  callback: WriteCallback,
) => void;

/** The synchronous write syscall; returns the bytes written. */
export type WriteSyncSyscall = (fd: number, buffer: Uint8Array, offset: number, length: number, position: number) => number;

export interface NodeFsOptions {
  /** Appends up to this many bytes are written synchronously (default 16 KiB; 0 = never). */
  syncWriteBytesMax?: number;
  /** Replaces `fs.write` (tests: short writes). */
  writeSyscall?: WriteSyscall;
  /** Replaces `fs.writeSync` (tests: short writes). */
  writeSyncSyscall?: WriteSyncSyscall;
  /** Overrides `process.platform` (tests: the win32 branch of syncDir). */
  platform?: NodeJS.Platform;
}

const defaultWrite: WriteSyscall = (fd, buffer, offset, length, position, callback) => {
  fs.write(fd, buffer, offset, length, position, callback);
};

const defaultWriteSync: WriteSyncSyscall = (fd, buffer, offset, length, position) =>
  fs.writeSync(fd, buffer, offset, length, position);

const SYNC_WRITE_BYTES_MAX_DEFAULT = 16 * 1024;
const RESOLVED: Promise<void> = Promise.resolve();

interface WriteSyscalls {
  readonly write: WriteSyscall;
  readonly writeSync: WriteSyncSyscall;
  readonly syncWriteBytesMax: number;
}

function zeroWriteError(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EIO: i/o error, write returned 0 bytes, '${path}'`), {
    code: 'EIO',
    errno: -5,
    syscall: 'write',
    path,
  });
}

function openFd(path: string, flags: string | number, mode?: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.open(path, flags, mode, (error, fd) => (error ? reject(error) : resolve(fd)));
  });
}

function closeFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.close(fd, (error) => (error ? reject(error) : resolve()));
  });
}

function fdatasyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.fdatasync(fd, (error) => (error ? reject(error) : resolve()));
  });
}

function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.fsync(fd, (error) => (error ? reject(error) : resolve()));
  });
}

function fstatSize(fd: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats.size)));
  });
}

/** Writes all of `data` at `position`, looping on short writes (createExclusive's path). */
function writeAll(write: WriteSyscall, fd: number, path: string, data: Uint8Array, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = 0;
    const onWrite: WriteCallback = (error, bytesWritten) => {
      if (error !== null || bytesWritten <= 0) return reject(error ?? zeroWriteError(path));
      done += bytesWritten;
      if (done < data.length) write(fd, data, done, data.length - done, position + done, onWrite);
      else resolve();
    };
    if (data.length === 0) resolve();
    else write(fd, data, 0, data.length, position, onWrite);
  });
}

class NodeWritableFile implements WritableFile {
  readonly path: string;
  private readonly fd: number;
  private readonly io: WriteSyscalls;
  /** End of the last reserved append: where the next append lands. */
  private endOffset: number;
  /** Appends handed to the thread pool and not yet finished. */
  private appendsInFlight = 0;
  private closed = false;

  constructor(path: string, fd: number, sizeBytes: number, io: WriteSyscalls) {
    this.path = path;
    this.fd = fd;
    this.endOffset = sizeBytes;
    this.io = io;
  }

  get size(): number {
    return this.endOffset;
  }

  append(data: Uint8Array): Promise<void> {
    const position = this.endOffset;
    const length = data.length;
    this.endOffset += length;
    if (length === 0) return RESOLVED;
    if (length <= this.io.syncWriteBytesMax && this.appendsInFlight === 0) return this.appendNow(data, position);
    this.appendsInFlight += 1;
    return new Promise((resolve, reject) => {
      let done = 0;
      const onWrite: WriteCallback = (error, bytesWritten) => {
        if (error !== null || bytesWritten <= 0) {
          this.appendsInFlight -= 1;
          this.shrinkAfterFailure(position, length, done);
          reject(error ?? zeroWriteError(this.path));
          return;
        }
        done += bytesWritten;
        if (done < length) {
          this.io.write(this.fd, data, done, length - done, position + done, onWrite);
        } else {
          this.appendsInFlight -= 1;
          resolve();
        }
      };
      this.io.write(this.fd, data, 0, length, position, onWrite);
    });
  }

  /** The synchronous path: every byte is in the page cache when this returns. */
  private appendNow(data: Uint8Array, position: number): Promise<void> {
    const length = data.length;
    let done = 0;
    try {
      while (done < length) {
        const bytesWritten = this.io.writeSync(this.fd, data, done, length - done, position + done);
        if (bytesWritten <= 0) throw zeroWriteError(this.path);
        done += bytesWritten;
      }
    } catch (error) {
      this.shrinkAfterFailure(position, length, done);
      return Promise.reject(error);
    }
    return RESOLVED;
  }

  /** Keeps `size` equal to the bytes in the file when the failed append was the last one. */
  private shrinkAfterFailure(position: number, length: number, writtenBytes: number): void {
    if (this.endOffset === position + length) this.endOffset = position + writtenBytes;
  }

  sync(): Promise<void> {
    return fdatasyncFd(this.fd);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeFd(this.fd);
  }
}

class NodeReadableFile implements ReadableFile {
  readonly path: string;
  readonly size: number;
  private readonly fd: number;
  private closed = false;

  constructor(path: string, fd: number, sizeBytes: number) {
    this.path = path;
    this.fd = fd;
    this.size = sizeBytes;
  }

  readSync(target: Uint8Array, targetOffset: number, length: number, position: number): number {
    return fs.readSync(this.fd, target, targetOffset, length, position);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeFd(this.fd);
  }
}

export class NodeFs implements Fs {
  private readonly io: WriteSyscalls;
  private readonly platform: NodeJS.Platform;

  constructor(options: NodeFsOptions = {}) {
    this.io = {
      write: options.writeSyscall ?? defaultWrite,
      writeSync: options.writeSyncSyscall ?? defaultWriteSync,
      syncWriteBytesMax: Math.max(0, options.syncWriteBytesMax ?? SYNC_WRITE_BYTES_MAX_DEFAULT),
    };
    this.platform = options.platform ?? process.platform;
  }

  async mkdir(path: string): Promise<void> {
    await fs.promises.mkdir(path, { recursive: true });
  }

  async readdir(path: string): Promise<string[]> {
    const names = await fs.promises.readdir(path);
    return names.sort();
  }

  async stat(path: string): Promise<FileStat | undefined> {
    try {
      const stats = await fs.promises.stat(path);
      return { size: stats.size, mtimeMs: stats.mtimeMs };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async openWritable(path: string, options?: { truncate?: boolean }): Promise<WritableFile> {
    const { O_WRONLY, O_CREAT, O_TRUNC } = fs.constants;
    const flags = O_WRONLY | O_CREAT | (options?.truncate === true ? O_TRUNC : 0);
    const fd = await openFd(path, flags, 0o644);
    try {
      const sizeBytes = await fstatSize(fd);
      return new NodeWritableFile(path, fd, sizeBytes, this.io);
    } catch (error) {
      await closeFd(fd).catch(() => undefined);
      throw error;
    }
  }

  async openReadable(path: string): Promise<ReadableFile> {
    const fd = await openFd(path, 'r');
    try {
      const sizeBytes = await fstatSize(fd);
      return new NodeReadableFile(path, fd, sizeBytes);
    } catch (error) {
      await closeFd(fd).catch(() => undefined);
      throw error;
    }
  }

  openReadableSync(path: string): ReadableFile {
    const fd = fs.openSync(path, 'r');
    try {
      return new NodeReadableFile(path, fd, fs.fstatSync(fd).size);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  async readFile(path: string): Promise<Uint8Array> {
    const buffer = await fs.promises.readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  async createExclusive(path: string, data: Uint8Array): Promise<boolean> {
    let fd: number;
    try {
      fd = await openFd(path, 'wx', 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
    try {
      await writeAll(this.io.write, fd, path, data, 0);
      await fsyncFd(fd);
    } catch (error) {
      await closeFd(fd).catch(() => undefined);
      await fs.promises.unlink(path).catch(() => undefined);
      throw error;
    }
    await closeFd(fd);
    return true;
  }

  async truncate(path: string, size: number): Promise<void> {
    const fd = await openFd(path, 'r+');
    try {
      await new Promise<void>((resolve, reject) => {
        fs.ftruncate(fd, size, (error) => (error ? reject(error) : resolve()));
      });
      await fdatasyncFd(fd);
    } catch (error) {
      await closeFd(fd).catch(() => undefined);
      throw error;
    }
    await closeFd(fd);
  }

  rename(from: string, to: string): Promise<void> {
    return fs.promises.rename(from, to);
  }

  unlink(path: string): Promise<void> {
    return fs.promises.unlink(path);
  }

  async syncDir(path: string): Promise<void> {
    if (this.platform === 'win32') return;
    const fd = await openFd(path, 'r');
    try {
      await fsyncFd(fd);
    } catch (error) {
      await closeFd(fd).catch(() => undefined);
      throw error;
    }
    await closeFd(fd);
  }

  async removeTree(path: string): Promise<void> {
    await fs.promises.rm(path, { recursive: true, force: true });
  }
}

/** The process-wide NodeFs. */
export const nodeFs: NodeFs = new NodeFs();
