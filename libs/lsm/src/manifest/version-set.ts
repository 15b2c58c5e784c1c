/**
 * The VersionSet owns the current Version and the MANIFEST: every change to the set of live
 * files (flush, compaction, value-log GC) is a VersionEdit appended to the MANIFEST and synced
 * before the new Version is installed (RELIABILITY D2). A new MANIFEST is started when the old
 * one grows past a limit: it opens with a snapshot edit, is synced, its directory entry synced,
 * and then CURRENT is swapped atomically (D3); only then is the old MANIFEST deleted.
 *
 * Invariants:
 * - Edits are applied one at a time in the order they were logged (a promise chain).
 * - `lastSeq` in the MANIFEST never exceeds what the WALs and SSTs hold.
 * - A file number is handed out once (`newFileNumber`), and the MANIFEST's nextFileNumber is
 *   always above every number in use before any file with that number is created.
 * - A failed MANIFEST write or sync is fatal for this VersionSet (`failed`): no retry (D7).
 */

import { assert } from '../assert.js';
import { atomicWriteFile } from '../fs/atomic-write.js';
import { CURRENT_FILE_NAME, manifestFileName, parseFileName } from '../fs/filenames.js';
import { joinPath, type Fs } from '../fs/fs.js';
import { CorruptionError } from '../errors.js';
import { fromUtf8, utf8 } from '../codec/bytes.js';
import { applyEdit, snapshotEdit, type VersionEdit, type VersionState } from './version-edit-apply.js';
import { encodeVersionEdit, decodeVersionEdit } from './version-edit.js';
import { readRecords } from '../record/record-reader.js';
import { RecordWriter } from '../record/record-writer.js';
import { Version } from './version.js';

const MANIFEST_ROTATE_BYTES = 4 * 1024 * 1024;

export class VersionSet {
  private readonly fs: Fs;
  private readonly dir: string;
  private state: VersionState;
  private manifest: RecordWriter | undefined;
  private manifestNumber = 0;
  /**
   * The recovered MANIFEST's size when it ends in a whole record (no torn tail): a writable open
   * may append to it instead of writing a new one. Undefined when it must not be continued.
   */
  private recoveredCleanSize: number | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;

  private constructor(fs: Fs, dir: string, state: VersionState) {
    this.fs = fs;
    this.dir = dir;
    this.state = state;
  }

  get current(): Version {
    return this.state.version;
  }
  get lastSeq(): number {
    return this.state.lastSeq;
  }
  get logNumber(): number {
    return this.state.logNumber;
  }
  get vlogFiles(): ReadonlySet<number> {
    return this.state.vlogFiles;
  }
  get discardBytes(): ReadonlyMap<number, number> {
    return this.state.discard;
  }
  /** dead entries newer than this survive compaction (the newest backup's `until`) */
  get keepDeadAfterTs(): number | undefined {
    return this.state.keepDeadAfterTs;
  }
  /** the highest seq of a dead entry compaction has dropped */
  get deadPurgedToTs(): number {
    return this.state.deadPurgedToTs ?? 0;
  }
  get failed(): unknown {
    return this.failure;
  }
  get manifestFileNumber(): number {
    return this.manifestNumber;
  }

  /** The number the next `newFileNumber()` returns. */
  get nextFileNumber(): number {
    return this.state.nextFileNumber;
  }

  /** Hands out a fresh file number. */
  newFileNumber(): number {
    return this.state.nextFileNumber++;
  }

  /** Recovery: no new file may reuse the number of a file already on disk (orphans included). */
  reserveAbove(fileNumber: number): void {
    if (fileNumber >= this.state.nextFileNumber) this.state.nextFileNumber = fileNumber + 1;
  }

  /** Raises lastSeq as WAL replay finds commits (recovery only; persisted by the next edit). */
  noteSeq(seq: number): void {
    if (seq > this.state.lastSeq) this.state.lastSeq = seq;
  }

  /** A brand-new database: MANIFEST-000001 with an empty snapshot, then CURRENT. */
  static async create(fs: Fs, dir: string, numLevels: number): Promise<VersionSet> {
    const state: VersionState = {
      version: Version.empty(numLevels),
      nextFileNumber: 2,
      lastSeq: 0,
      logNumber: 0,
      vlogFiles: new Set(),
      discard: new Map(),
    };
    const set = new VersionSet(fs, dir, state);
    await set.startManifest();
    return set;
  }

  /**
   * Reads CURRENT and replays the MANIFEST it names. Writes nothing: a writable open calls
   * `startWriting()` once everything else it reads has checked out, so that an open failing on a
   * corrupt store leaves every file as it was.
   */
  static async recover(fs: Fs, dir: string, numLevels: number): Promise<VersionSet> {
    const currentPath = joinPath(dir, CURRENT_FILE_NAME);
    const currentText = fromUtf8(await fs.readFile(currentPath));
    if (!currentText.endsWith('\n')) throw new CorruptionError(CURRENT_FILE_NAME, currentText.length, 'CURRENT does not end with a newline');
    const name = currentText.slice(0, -1);
    const parsed = parseFileName(name);
    if (parsed === undefined || parsed.type !== 'manifest') {
      throw new CorruptionError(CURRENT_FILE_NAME, 0, `CURRENT names ${JSON.stringify(name)}, not a MANIFEST`);
    }
    const bytes = await fs.readFile(joinPath(dir, name));
    const { records, recordOffsets, tornTail } = readRecords(bytes, name, 'MANIFEST');
    if (records.length === 0) throw new CorruptionError(name, 0, 'MANIFEST holds no version edit');
    let state: VersionState = {
      version: Version.empty(numLevels),
      nextFileNumber: 2,
      lastSeq: 0,
      logNumber: 0,
      vlogFiles: new Set(),
      discard: new Map(),
    };
    records.forEach((record, i) => {
      const offset = recordOffsets[i] ?? 0;
      state = applyEdit(state, decodeVersionEdit(record, name, offset), name, offset);
    });
    state.version.checkInvariants();
    state.nextFileNumber = Math.max(state.nextFileNumber, parsed.number + 1);
    const set = new VersionSet(fs, dir, state);
    set.manifestNumber = parsed.number;
    set.recoveredCleanSize = tornTail ? undefined : bytes.length;
    return set;
  }

  /**
   * After `recover`, in a writable open: choose the MANIFEST to append to from now on.
   * - The recovered one ends in a whole record and is below the rotation size: it is continued
   *   (opened for appending, nothing written), so an open that changes nothing writes no MANIFEST.
   *   Its last record may not have been synced by the process that wrote it; the next edit's
   *   sync covers it, and the caller syncs the directory once (the CURRENT rename that named it
   *   may not be durable either).
   * - Otherwise (a torn last record: appending would follow damage; or too large) a fresh
   *   MANIFEST with one snapshot edit is written, CURRENT swapped to it and the old one removed.
   * `newerManifestExists`: a MANIFEST numbered above the live one is left by a CURRENT swap that
   * did not happen; only a fresh MANIFEST (numbered above it) lets cleanup remove it.
   * Returns whether a fresh MANIFEST was written.
   */
  async startWriting(newerManifestExists = false): Promise<boolean> {
    const size = this.recoveredCleanSize;
    this.recoveredCleanSize = undefined;
    if (!newerManifestExists && size !== undefined && size <= MANIFEST_ROTATE_BYTES && this.manifest === undefined && this.manifestNumber !== 0) {
      const file = await this.fs.openWritable(joinPath(this.dir, manifestFileName(this.manifestNumber)));
      if (file.size === size) {
        this.manifest = await RecordWriter.create(file, 'MANIFEST');
        return false;
      }
      await file.close(); // changed since it was read: never append blind
    }
    await this.startManifest();
    return true;
  }

  /**
   * Logs `edit` durably, then installs the Version it produces. Serialized: concurrent callers
   * are applied in call order.
   */
  logAndApply(edit: VersionEdit): Promise<Version> {
    const run = async (): Promise<Version> => {
      if (this.failure !== undefined) throw this.failure;
      edit.nextFileNumber = this.state.nextFileNumber;
      if (edit.lastSeq === undefined) edit.lastSeq = this.state.lastSeq;
      const next = applyEdit(this.state, edit, 'edit', 0);
      next.version.checkInvariants();
      // File numbers handed out while the edit is being written live on in the state object
      // that is current now; the installed state must keep the larger counter.
      const install = (): void => {
        next.nextFileNumber = Math.max(next.nextFileNumber, this.state.nextFileNumber);
        this.state = next;
      };
      try {
        const manifest = this.manifest;
        assert(manifest !== undefined, 'manifest open');
        if (manifest.size > MANIFEST_ROTATE_BYTES) {
          install();
          await this.startManifest();
        } else {
          await manifest.addRecords([encodeVersionEdit(edit)]);
          await manifest.sync();
          install();
        }
      } catch (error) {
        this.failure = error;
        throw error;
      }
      return this.state.version;
    };
    const result = this.chain.then(run);
    this.chain = result.then(() => undefined, () => undefined);
    return result;
  }

  /** Writes a new MANIFEST holding one snapshot edit and points CURRENT at it. */
  private async startManifest(): Promise<void> {
    const previous = this.manifest;
    const previousNumber = this.manifestNumber;
    const number = this.newFileNumber();
    const name = manifestFileName(number);
    const file = await this.fs.openWritable(joinPath(this.dir, name), { truncate: true });
    const writer = await RecordWriter.create(file, 'MANIFEST');
    const snapshot = snapshotEdit(this.state);
    snapshot.nextFileNumber = this.state.nextFileNumber;
    await writer.addRecords([encodeVersionEdit(snapshot)]);
    await writer.sync();
    await this.fs.syncDir(this.dir);
    await atomicWriteFile(this.fs, this.dir, CURRENT_FILE_NAME, utf8(`${name}\n`));
    this.manifest = writer;
    this.manifestNumber = number;
    if (previous !== undefined) await previous.close();
    if (previousNumber !== 0 && previousNumber !== number) {
      await this.fs.unlink(joinPath(this.dir, manifestFileName(previousNumber))).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.chain;
    await this.manifest?.close();
    this.manifest = undefined;
  }
}
