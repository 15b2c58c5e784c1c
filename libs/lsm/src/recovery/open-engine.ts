/**
 * Opening a database (DESIGN.md "Recovery"):
 * 1. Create the directory (unless read-only) and take LOCK (fs/lock.ts).
 * 2. No CURRENT: a directory without tables, WALs or value logs is a new database (a crash during
 *    creation leaves at most a MANIFEST or temp file, removed); otherwise CURRENT is missing and
 *    the store is corrupt — reported, never recreated over data.
 * 3. Replay the MANIFEST named by CURRENT (version-set.ts), open every table it lists (footer and
 *    properties are checked) and the value logs. Nothing is written up to the end of step 4, so
 *    an open that fails on a corrupt store changes no file.
 * 4. Replay every WAL numbered at or above the MANIFEST's logNumber, oldest first, into one
 *    memtable. A torn tail ends a log (the writer died mid-append); damage followed by valid
 *    records is CORRUPTION naming the file and offset. Only whole batches are applied (D6).
 * 5. Writable opens continue the recovered MANIFEST when it ends in a whole record (else write a
 *    fresh one and swap CURRENT to it). When exactly one whole WAL was replayed and the memtable
 *    is below its limit, that WAL and memtable stay active (WAL and directory fsynced once; no
 *    table, WAL or edit written: what a short CLI process needs). Otherwise flush the recovered
 *    memtable to L0, start a fresh WAL, and log one edit {logNumber: new WAL, new L0 file,
 *    lastSeq}; only after that edit is durable are the old WALs and other unreferenced files
 *    deleted (D4). Read-only opens keep the memtable in memory. `versions.lastSeq` stays the
 *    flushed frontier; the replay's highest commit ts goes to the oracle (Engine).
 */

import { fromUtf8 } from '../codec/bytes.js';
import { CorruptionError, errnoOf, IoError, isLsmError, LsmError, toIoError } from '../errors.js';
import { dirName, joinPath, type Fs } from '../fs/fs.js';
import { CURRENT_FILE_NAME, parseFileName, tableFileName, walFileName } from '../fs/filenames.js';
import { acquireLock, type LockHandle } from '../fs/lock.js';
import { VersionSet } from '../manifest/version-set.js';
import { Memtable } from '../memtable/memtable.js';
import type { ResolvedOptions } from '../options.js';
import { readRecords } from '../record/record-reader.js';
import { RecordWriter } from '../record/record-writer.js';
import { BlockCache } from '../sstable/block-cache.js';
import { TableCache } from '../sstable/table-cache.js';
import { decodeWriteBatch } from '../batch/write-batch-format.js';
import { isCloseMarker } from '../wal/close-marker.js';
import { Kind } from '../keys/internal-key.js';
import { decodeValueHeader, decodeValuePointer } from '../keys/value-format.js';
import { Engine, memtablePoolBytes, rewriteApplies } from '../db/engine.js';
import { ValueLog } from '../db/value-log.js';

export async function openEngine(options: ResolvedOptions, fs: Fs): Promise<Engine> {
  const dir = options.dir;
  if (!options.readOnly) {
    const existed = (await wrapIo(() => fs.stat(dir), `cannot stat ${dir}`)) !== undefined;
    await wrapIo(() => fs.mkdir(dir), `cannot create ${dir}`);
    // A new database directory's own entry must be durable before anything in it is.
    if (!existed) await wrapIo(() => fs.syncDir(dirName(dir)), `cannot sync the parent of ${dir}`);
  }
  const lock = options.readOnly ? undefined : await wrapErrno(() => acquireLock(fs, dir, { timeoutMs: options.lockTimeoutMs }), `cannot lock ${dir}`);
  try {
    return await wrapErrno(() => openLocked(options, fs, lock), `cannot open ${dir}`);
  } catch (error) {
    await lock?.release().catch(() => undefined);
    throw error;
  }
}

async function openLocked(options: ResolvedOptions, fs: Fs, lock: LockHandle | undefined): Promise<Engine> {
  const dir = options.dir;
  const names = await wrapIo(() => fs.readdir(dir), `cannot list ${dir}`);
  const parsed = names.map((name) => ({ name, parsed: parseFileName(name) }));
  let versions: VersionSet;
  let recoveredVersions = false;
  if (!names.includes(CURRENT_FILE_NAME)) {
    const data = parsed.filter((p) => p.parsed !== undefined && ['table', 'wal', 'vlog'].includes(p.parsed.type));
    if (data.length > 0) {
      throw new CorruptionError(CURRENT_FILE_NAME, 0, `CURRENT is missing but ${data.length} data files exist (first: ${data[0]?.name})`);
    }
    if (options.readOnly) throw new CorruptionError(CURRENT_FILE_NAME, 0, 'no database here to open read-only');
    versions = await VersionSet.create(fs, dir, options.numLevels);
  } else {
    try {
      versions = await VersionSet.recover(fs, dir, options.numLevels);
    } catch (error) {
      // CURRENT names a MANIFEST that is not there: a damaged CURRENT, not an I/O error
      // (regression: corruption-sweep.rel.test.ts, a flipped digit in CURRENT gave IO_ERROR).
      if (!(error instanceof LsmError) && errnoOf(error) === 'ENOENT') {
        throw new CorruptionError(CURRENT_FILE_NAME, 0, `CURRENT names ${await currentTarget(fs, dir)}, which does not exist`);
      }
      throw error;
    }
    recoveredVersions = true;
  }
  for (const { parsed: file } of parsed) if (file !== undefined) versions.reserveAbove(file.number);
  const blockCache = new BlockCache(options.blockCacheBytes);
  const tables = new TableCache({
    blockCache,
    maxOpenTables: options.maxOpenTables,
    openFile: (n) => fs.openReadable(joinPath(dir, tableFileName(n))),
    ...(fs.openReadableSync === undefined ? {} : { openFileSync: (n: number) => requireSync(fs)(joinPath(dir, tableFileName(n))) }),
  });
  for (const file of versions.current.allFiles()) {
    try {
      await tables.ensureOpen(file.number);
    } catch (error) {
      // A table the MANIFEST lists but the directory lacks is corruption of the store, not an I/O
      // error (regression: corruption-sweep.rel.test.ts, a MANIFEST cut back to an older version).
      if (isLsmError(error, 'IO_ERROR') && error instanceof IoError && error.errno === 'ENOENT') {
        throw new CorruptionError(tableFileName(file.number), 0, 'a table the MANIFEST lists does not exist');
      }
      throw error;
    }
  }
  // Live vlog files: listed in the MANIFEST (vlogAdded is logged before a file is created) and
  // present; one listed but absent was never written to (its creation did not happen).
  const vlogNumbers = parsed
    .filter((p) => p.parsed?.type === 'vlog' && versions.vlogFiles.has(p.parsed.number))
    .map((p) => p.parsed?.number ?? 0);
  const valueLog = await ValueLog.open(fs, dir, vlogNumbers, {
    fileBytes: options.valueLogFileBytes,
    newFileNumber: () => versions.newFileNumber(),
    recordNewFile: async (number) => {
      await versions.logAndApply({ vlogAdded: [number] });
    },
    readOnly: options.readOnly,
  });
  // A writable open may keep the recovered memtable as the active one: give it the active
  // memtable's reserved pool up front (engine.ts memtablePoolBytes).
  const recovered = new Memtable({ seed: options.seed, ...(options.readOnly ? {} : { initialBytes: memtablePoolBytes(options) }) });
  const wals = parsed
    .filter((p) => p.parsed?.type === 'wal' && p.parsed.number >= versions.logNumber)
    .map((p) => p.parsed?.number ?? 0)
    .sort((a, b) => a - b);
  const replayed: WalReplayed[] = [];
  for (const number of wals) replayed.push(await replayWal(fs, dir, number, recovered, versions, valueLog, tables));
  // Not yet noted in `versions`: its lastSeq is the flushed frontier (engine.ts retireVlogs).
  const recoveredCommitTs = replayed.reduce((max, r) => Math.max(max, r.maxCommitTs), 0);
  // Tables, value logs and WALs all checked out: only now write anything, so an open that fails
  // on a corrupt store changes no file (regression: open-corrupt-store-changes-no-file.test.ts).
  // Continue the WAL and the MANIFEST only after a clean close (see reusableWal).
  const reuse = options.readOnly ? undefined : reusableWal(replayed, recovered, options);
  const newerManifest = parsed.some((p) => p.parsed?.type === 'manifest' && p.parsed.number > versions.manifestFileNumber);
  const freshManifest = recoveredVersions && !options.readOnly ? await versions.startWriting(newerManifest || reuse === undefined) : false;

  if (options.readOnly) {
    const engine = new Engine({ options, fs, dir, lock, versions, blockCache, tables, valueLog, mem: recovered, wal: undefined, recoveredCommitTs });
    engine.imm.push(recovered);
    recovered.freeze();
    return engine;
  }
  if (reuse !== undefined) {
    // Keep appending to the one WAL the memtable came from (DESIGN.md "Recovery" step 5): no
    // flush, no new WAL, no MANIFEST edit. Its content is durable (the closing process synced it
    // after the marker), so it is not fsynced again; the directory is, once: a process that died
    // between a CURRENT rename and its directory sync may have left the marker in place.
    const file = await fs.openWritable(joinPath(dir, walFileName(reuse.number)));
    if (file.size === reuse.bytes) {
      const wal = await RecordWriter.create(file, 'WAL');
      await fs.syncDir(dir);
      recovered.walNumber = reuse.number;
      const engine = new Engine({ options, fs, dir, lock, versions, blockCache, tables, valueLog, mem: recovered, wal, recoveredCommitTs, recoveredVlogBytes: reuse.vlogBytes });
      await engine.cleanup(true);
      engine.background.kick();
      return engine;
    }
    await file.close(); // changed since it was read: take the flushing path
  }
  if (!freshManifest && recoveredVersions) await fs.syncDir(dir); // the continued MANIFEST's CURRENT rename
  versions.noteSeq(recoveredCommitTs); // the flush below (or the logNumber edit) records it
  const walNumber = versions.newFileNumber();
  const file = await fs.openWritable(joinPath(dir, walFileName(walNumber)), { truncate: true });
  const wal = await RecordWriter.create(file, 'WAL');
  await wal.sync();
  await fs.syncDir(dir);
  const mem = new Memtable({ walNumber, seed: options.seed + 1, initialBytes: memtablePoolBytes(options) });
  const engine = new Engine({ options, fs, dir, lock, versions, blockCache, tables, valueLog, mem, wal });
  if (!recovered.isEmpty) {
    recovered.freeze();
    engine.imm.push(recovered);
    recovered.walNumber = mem.walNumber; // its WALs are obsolete once it is flushed
    await engine.background.idle();
    if (engine.background.error !== undefined) throw engine.background.error;
  }
  await versions.logAndApply({ logNumber: mem.walNumber });
  await engine.cleanup(true);
  engine.background.kick();
  return engine;
}

interface WalReplayed {
  number: number;
  /** the file's size when read */
  bytes: number;
  /** bytes follow the last whole record (a torn tail) */
  tornTail: boolean;
  /** the highest commit ts of its batches; 0 when it holds none */
  maxCommitTs: number;
  /** bytes of the vlog values its batches point at */
  vlogBytes: number;
  /** its last record is the clean-close marker (wal/close-marker.ts) */
  closedCleanly: boolean;
}

/**
 * The WAL a writable open may keep appending to (and whose MANIFEST it may continue), or
 * undefined: exactly one WAL was replayed (a memtable from several WALs would tie them all to
 * one memtable); its last record is the clean-close marker, so it is whole (appending after a
 * torn tail would make damage followed by valid records, leveldb#1287) and the process that wrote
 * it had no failed fsync (its pages might be gone from the disk while still readable: D7); and
 * the memtable is below its size limit.
 */
function reusableWal(replayed: readonly WalReplayed[], mem: Memtable, options: ResolvedOptions): WalReplayed | undefined {
  const only = replayed.length === 1 ? replayed[0] : undefined;
  if (only === undefined || only.tornTail || !only.closedCleanly) return undefined;
  if (only.bytes >= options.memTableBytes || mem.approximateBytes >= options.memTableBytes) return undefined;
  return only;
}

async function replayWal(
  fs: Fs,
  dir: string,
  number: number,
  mem: Memtable,
  versions: VersionSet,
  valueLog: ValueLog,
  tables: TableCache,
): Promise<WalReplayed> {
  const name = walFileName(number);
  const bytes = await wrapIo(() => fs.readFile(joinPath(dir, name)), `cannot read ${name}`);
  const { records, recordOffsets, tornTail } = readRecords(bytes, name, 'WAL');
  let maxCommitTs = 0;
  let vlogBytes = 0;
  let closedCleanly = false;
  records.forEach((record, i) => {
    const offset = recordOffsets[i] ?? 0;
    const batch = decodeWriteBatch(record, name, offset);
    closedCleanly = isCloseMarker(batch);
    for (const entry of batch.entries) {
      valueLog.checkPointer(entry.kind, entry.value, name, offset);
      if (entry.kind === Kind.VALUE_POINTER) vlogBytes += pointerLength(entry.value);
      const sources = { mem, imm: [], version: versions.current, tables };
      if (rewriteApplies(sources, entry.key, entry.seq, batch.commitTs)) mem.add(entry.key, entry.seq, entry.kind, entry.value);
    }
    maxCommitTs = Math.max(maxCommitTs, batch.commitTs);
  });
  return { number, bytes: bytes.length, tornTail, maxCommitTs, vlogBytes, closedCleanly };
}

/** The length of the vlog value a VALUE_POINTER entry names (checkPointer has validated it). */
function pointerLength(stored: Uint8Array): number {
  const header = decodeValueHeader(stored);
  return header === undefined ? 0 : (decodeValuePointer(stored, header.payloadOffset)?.length ?? 0);
}

function requireSync(fs: Fs): NonNullable<Fs['openReadableSync']> {
  const open = fs.openReadableSync;
  if (open === undefined) throw new Error('unreachable');
  return open.bind(fs);
}

/**
 * An operating-system error (errno-shaped) from anywhere in the open becomes an IoError
 * (regression: io-errors.rel.test.ts found a raw EIO escaping open); anything else, a bug
 * included, propagates unchanged.
 */
async function wrapErrno<T>(run: () => Promise<T>, message: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toIoError(error, message);
  }
}

async function wrapIo<T>(run: () => Promise<T>, message: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof LsmError) throw error;
    throw new IoError(`${message}: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}

/** The file name CURRENT holds (for a message), or a placeholder when it cannot be read. */
async function currentTarget(fs: Fs, dir: string): Promise<string> {
  try {
    return JSON.stringify(fromUtf8(await fs.readFile(joinPath(dir, CURRENT_FILE_NAME))).trim());
  } catch {
    return 'a MANIFEST';
  }
}
