/**
 * The one seam through which the engine touches files (STYLE.md 6). `NodeFs` is production;
 * `MemFs` (testing/) simulates power loss; `FaultFs` (testing/) injects I/O errors.
 *
 * Contract every implementation keeps:
 * - Paths are absolute or relative strings joined with `/` by the caller (`joinPath`).
 * - Writes are appends. `append` writes all bytes or rejects (short writes are looped inside).
 * - Data is durable only after `sync()` on the file; a new or renamed directory entry is durable
 *   only after `syncDir()` on its directory.
 * - `rename` replaces the target atomically (POSIX rename).
 * - Reads are synchronous on purpose: point reads of cached pages must not pay a thread-pool
 *   round trip (ARCHITECTURE 3.3). Writes and syncs are asynchronous so that commits can group.
 * - Errors are Node-shaped (`NodeJS.ErrnoException` with `code` such as 'ENOENT', 'EIO',
 *   'ENOSPC', 'EEXIST'); the engine wraps them in IoError.
 */

export interface WritableFile {
  readonly path: string;
  /** Bytes appended so far, including bytes present when the file was opened. */
  readonly size: number;
  append(data: Uint8Array): Promise<void>;
  /** fdatasync: appended bytes (and the size) are durable when this resolves. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface ReadableFile {
  readonly path: string;
  readonly size: number;
  /** Reads up to `length` bytes at `position` into `target[targetOffset...]`; returns the count. */
  readSync(target: Uint8Array, targetOffset: number, length: number, position: number): number;
  close(): Promise<void>;
}

export interface FileStat {
  size: number;
  /** Last modification time (ms since the epoch) when the implementation knows it. */
  mtimeMs?: number;
}

export interface Fs {
  mkdir(path: string): Promise<void>;
  /** Names (not paths) of the entries of a directory, sorted. */
  readdir(path: string): Promise<string[]>;
  stat(path: string): Promise<FileStat | undefined>;
  /** Opens for appending; creates the file when absent. `truncate` empties it first. */
  openWritable(path: string, options?: { truncate?: boolean }): Promise<WritableFile>;
  openReadable(path: string): Promise<ReadableFile>;
  /**
   * Synchronous open for read paths that must not await: a point read that finds its table's
   * reader evicted from the table cache reopens it here (sstable/table-cache.ts). Optional;
   * without it the engine awaits `TableCache.ensureOpen` before such reads.
   */
  openReadableSync?(path: string): ReadableFile;
  /** Reads a whole (small) file. Rejects with ENOENT when absent. */
  readFile(path: string): Promise<Uint8Array>;
  /** Creates `path` with `data` only if it does not exist; false when it already exists. */
  createExclusive(path: string, data: Uint8Array): Promise<boolean>;
  /** Shrinks a file to `size` bytes (used to cut a torn WAL tail). */
  truncate(path: string, size: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Makes the directory's entries (creations, renames, unlinks) durable. */
  syncDir(path: string): Promise<void>;
  /** Removes a directory tree (tests and dropAll of a temp store only). */
  removeTree?(path: string): Promise<void>;
}

export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

export function baseName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? path : path.slice(slash + 1);
}

export function dirName(path: string): string {
  const slash = path.lastIndexOf('/');
  if (slash < 0) return '.';
  return slash === 0 ? '/' : path.slice(0, slash);
}

/** Reads exactly `length` bytes at `position`, or returns fewer when the file ends first. */
export function readAtSync(file: ReadableFile, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = file.readSync(out, done, length - done, position + done);
    if (n === 0) return out.subarray(0, done);
    done += n;
  }
  return out;
}
