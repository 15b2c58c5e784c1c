/**
 * Deletes files that no live state needs (RELIABILITY D3/D4), called only after the MANIFEST edit
 * that made them obsolete is durable:
 * - tables not in the current version, a version pinned by a reader, or a write in progress;
 * - WALs numbered below the MANIFEST's logNumber that no memtable still uses;
 * - MANIFESTs other than the live one, and (at open only) leftover temporary files;
 * - value-log files the value log no longer lists (after GC published their removal).
 * Unknown names are left alone.
 */

import { joinPath, type Fs } from '../fs/fs.js';
import { parseFileName } from '../fs/filenames.js';

export interface LiveFiles {
  liveTables: ReadonlySet<number>;
  /**
   * The next file number when `liveTables` was taken: a table numbered at or above it was created
   * after that moment (an output being written) and is never deleted by this pass.
   */
  newFilesFrom: number;
  liveWals: ReadonlySet<number>;
  logNumber: number;
  manifestNumber: number;
  liveVlogs: ReadonlySet<number>;
  /** only at open: while running, a temp file may be a CURRENT swap in progress */
  deleteTemp: boolean;
}

export async function deleteObsoleteFiles(fs: Fs, dir: string, live: LiveFiles): Promise<{ tables: number[] }> {
  const removedTables: number[] = [];
  for (const name of await fs.readdir(dir)) {
    const parsed = parseFileName(name);
    if (parsed === undefined) continue;
    let obsolete = false;
    switch (parsed.type) {
      case 'table':
        obsolete = parsed.number < live.newFilesFrom && !live.liveTables.has(parsed.number);
        break;
      case 'wal':
        obsolete = parsed.number < live.logNumber && !live.liveWals.has(parsed.number);
        break;
      case 'manifest':
        obsolete = parsed.number < live.manifestNumber; // a newer one may be being written
        break;
      case 'vlog':
        obsolete = !live.liveVlogs.has(parsed.number);
        break;
      case 'temp':
        obsolete = live.deleteTemp;
        break;
      case 'current':
      case 'lock':
        break;
    }
    if (!obsolete) continue;
    try {
      await fs.unlink(joinPath(dir, name));
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
    }
    if (parsed.type === 'table') removedTables.push(parsed.number);
  }
  return { tables: removedTables };
}
