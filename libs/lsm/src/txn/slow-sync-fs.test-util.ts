/**
 * `SlowSyncFs`: wraps an `Fs` so that every `WritableFile.sync()` first awaits `delay()` (for
 * example a few seeded macrotasks). Commits then stay in flight (timestamp assigned, not yet
 * applied) across scheduler steps, so other transactions begin, read and commit meanwhile.
 */

import type { FileStat, Fs, ReadableFile, WritableFile } from '../fs/fs.js';

export class SlowSyncFs implements Fs {
  constructor(
    readonly inner: Fs,
    private readonly delay: () => Promise<void>,
  ) {}

  mkdir(path: string): Promise<void> {
    return this.inner.mkdir(path);
  }

  readdir(path: string): Promise<string[]> {
    return this.inner.readdir(path);
  }

  stat(path: string): Promise<FileStat | undefined> {
    return this.inner.stat(path);
  }

  async openWritable(path: string, options?: { truncate?: boolean }): Promise<WritableFile> {
    const file = await this.inner.openWritable(path, options);
    const delay = this.delay;
    return {
      path: file.path,
      get size(): number {
        return file.size;
      },
      append: (data) => file.append(data),
      sync: async () => {
        await delay();
        await file.sync();
      },
      close: () => file.close(),
    };
  }

  openReadable(path: string): Promise<ReadableFile> {
    return this.inner.openReadable(path);
  }

  openReadableSync(path: string): ReadableFile {
    if (this.inner.openReadableSync === undefined) throw new Error('inner Fs has no openReadableSync');
    return this.inner.openReadableSync(path);
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.inner.readFile(path);
  }

  createExclusive(path: string, data: Uint8Array): Promise<boolean> {
    return this.inner.createExclusive(path, data);
  }

  truncate(path: string, size: number): Promise<void> {
    return this.inner.truncate(path, size);
  }

  rename(from: string, to: string): Promise<void> {
    return this.inner.rename(from, to);
  }

  unlink(path: string): Promise<void> {
    return this.inner.unlink(path);
  }

  syncDir(path: string): Promise<void> {
    return this.inner.syncDir(path);
  }
}
