/**
 * Chooses the next compaction (leveled, as LevelDB/Pebble):
 * - L0 scores files / l0CompactionTrigger; a level n >= 1 scores bytes / target(n), with
 *   target(1) = baseLevelBytes and target(n+1) = target(n) x levelSizeMultiplier. The bottom
 *   level has no target. The highest score >= 1 wins.
 * - L0 compactions take every L0 file (they overlap) plus the overlapping L1 files, which keeps
 *   "newer versions live in shallower levels" true for every key.
 * - Ln compactions take one file, round-robin by a per-level pointer, plus the overlapping files
 *   of Ln+1. A single file with nothing below to merge with is moved, not rewritten.
 * - With no level over its target, a file whose share of dead entries (tombstones, shadowed
 *   versions) is high and that every snapshot can see whole is compacted, so deleted data
 *   leaves the disk even from the bottom level (Badger #2329). Compacted in place when no deeper
 *   level overlaps it (then its tombstones can be dropped), else into the next level. Such a
 *   file in L0 (a bulk delete) starts an L0 compaction below the file-count trigger.
 */

import { compareBytes } from '../codec/bytes.js';
import type { FileMeta, Version } from '../manifest/version.js';

export interface PickerOptions {
  l0CompactionTrigger: number;
  baseLevelBytes: number;
  levelSizeMultiplier: number;
}

export type CompactionReason = 'l0-files' | 'level-size' | 'dead-entries' | 'manual';

export interface Compaction {
  reason: CompactionReason;
  level: number;
  outputLevel: number;
  /** files of `level` */
  inputs: FileMeta[];
  /** files of `outputLevel` (empty when outputLevel === level) */
  outputInputs: FileMeta[];
  /** no level deeper than outputLevel holds keys in the inputs' range: tombstones may go */
  bottommost: boolean;
  /** move the single input file down without rewriting it */
  trivialMove: boolean;
}

/** Dead-entry share above which the purge picker rewrites a file. */
export const DEAD_ENTRY_RATIO = 0.3;
/** Files with fewer entries than this are not worth a purge rewrite on their own. */
const DEAD_ENTRY_MIN = 64;

export function levelTargetBytes(options: PickerOptions, level: number): number {
  return options.baseLevelBytes * options.levelSizeMultiplier ** Math.max(0, level - 1);
}

export function levelScores(version: Version, options: PickerOptions): number[] {
  const scores: number[] = [];
  const last = version.numLevels - 1;
  for (let level = 0; level < version.numLevels; level++) {
    if (level === 0) scores.push(version.files(0).length / options.l0CompactionTrigger);
    else if (level === last) scores.push(0);
    else scores.push(version.levelBytes(level) / levelTargetBytes(options, level));
  }
  return scores;
}

export class CompactionPicker {
  private readonly options: PickerOptions;
  /** per level: the largest key of the last file compacted, for round-robin */
  private readonly pointers = new Map<number, Uint8Array>();

  constructor(options: PickerOptions) {
    this.options = options;
  }

  pick(version: Version, oldestSnapshotTs: number, busy: ReadonlySet<number>): Compaction | undefined {
    const scores = levelScores(version, this.options);
    let best = -1;
    let bestScore = 1;
    scores.forEach((score, level) => {
      if (score >= bestScore) {
        best = level;
        bestScore = score;
      }
    });
    if (best === 0) return this.pickL0(version, busy);
    if (best > 0) return this.pickLevel(version, best, busy);
    return this.pickDeadEntries(version, oldestSnapshotTs, busy);
  }

  /** Compaction of the whole key range of `level` into the next (flatten / compactRange). */
  pickManual(version: Version, level: number): Compaction | undefined {
    const inputs = [...version.files(level)];
    if (inputs.length === 0) return undefined;
    const outputLevel = Math.min(level + 1, version.numLevels - 1);
    return this.build(version, 'manual', level, outputLevel, inputs, false);
  }

  private pickL0(version: Version, busy: ReadonlySet<number>): Compaction | undefined {
    const inputs = [...version.files(0)];
    if (inputs.some((file) => busy.has(file.number))) return undefined;
    return this.build(version, 'l0-files', 0, 1, inputs, false);
  }

  private pickLevel(version: Version, level: number, busy: ReadonlySet<number>): Compaction | undefined {
    const files = version.files(level);
    const pointer = this.pointers.get(level);
    let index = pointer === undefined ? 0 : files.findIndex((f) => compareBytes(f.smallestKey, pointer) > 0);
    if (index < 0) index = 0;
    for (let tried = 0; tried < files.length; tried++) {
      const file = files[(index + tried) % files.length] as FileMeta;
      if (busy.has(file.number)) continue;
      const compaction = this.build(version, 'level-size', level, level + 1, [file], true);
      if (compaction.outputInputs.some((f) => busy.has(f.number))) continue;
      this.pointers.set(level, file.largestKey);
      return compaction;
    }
    return undefined;
  }

  private pickDeadEntries(version: Version, oldestSnapshotTs: number, busy: ReadonlySet<number>): Compaction | undefined {
    // An L0 file of mostly tombstones (a bulk delete) would otherwise wait for more L0 files:
    // push L0 down, and the next picks carry the tombstones to where they drop the data.
    const l0 = version.files(0);
    if (l0.some((file) => isDeadHeavy(file, oldestSnapshotTs))) {
      const compaction = this.pickL0(version, busy);
      if (compaction !== undefined) return { ...compaction, reason: 'dead-entries' };
    }
    let chosen: { level: number; file: FileMeta; ratio: number } | undefined;
    for (let level = 1; level < version.numLevels; level++) {
      for (const file of version.files(level)) {
        if (busy.has(file.number) || !isDeadHeavy(file, oldestSnapshotTs)) continue;
        const ratio = file.deletions / file.entries;
        if (chosen === undefined || ratio > chosen.ratio) chosen = { level, file, ratio };
      }
    }
    if (chosen === undefined) return undefined;
    const { level, file } = chosen;
    const deeper = this.overlapsBelow(version, level, file.smallestKey, file.largestKey);
    const outputLevel = deeper && level + 1 < version.numLevels ? level + 1 : level;
    const compaction = this.build(version, 'dead-entries', level, outputLevel, [file], false);
    if (compaction.outputInputs.some((f) => busy.has(f.number))) return undefined;
    return compaction;
  }

  private build(
    version: Version,
    reason: CompactionReason,
    level: number,
    outputLevel: number,
    inputs: FileMeta[],
    allowMove: boolean,
  ): Compaction {
    const { lower, upper } = keyRange(inputs);
    const outputInputs = outputLevel === level ? [] : version.overlapping(outputLevel, lower, upper);
    // Bottommost over every key the output holds: the output-level files can reach beyond the
    // inputs' range, and a tombstone from them dropped while a deeper level still holds an older
    // version of its key would bring that version back (T7 counterexample, SEED=192890283).
    const written = keyRange([...inputs, ...outputInputs]);
    const bottommost = !this.overlapsBelow(version, outputLevel, written.lower, written.upper);
    const trivialMove = allowMove && level > 0 && inputs.length === 1 && outputInputs.length === 0;
    return { reason, level, outputLevel, inputs, outputInputs, bottommost, trivialMove };
  }

  private overlapsBelow(version: Version, level: number, lower: Uint8Array, upper: Uint8Array): boolean {
    for (let deeper = level + 1; deeper < version.numLevels; deeper++) {
      if (version.overlapping(deeper, lower, upper).length > 0) return true;
    }
    return false;
  }
}

/** Worth a purge rewrite: enough entries, a high dead share, and seen whole by every snapshot. */
function isDeadHeavy(file: FileMeta, oldestSnapshotTs: number): boolean {
  return file.entries >= DEAD_ENTRY_MIN && file.maxSeq <= oldestSnapshotTs && file.deletions / file.entries >= DEAD_ENTRY_RATIO;
}

export function keyRange(files: readonly FileMeta[]): { lower: Uint8Array; upper: Uint8Array } {
  let lower = (files[0] as FileMeta).smallestKey;
  let upper = (files[0] as FileMeta).largestKey;
  for (const file of files) {
    if (compareBytes(file.smallestKey, lower) < 0) lower = file.smallestKey;
    if (compareBytes(file.largestKey, upper) > 0) upper = file.largestKey;
  }
  return { lower, upper };
}
