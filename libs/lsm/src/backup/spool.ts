/**
 * Holds a verified backup stream between `load`'s verification pass and its apply pass: in memory
 * up to `memoryBytes`, then in a temporary file `NNNNNN.dbtmp` in the database directory (through
 * the database's Fs, so an in-memory database spools in memory). A temp file left by a crash is
 * removed at the next open (db/obsolete-files.ts). `dispose()` removes it; call it in `finally`.
 */

import { IoError, LsmError } from '../errors.js';
import { joinPath, readAtSync, type Fs, type WritableFile } from '../fs/fs.js';
import { tempFileName } from '../fs/filenames.js';

export const DEFAULT_SPOOL_MEMORY_BYTES = 8 * 1024 * 1024;
const READ_PIECE_BYTES = 1024 * 1024;

export class Spool {
  private readonly fs: Fs;
  private readonly dir: string;
  private readonly newFileNumber: () => number;
  private readonly memoryBytes: number;
  private pieces: Uint8Array[] = [];
  private bytesInMemory = 0;
  private file: WritableFile | undefined;
  private path: string | undefined;
  bytes = 0;

  constructor(fs: Fs, dir: string, newFileNumber: () => number, memoryBytes: number) {
    this.fs = fs;
    this.dir = dir;
    this.newFileNumber = newFileNumber;
    this.memoryBytes = memoryBytes;
  }

  /** True once the spool has moved to a temp file. */
  get onDisk(): boolean {
    return this.path !== undefined;
  }

  /** Appends a copy of `data`. */
  async append(data: Uint8Array): Promise<void> {
    if (data.length === 0) return;
    this.bytes += data.length;
    if (this.file === undefined && this.bytesInMemory + data.length <= this.memoryBytes) {
      this.pieces.push(data.slice());
      this.bytesInMemory += data.length;
      return;
    }
    await io(async () => {
      if (this.file === undefined) {
        this.path = joinPath(this.dir, tempFileName(this.newFileNumber()));
        this.file = await this.fs.openWritable(this.path, { truncate: true });
        for (const piece of this.pieces) await this.file.append(piece);
        this.pieces = [];
        this.bytesInMemory = 0;
      }
      await this.file.append(data);
    }, 'cannot write the load spool file');
  }

  /** The spooled bytes in order, in pieces. Call once, after the last append. */
  async *read(): AsyncGenerator<Uint8Array, void, undefined> {
    if (this.file === undefined || this.path === undefined) {
      for (const piece of this.pieces) yield piece;
      return;
    }
    const path = this.path;
    await io(() => (this.file as WritableFile).close(), 'cannot close the load spool file');
    this.file = undefined;
    const readable = await io(() => this.fs.openReadable(path), 'cannot open the load spool file');
    try {
      for (let position = 0; position < this.bytes; position += READ_PIECE_BYTES) {
        const length = Math.min(READ_PIECE_BYTES, this.bytes - position);
        const piece = readAtSync(readable, position, length);
        if (piece.length !== length) throw new IoError(`load spool file ${path} is shorter than written`, undefined);
        yield piece;
      }
    } finally {
      await readable.close().catch(() => undefined);
    }
  }

  async dispose(): Promise<void> {
    this.pieces = [];
    const file = this.file;
    this.file = undefined;
    await file?.close().catch(() => undefined);
    if (this.path !== undefined) await this.fs.unlink(this.path).catch(() => undefined);
    this.path = undefined;
  }
}

async function io<T>(run: () => Promise<T>, message: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof LsmError) throw error;
    throw new IoError(`${message}: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}
