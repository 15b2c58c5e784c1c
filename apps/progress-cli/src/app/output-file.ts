/** Writing --out files: atomically (temp file, then rename), with usage errors for bad paths. */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Context } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';

export class OutputFile {
  private readonly temp: string;
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.path = resolve(path);
    this.temp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.tmp`);
    try {
      this.fd = openSync(this.temp, 'w', 0o644);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES' || code === 'EISDIR' || code === 'EROFS') {
        throw new UsageError(`cannot write ${this.path}: ${code === 'ENOENT' ? 'no such directory' : (error as Error).message}`, 'choose a path in an existing, writable directory');
      }
      throw error;
    }
  }

  write(text: string): void {
    if (this.fd === undefined) return;
    const bytes = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset);
  }

  commit(): void {
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
    renameSync(this.temp, this.path);
  }

  abort(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    try {
      unlinkSync(this.temp);
    } catch {
      // already gone
    }
  }
}

export function writeOutput(ctx: Context, path: string, text: string, what: string): void {
  const file = new OutputFile(path);
  try {
    file.write(text);
    file.commit();
  } catch (error) {
    file.abort();
    throw error;
  }
  ctx.io.stderr(`wrote ${what} to ${file.path}\n`);
}
