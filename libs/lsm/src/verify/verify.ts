/**
 * `db.verify()` (online, `verify(engine)`) and `verifyDirectory(fs, dir)` (offline, for the `lsm`
 * command and for stores that no longer open): a full consistency check that REPORTS problems,
 * each with the file (a name in the database directory, or "memtable") and the byte offset, and
 * never throws on corruption it finds. It throws only for programmer errors, a closed database,
 * or (offline) a LOCK held by another process.
 *
 * What is checked:
 * 1. CURRENT names a MANIFEST and ends in a newline; the MANIFEST's framing verifies; every
 *    version edit decodes and applies (the MANIFEST is re-read and re-parsed from disk). Online,
 *    the files it lists must equal the open database's current version.
 * 2. Every live table (in the version) exists, its size equals the MANIFEST's fileBytes, its
 *    footer, index, filter, properties and every data block verify (TableReader.verify: checksums,
 *    key order, separators, bloom, properties), and its properties agree with the MANIFEST entry
 *    (entries, smallest/largest key and seq, seq range).
 * 3. Every value pointer in the tables and memtables resolves: its vlog file exists, the entry at
 *    its offset has the pointer's length and a valid checksum, and the entry's key is the key of
 *    the version that points at it. A pointer into a vlog file that no longer exists is fine only
 *    when the version is hidden from every reader — the oldest snapshot reads a newer version of
 *    the key, or a different entry at the same seq from a newer source (value-log GC rewrites a
 *    live value with its own seq) — and it is then counted as `stalePointers`.
 * 4. Every live vlog file is scanned: header, and each entry's lengths and checksum. Damage with
 *    valid entries after it is a problem; damage at the end with nothing valid after it is a torn
 *    tail (what a crash mid-append leaves; recovery truncates it) and is reported as a WARNING.
 * 5. Every WAL file recovery would replay (number >= the MANIFEST's logNumber) parses: framing,
 *    batches and commit markers. A torn tail is a warning (as above); damage followed by valid
 *    records is a problem. Offline, the WALs are replayed into a memtable whose pointers are then
 *    checked as in (3); online, the open memtables are checked directly.
 *
 * `ok` is true when there are no problems (warnings do not count). Online verification pins the
 * version it checks, reads table blocks without the block cache, and yields to the event loop
 * between files and every few milliseconds of work.
 */

import type { Engine } from '../db/engine.js';
import { findVersion } from '../db/read-path.js';
import { IoError } from '../errors.js';
import { joinPath, type Fs, type ReadableFile } from '../fs/fs.js';
import { parseFileName, tableFileName } from '../fs/filenames.js';
import { acquireLock, type LockHandle } from '../fs/lock.js';
import { Version } from '../manifest/version.js';
import { Memtable } from '../memtable/memtable.js';
import { BlockCache } from '../sstable/block-cache.js';
import { TableCache } from '../sstable/table-cache.js';
import type { VerifyReport } from './report.js';
import { describe, Verifier } from './verifier.js';

export type { VerifyChecked, VerifyProblem, VerifyReport } from './report.js';

export interface VerifyDirectoryOptions {
  /** take the database LOCK while verifying (default true); LOCKED if another process holds it */
  lock?: boolean;
}

/** Offline: more levels than any option allows, so any MANIFEST's level numbers fit. */
const OFFLINE_LEVELS = 12;

function sameFiles(a: Version, b: Version): string | undefined {
  const list = (v: Version): string[] =>
    v.levels.flatMap((files, level) => files.map((f) => `L${level}:${f.number}:${f.fileBytes}`)).sort();
  const left = list(a);
  const right = list(b);
  if (left.length === right.length && left.every((x, i) => x === right[i])) return undefined;
  const onlyDisk = left.filter((x) => !right.includes(x));
  const onlyMemory = right.filter((x) => !left.includes(x));
  return `MANIFEST lists [${onlyDisk.join(', ')}] that the open database does not, and misses [${onlyMemory.join(', ')}]`;
}



/** Verifies an open database (`db.verify()`). Throws DB_CLOSED if the engine is closed. */
export async function verify(engine: Engine): Promise<VerifyReport> {
  engine.checkOpen(false);
  const verifier = new Verifier();
  const version = engine.versions.current;
  engine.pin(version);
  try {
    verifier.use({
      fs: engine.fs,
      dir: engine.dir,
      online: true,
      tables: engine.tables,
      memtables: [engine.mem, ...engine.imm],
      findVersion: (key, readTs) => engine.findVersion(key, readTs),
      oldestSnapshotTs: () => engine.oracle.oldestSnapshotTs(),
      vlogLive: (n) => engine.valueLog.liveFileNumbers().has(n),
    });
    // 1. CURRENT and MANIFEST, compared with the open version (retried: an edit may be landing).
    for (let attempt = 0; ; attempt++) {
      const before = engine.versions.current;
      const probe = new Verifier();
      const parsed = await probe.readManifest(engine.fs, engine.dir, before.numLevels);
      const after = engine.versions.current;
      const mismatch = parsed === undefined || before !== after ? undefined : sameFiles(parsed.state.version, after);
      const settled = parsed === undefined || (before === after && (mismatch === undefined || attempt >= 5));
      if (settled) {
        verifier.problems.push(...probe.problems);
        verifier.warnings.push(...probe.warnings);
        verifier.checked.manifestEdits = probe.checked.manifestEdits;
        if (parsed !== undefined && mismatch !== undefined) verifier.problem(parsed.name, 0, mismatch);
        break;
      }
      if (attempt >= 20) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const vlogs = [...engine.valueLog.liveFileNumbers()].sort((a, b) => a - b);
    await verifier.preopenVlogs(vlogs);
    // 2 + 3. Tables and their pointers; memtables and theirs.
    await verifier.checkTables(version);
    engine.checkOpen(false);
    await verifier.checkMemtables();
    // 4. Value-log files.
    await verifier.scanVlogs(vlogs);
    // 5. WAL files parse (the memtables already hold what they contain).
    engine.checkOpen(false);
    await verifier.checkWals(engine.versions.logNumber);
    return verifier.report();
  } finally {
    engine.unpin(version);
    await verifier.close();
  }
}

// ---- offline ------------------------------------------------------------------------------------

/**
 * Verifies the database in `dir` without opening it (nothing is replayed, truncated or
 * rewritten), under its LOCK unless `lock: false`. Throws LOCKED when another process holds it.
 */
export async function verifyDirectory(fs: Fs, dir: string, options: VerifyDirectoryOptions = {}): Promise<VerifyReport> {
  let lock: LockHandle | undefined;
  if (options.lock !== false) lock = await acquireLock(fs, dir);
  const verifier = new Verifier();
  const blockCache = new BlockCache(8 * 1024 * 1024);
  const tables = new TableCache({
    blockCache,
    maxOpenTables: 64,
    openFile: (n) => fs.openReadable(joinPath(dir, tableFileName(n))),
    ...(fs.openReadableSync === undefined ? {} : { openFileSync: (n: number) => (fs.openReadableSync as (p: string) => ReadableFile).call(fs, joinPath(dir, tableFileName(n))) }),
  });
  try {
    const parsed = await verifier.readManifest(fs, dir, OFFLINE_LEVELS);
    const version = parsed?.state.version ?? Version.empty(OFFLINE_LEVELS);
    const memtable = new Memtable({ seed: 1 });
    const lastSeq = () => Math.max(parsed?.state.lastSeq ?? 0, memtable.maxSeq);
    let names: string[] = [];
    try {
      names = await fs.readdir(dir);
    } catch (error) {
      verifier.record(new IoError(`cannot list ${dir}: ${describe(error)}`, error), dir);
    }
    const vlogs = names
      .map((n) => parseFileName(n))
      .filter((p) => p !== undefined && p.type === 'vlog')
      .map((p) => (p as { number: number }).number)
      .sort((a, b) => a - b);
    verifier.use({
      fs,
      dir,
      online: false,
      tables,
      memtables: [memtable],
      findVersion: (key, readTs) => findVersion({ mem: memtable, imm: [], version, tables }, key, readTs),
      oldestSnapshotTs: lastSeq,
      vlogLive: () => true,
    });
    await verifier.preopenVlogs(vlogs);
    // WALs first: their entries join the memtable, which the stale-pointer rule reads.
    await verifier.checkWals(parsed?.state.logNumber ?? 0, memtable);
    await verifier.checkTables(version);
    await verifier.checkMemtables();
    await verifier.scanVlogs(vlogs);
    return verifier.report();
  } finally {
    await verifier.close();
    await tables.close();
    await lock?.release();
  }
}