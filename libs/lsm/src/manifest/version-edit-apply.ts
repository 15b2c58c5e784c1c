/**
 * Applying a VersionEdit to the version state (pure): the Version's files per level, the next
 * file number, the last sequence, the oldest live WAL and the value-log bookkeeping.
 *
 * Invariants checked while applying (a MANIFEST that breaks them is corrupt):
 * - a deleted file exists in the level the edit names; an added file is not already live;
 * - nextFileNumber and lastSeq never move backwards;
 * - every level stays ordered (Version.checkInvariants runs on the result).
 */

import { CorruptionError } from '../errors.js';
import type { VersionEdit } from './version-edit.js';
import { sortLevel, Version, type FileMeta } from './version.js';

export type { VersionEdit } from './version-edit.js';

export interface VersionState {
  version: Version;
  nextFileNumber: number;
  lastSeq: number;
  /** WAL files numbered below this hold nothing that is not in an SST */
  logNumber: number;
  vlogFiles: Set<number>;
  /** garbage bytes per vlog file, fed by compaction, read by value-log GC */
  discard: Map<number, number>;
  /**
   * The newest backup's `until` (undefined: no backup was ever taken): compaction keeps dead
   * entries (tombstones, expired values) with a higher seq, so the next incremental backup
   * (`since` = this) carries every deletion (docs/backup.md "Deletions").
   */
  keepDeadAfterTs?: number;
  /** the highest seq of a dead entry compaction has dropped; absent when none */
  deadPurgedToTs?: number;
}

export function applyEdit(state: VersionState, edit: VersionEdit, fileName: string, offset: number): VersionState {
  const fail = (reason: string): never => {
    throw new CorruptionError(fileName, offset, reason);
  };
  const levels = state.version.levels.map((files) => [...files]);
  for (const { level, fileNumber } of edit.deletedFiles ?? []) {
    const files = levels[level] ?? fail(`deleted file ${fileNumber} names level ${level}`);
    const index = files.findIndex((file) => file.number === fileNumber);
    if (index < 0) fail(`deleted file ${fileNumber} is not in level ${level}`);
    files.splice(index, 1);
  }
  for (const { level, file } of edit.newFiles ?? []) {
    const files = levels[level] ?? fail(`new file ${file.number} names level ${level}`);
    if (levels.some((l) => l.some((f) => f.number === file.number))) fail(`file ${file.number} added twice`);
    files.push(file as FileMeta);
  }
  levels.forEach((files, level) => sortLevel(level, files));
  const vlogFiles = new Set(state.vlogFiles);
  const discard = new Map(state.discard);
  for (const number of edit.vlogAdded ?? []) vlogFiles.add(number);
  for (const number of edit.vlogDeleted ?? []) {
    vlogFiles.delete(number);
    discard.delete(number);
  }
  for (const { fileNumber, bytes } of edit.discard ?? []) {
    if (vlogFiles.has(fileNumber)) discard.set(fileNumber, (discard.get(fileNumber) ?? 0) + bytes);
  }
  return {
    version: new Version(levels),
    nextFileNumber: Math.max(state.nextFileNumber, edit.nextFileNumber ?? 0),
    lastSeq: Math.max(state.lastSeq, edit.lastSeq ?? 0),
    logNumber: Math.max(state.logNumber, edit.logNumber ?? 0),
    vlogFiles,
    discard,
    ...maxField('keepDeadAfterTs', state.keepDeadAfterTs, edit.keepDeadAfterTs),
    ...maxField('deadPurgedToTs', state.deadPurgedToTs, edit.deadPurgedToTs),
  };
}

/** One edit that rebuilds `state` from nothing: the first record of every MANIFEST. */
export function snapshotEdit(state: VersionState): VersionEdit {
  return {
    logNumber: state.logNumber,
    nextFileNumber: state.nextFileNumber,
    lastSeq: state.lastSeq,
    newFiles: state.version.levels.flatMap((files, level) => files.map((file) => ({ level, file }))),
    vlogAdded: [...state.vlogFiles],
    discard: [...state.discard].map(([fileNumber, bytes]) => ({ fileNumber, bytes })),
    ...(state.keepDeadAfterTs === undefined ? {} : { keepDeadAfterTs: state.keepDeadAfterTs }),
    ...(state.deadPurgedToTs === undefined ? {} : { deadPurgedToTs: state.deadPurgedToTs }),
  };
}

/** A timestamp field that only moves forward; absent until an edit first sets it. */
function maxField<K extends string>(name: K, before: number | undefined, edit: number | undefined): Partial<Record<K, number>> {
  if (before === undefined && edit === undefined) return {};
  return { [name]: Math.max(before ?? 0, edit ?? 0) } as Partial<Record<K, number>>;
}
