/**
 * `NodeFs`: the production `Fs` (fs/fs.ts) on Node's file system (RELIABILITY D9).
 *
 * - Appends are positional writes at the handle's reserved end offset, looped until every byte
 *   is written (`fs.write` may write fewer bytes than asked). Appends may be issued concurrently
 *   on one handle; each reserves its byte range when called, so bytes land in call order.
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

export interface NodeFsOptions {
  /** Replaces `fs.write` (tests: short writes). */
  writeSyscall?: WriteSyscall;
  /** Overrides `process.platform` (tests: the win32 branch of syncDir). */
  platform?: NodeJS.Platform;
}

const defaultWrite: WriteSyscall = (fd, buffer, offset, length, position, callback) => {
  fs.write(fd, buffer, offset, length, position, callback);
};

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

/** Writes all of `data` at `position`, looping on short writes; returns when done or rejects. */
function writeAll(
  write: WriteSyscall,
  fd: number,
  path: string,
  data: Uint8Array,
  position: number,
  onProgress?: (bytes: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = 0;
    const step = (): void => {
      write(fd, data, done, data.length - done, position + done, (error, bytesWritten) => {
        if (error) return reject(error);
        if (bytesWritten <= 0) return reject(zeroWriteError(path));
        done += bytesWritten;
        onProgress?.(bytesWritten);
        if (done < data.length) step();
        else resolve();
      });
    };
    if (data.length === 0) resolve();
    else step();
  });
}

class NodeWritableFile implements WritableFile {
  readonly path: string;
  private readonly fd: number;
  private readonly write: WriteSyscall;
  /** End of the last reserved append: where the next append lands. */
  private endOffset: number;
  private closed = false;

  constructor(path: string, fd: number, sizeBytes: number, write: WriteSyscall) {
    this.path = path;
    this.fd = fd;
    this.endOffset = sizeBytes;
    this.write = write;
  }

  get size(): number {
    return this.endOffset;
  }

  async append(data: Uint8Array): Promise<void> {
    const position = this.endOffset;
    this.endOffset += data.length;
    let written = 0;
    try {
      await writeAll(this.write, this.fd, this.path, data, position, (bytes) => {
        written += bytes;
      });
    } catch (error) {
      // Keep `size` equal to the bytes actually in the file when this was the last reservation.
      if (this.endOffset === position + data.length) this.endOffset = position + written;
      throw error;
    }
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
  private readonly write: WriteSyscall;
  private readonly platform: NodeJS.Platform;

  constructor(options: NodeFsOptions = {}) {
    this.write = options.writeSyscall ?? defaultWrite;
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
      return new NodeWritableFile(path, fd, sizeBytes, this.write);
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
      await writeAll(this.write, fd, path, data, 0);
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
