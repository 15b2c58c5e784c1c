/**
 * An internal scan for backups: the newest version at or below `readTs` of every user key,
 * tombstones INCLUDED (the user-facing DbIterator hides them), in ascending key order.
 *
 * With `afterSeq` > 0 (incremental backups) only sources that can hold a version newer than
 * `afterSeq` are read: every memtable, and the tables whose maxSeq > afterSeq. That is exact for
 * the question the caller asks ("which keys have a newest version in (afterSeq, readTs]?"): a
 * skipped table holds only versions <= afterSeq, so whenever the filtered merge finds a version
 * in (afterSeq, readTs] for a key, no skipped source can hold a newer one at or below readTs.
 * Versions the filtered merge reports at or below afterSeq may not be the key's newest; callers
 * must drop them (`scan.next()` already does).
 *
 * The scan pins the Version it reads (compaction cannot delete its tables) until `close()`. The
 * caller holds a snapshot at `readTs` (a read-only transaction), so compaction keeps every
 * version the scan needs. Not safe across engine close: check `engine.checkOpen` between steps.
 */

import { compareBytes } from '../codec/bytes.js';
import { LevelIterator } from '../iterator/level-iterator.js';
import { MergingIterator } from '../iterator/merging-iterator.js';
import type { InternalIterator } from '../iterator/internal-iterator.js';
import type { Kind } from '../keys/internal-key.js';
import type { FileMeta } from '../manifest/version.js';
import type { Engine } from './engine.js';

export interface NewestVersion {
  /** copies: stay valid after the next step */
  key: Uint8Array;
  seq: number;
  kind: Kind;
  /** the stored value (keys/value-format.ts); empty for DELETE */
  stored: Uint8Array;
}

export class NewestVersionScan implements Disposable {
  private readonly merged: MergingIterator;
  private readonly release: () => void;
  private readonly readTs: number;
  private readonly afterSeq: number;
  private lastKey: Uint8Array | undefined;
  private started = false;
  private closed = false;
  /** internal versions stepped over so far (for the caller's yield pacing) */
  stepped = 0;
  /** tables read (after the afterSeq filter) and skipped */
  readonly tablesRead: number;
  readonly tablesSkipped: number;

  constructor(engine: Engine, readTs: number, afterSeq = 0) {
    this.readTs = readTs;
    this.afterSeq = afterSeq;
    const version = engine.versions.current;
    engine.pin(version);
    let released = false;
    this.release = () => {
      if (released) return;
      released = true;
      engine.unpin(version);
    };
    const iterators: InternalIterator[] = [engine.mem.newIterator()];
    for (let i = engine.imm.length - 1; i >= 0; i--) {
      const memtable = engine.imm[i];
      if (memtable !== undefined) iterators.push(memtable.newIterator());
    }
    let read = 0;
    let skipped = 0;
    const wanted = (file: FileMeta): boolean => {
      const keep = file.maxSeq > afterSeq && file.minSeq <= readTs;
      if (keep) read++;
      else skipped++;
      return keep;
    };
    try {
      for (const file of version.files(0)) if (wanted(file)) iterators.push(engine.tables.newIterator(file.number));
      for (let level = 1; level < version.numLevels; level++) {
        const files = version.files(level).filter(wanted);
        if (files.length === 0) continue;
        iterators.push(
          new LevelIterator(
            files.map((f) => ({ smallest: f.smallestKey, largest: f.largestKey })),
            (index) => engine.tables.newIterator((files[index] as FileMeta).number),
          ),
        );
      }
    } catch (error) {
      for (const iterator of iterators) iterator.close();
      this.release();
      throw error;
    }
    this.tablesRead = read;
    this.tablesSkipped = skipped;
    this.merged = new MergingIterator(iterators);
  }

  /** The next key's newest version in (afterSeq, readTs], or undefined at the end. */
  next(): NewestVersion | undefined {
    if (this.closed) return undefined;
    const it = this.merged;
    if (!this.started) {
      this.started = true;
      it.seekToFirst();
    }
    while (it.valid()) {
      this.stepped++;
      const key = it.key();
      if (this.lastKey !== undefined && compareBytes(key, this.lastKey) === 0) {
        it.next();
        continue;
      }
      const seq = it.seq();
      if (seq > this.readTs) {
        it.next();
        continue;
      }
      // The newest version of `key` at or below readTs: the key is settled either way.
      this.lastKey = key.slice();
      const found: NewestVersion = { key: this.lastKey, seq, kind: it.kind(), stored: it.value().slice() };
      it.next();
      if (seq > this.afterSeq) return found;
    }
    return undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.merged.close();
    } finally {
      this.release();
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
