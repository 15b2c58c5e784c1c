/**
 * An immutable Version: which SST files are live in which level. Every change makes a new
 * Version from the old one plus a VersionEdit (version-set.ts). Readers hold a reference to the
 * Version they started with, so compaction never deletes a file a reader may still open.
 *
 * Invariants (checkInvariants, run on every new Version):
 * - L0 files are ordered newest first: by descending file number, which is flush order (only
 *   flushes write L0, one at a time). Not by maxSeq: a flush of value-log GC rewrites holds old
 *   seqs, yet its versions shadow the same (key, seq) in older files. They may overlap.
 * - In every level >= 1, files are sorted by smallest user key and their user-key ranges do not
 *   overlap (a user key lives in at most one file per level).
 * - smallest <= largest in every file; file numbers are unique across the version.
 */

import { assert } from '../assert.js';
import { compareBytes } from '../codec/bytes.js';

export interface FileMeta {
  readonly number: number;
  readonly fileBytes: number;
  /** smallest and largest user keys in the file, with the seq of those versions */
  readonly smallestKey: Uint8Array;
  readonly smallestSeq: number;
  readonly largestKey: Uint8Array;
  readonly largestSeq: number;
  readonly minSeq: number;
  readonly maxSeq: number;
  readonly entries: number;
  /** tombstones plus versions known to be shadowed; drives the tombstone-purge picker */
  readonly deletions: number;
}

export class Version {
  readonly levels: readonly (readonly FileMeta[])[];
  private refs = 0;

  constructor(levels: readonly (readonly FileMeta[])[]) {
    this.levels = levels;
  }

  static empty(numLevels: number): Version {
    return new Version(Array.from({ length: numLevels }, () => []));
  }

  get numLevels(): number {
    return this.levels.length;
  }

  files(level: number): readonly FileMeta[] {
    const files = this.levels[level];
    assert(files !== undefined, `level ${level} exists`);
    return files;
  }

  levelBytes(level: number): number {
    let total = 0;
    for (const file of this.files(level)) total += file.fileBytes;
    return total;
  }

  totalFiles(): number {
    let total = 0;
    for (const files of this.levels) total += files.length;
    return total;
  }

  allFiles(): FileMeta[] {
    return this.levels.flat();
  }

  ref(): void {
    this.refs++;
  }

  /** Returns true when this was the last reference. */
  unref(): boolean {
    assert(this.refs > 0, 'version unref without ref');
    this.refs--;
    return this.refs === 0;
  }

  get referenced(): boolean {
    return this.refs > 0;
  }

  /** Index of the file in sorted level >= 1 that may hold `key`, or -1. */
  findFile(level: number, key: Uint8Array): number {
    assert(level > 0, 'findFile is for sorted levels');
    const files = this.files(level);
    let low = 0;
    let high = files.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareBytes((files[mid] as FileMeta).largestKey, key) < 0) low = mid + 1;
      else high = mid;
    }
    if (low >= files.length) return -1;
    return compareBytes((files[low] as FileMeta).smallestKey, key) <= 0 ? low : -1;
  }

  /** Files of `level` whose user-key range intersects [lower, upper] (both inclusive; undefined = open). */
  overlapping(level: number, lower: Uint8Array | undefined, upper: Uint8Array | undefined): FileMeta[] {
    const out: FileMeta[] = [];
    for (const file of this.files(level)) {
      if (upper !== undefined && compareBytes(file.smallestKey, upper) > 0) continue;
      if (lower !== undefined && compareBytes(file.largestKey, lower) < 0) continue;
      out.push(file);
    }
    return out;
  }

  checkInvariants(): void {
    const seen = new Set<number>();
    this.levels.forEach((files, level) => {
      files.forEach((file, i) => {
        assert(!seen.has(file.number), `file ${file.number} appears once`);
        seen.add(file.number);
        assert(compareBytes(file.smallestKey, file.largestKey) <= 0, `file ${file.number}: smallest <= largest`);
        assert(file.minSeq <= file.maxSeq, `file ${file.number}: minSeq <= maxSeq`);
        if (i === 0) return;
        const previous = files[i - 1] as FileMeta;
        if (level === 0) {
          assert(previous.number > file.number, `L0 newest first (${previous.number}, ${file.number})`);
        } else {
          assert(
            compareBytes(previous.largestKey, file.smallestKey) < 0,
            `L${level} files ${previous.number} and ${file.number} do not overlap`,
          );
        }
      });
    });
  }
}

export function sortLevel(level: number, files: FileMeta[]): FileMeta[] {
  if (level === 0) return files.sort((a, b) => b.number - a.number);
  return files.sort((a, b) => compareBytes(a.smallestKey, b.smallestKey));
}
