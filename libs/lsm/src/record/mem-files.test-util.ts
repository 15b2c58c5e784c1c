// A tiny in-memory file store for the log, WAL and vlog tests (the full MemFs with crash
// simulation lives in testing/mem-fs.ts). Files are growable byte arrays; `synced` records how
// many bytes the last sync covered so tests can assert sync ordering; failures can be injected.
import type { Fs, ReadableFile, WritableFile } from '../fs/fs.js';

export class MemFile {
  bytes = new Uint8Array(0);
  syncedBytes = 0;
  appendCalls = 0;
  syncCalls = 0;

  append(data: Uint8Array): void {
    const next = new Uint8Array(this.bytes.length + data.length);
    next.set(this.bytes, 0);
    next.set(data, this.bytes.length);
    this.bytes = next;
    this.appendCalls++;
  }
}

export interface Faults {
  failAppend?: boolean;
  failSync?: boolean;
}

export class MemWritable implements WritableFile {
  constructor(
    readonly path: string,
    private readonly file: MemFile,
    private readonly faults: Faults = {},
  ) {}
  get size(): number {
    return this.file.bytes.length;
  }
  async append(data: Uint8Array): Promise<void> {
    await Promise.resolve();
    if (this.faults.failAppend) throw Object.assign(new Error('EIO: append'), { code: 'EIO' });
    this.file.append(data.slice());
  }
  async sync(): Promise<void> {
    await Promise.resolve();
    this.file.syncCalls++;
    if (this.faults.failSync) throw Object.assign(new Error('EIO: fsync'), { code: 'EIO' });
    this.file.syncedBytes = this.file.bytes.length;
  }
  async close(): Promise<void> {}
}

export class MemReadable implements ReadableFile {
  constructor(
    readonly path: string,
    private readonly file: MemFile,
  ) {}
  get size(): number {
    return this.file.bytes.length;
  }
  readSync(target: Uint8Array, targetOffset: number, length: number, position: number): number {
    const bytes = this.file.bytes;
    if (position >= bytes.length) return 0;
    // return at most 1000 bytes per call so callers must loop on short reads
    const n = Math.min(length, bytes.length - position, 1000);
    target.set(bytes.subarray(position, position + n), targetOffset);
    return n;
  }
  async close(): Promise<void> {}
}

function enoent(path: string): Error {
  return Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
}

/** The subset of Fs the log modules use. */
export class MemFiles implements Pick<Fs, 'openWritable' | 'openReadable' | 'readFile' | 'truncate'> {
  readonly files = new Map<string, MemFile>();
  faults: Faults = {};

  get(path: string): MemFile {
    const file = this.files.get(path);
    if (file === undefined) throw enoent(path);
    return file;
  }
  async openWritable(path: string, options?: { truncate?: boolean }): Promise<WritableFile> {
    let file = this.files.get(path);
    if (file === undefined || options?.truncate === true) {
      file = new MemFile();
      this.files.set(path, file);
    }
    return new MemWritable(path, file, this.faults);
  }
  async openReadable(path: string): Promise<ReadableFile> {
    return new MemReadable(path, this.get(path));
  }
  async readFile(path: string): Promise<Uint8Array> {
    return this.get(path).bytes.slice();
  }
  async truncate(path: string, size: number): Promise<void> {
    const file = this.get(path);
    file.bytes = file.bytes.slice(0, size);
    file.syncedBytes = Math.min(file.syncedBytes, size);
  }
  /** Replaces a file's content (tests that damage files). */
  put(path: string, bytes: Uint8Array): void {
    const file = new MemFile();
    file.bytes = bytes.slice();
    this.files.set(path, file);
  }
}
