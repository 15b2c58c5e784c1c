/**
 * Replaces a small file atomically and durably (RELIABILITY D3; LevelDB `SetCurrentFile`,
 * rocksdb#10573):
 *
 *   1. write `<name>.dbtmp` (truncating any leftover temp file),
 *   2. fsync it, close it,
 *   3. rename it over `<name>` (POSIX rename: readers see the old or the new file, never a mix),
 *   4. fsync the directory, so the rename itself survives power loss.
 *
 * When it resolves, `<name>` holds `data` durably. When it rejects, `<name>` holds the old or the
 * new content (it is the caller's business to treat a failed fsync as fatal, D7); the temp file
 * is removed on a best-effort basis when the failure came before the rename.
 */

import { joinPath } from './fs.js';
import type { Fs } from './fs.js';
import { FileSuffix } from './filenames.js';

/** The temporary name used while replacing `name`. */
export function atomicTempName(name: string): string {
  return name + FileSuffix.temp;
}

export async function atomicWriteFile(
  fs: Fs,
  dir: string,
  name: string,
  data: Uint8Array,
): Promise<void> {
  const tempPath = joinPath(dir, atomicTempName(name));
  const targetPath = joinPath(dir, name);
  try {
    const file = await fs.openWritable(tempPath, { truncate: true });
    try {
      await file.append(data);
      await file.sync();
    } catch (error) {
      await file.close().catch(() => undefined);
      throw error;
    }
    await file.close();
    await fs.rename(tempPath, targetPath);
  } catch (error) {
    await fs.unlink(tempPath).catch(() => undefined);
    throw error;
  }
  await fs.syncDir(dir);
}
