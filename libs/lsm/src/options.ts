/**
 * Options for `openDb`, with units in their names, their defaults, and validation at open
 * (a typed INVALID_ARGUMENT naming the option). Defaults are chosen for a 2-core machine with a
 * few GiB to spare and a peak RSS well under 400 MiB (see DESIGN.md "Memory bound"):
 *   memtables (memTableBytes x (1 + maxImmutableMemtables)) + blockCacheBytes + per-table constant.
 */

import type { Fs } from './fs/fs.js';
import { InvalidArgumentError } from './errors.js';

export interface DbOptions {
  /** Database directory; created when missing. Required unless `inMemory`. */
  dir?: string;
  /** fsync the WAL (and vlog) before a commit resolves. Default true. */
  syncWrites?: boolean;
  /** Bytes a memtable holds before it is frozen and flushed to L0. Default 32 MiB. */
  memTableBytes?: number;
  /** Frozen memtables waiting for flush before writers wait. Default 2. */
  maxImmutableMemtables?: number;
  /** Target size of one SST (Badger's MaxTableSize). Default 4 MiB. */
  baseTableBytes?: number;
  /** Target total size of L1; each further level is `levelSizeMultiplier` times larger. Default 32 MiB. */
  baseLevelBytes?: number;
  levelSizeMultiplier?: number;
  /** Number of levels, L0 included. Default 7. */
  numLevels?: number;
  /** L0 file count that triggers compaction (4), slows writers (8) and stops them (12). */
  l0CompactionTrigger?: number;
  l0SlowdownTrigger?: number;
  l0StopTrigger?: number;
  /** Values of at least this many bytes go to the value log. Default 1 KiB (DESIGN.md). */
  valueThresholdBytes?: number;
  /** Size at which the active value-log file is rotated (ValueLogFileSize). Default 128 MiB. */
  valueLogFileBytes?: number;
  /** Bytes of data, index and filter blocks (and decoded indexes) kept in the block cache. Default 128 MiB (DESIGN.md "Performance"). */
  blockCacheBytes?: number;
  /** Open table files kept at once; bounds file descriptors. Default 256. */
  maxOpenTables?: number;
  /** Uncompressed bytes per data block. Default 4 KiB. */
  blockBytes?: number;
  bloomBitsPerKey?: number;
  /** Versions of a key kept beyond what live snapshots need. Default 1. */
  numVersionsToKeep?: number;
  compression?: 'none';
  maxKeyBytes?: number;
  maxValueBytes?: number;
  /** Transaction limits: entries and bytes of pending writes. */
  maxTxnEntries?: number;
  maxTxnBytes?: number;
  /** A transaction open longer than this fails its next operation with TXN_TIMEOUT. Default 60 s. */
  txnTimeoutMs?: number;
  /** Wait up to this long for another process's LOCK. Default 0 (fail at once). */
  lockTimeoutMs?: number;
  readOnly?: boolean;
  /** Keep everything in memory (a MemFs); nothing touches the disk. */
  inMemory?: boolean;
  /** Run value-log GC in the background. Default true. */
  autoValueLogGc?: boolean;
  /** File system; defaults to the Node file system (tests inject MemFs/FaultFs). */
  fs?: Fs;
  /** Clock for TTL (epoch ms). Tests inject one. */
  nowMs?: () => number;
  /** Seed for internal randomness (skiplist heights, backoff jitter). */
  seed?: number;
}

export interface ResolvedOptions {
  dir: string;
  syncWrites: boolean;
  memTableBytes: number;
  maxImmutableMemtables: number;
  baseTableBytes: number;
  baseLevelBytes: number;
  levelSizeMultiplier: number;
  numLevels: number;
  l0CompactionTrigger: number;
  l0SlowdownTrigger: number;
  l0StopTrigger: number;
  valueThresholdBytes: number;
  valueLogFileBytes: number;
  blockCacheBytes: number;
  maxOpenTables: number;
  blockBytes: number;
  bloomBitsPerKey: number;
  numVersionsToKeep: number;
  compression: 'none';
  maxKeyBytes: number;
  maxValueBytes: number;
  maxTxnEntries: number;
  maxTxnBytes: number;
  txnTimeoutMs: number;
  lockTimeoutMs: number;
  readOnly: boolean;
  inMemory: boolean;
  autoValueLogGc: boolean;
  nowMs: () => number;
  seed: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

export const DEFAULTS = {
  syncWrites: true,
  memTableBytes: 32 * MiB,
  maxImmutableMemtables: 2,
  baseTableBytes: 4 * MiB,
  baseLevelBytes: 32 * MiB,
  levelSizeMultiplier: 10,
  numLevels: 7,
  l0CompactionTrigger: 4,
  l0SlowdownTrigger: 8,
  l0StopTrigger: 12,
  valueThresholdBytes: 1 * KiB,
  valueLogFileBytes: 128 * MiB,
  blockCacheBytes: 128 * MiB,
  maxOpenTables: 256,
  blockBytes: 4 * KiB,
  bloomBitsPerKey: 10,
  numVersionsToKeep: 1,
  maxKeyBytes: 65_000,
  maxValueBytes: 64 * MiB,
  maxTxnEntries: 100_000,
  maxTxnBytes: 64 * MiB,
  txnTimeoutMs: 60_000,
  lockTimeoutMs: 0,
} as const;

type NumericOption = Exclude<
  keyof ResolvedOptions,
  'dir' | 'syncWrites' | 'compression' | 'readOnly' | 'inMemory' | 'autoValueLogGc' | 'nowMs' | 'seed'
>;

const RANGES: Record<NumericOption, readonly [min: number, max: number]> = {
  memTableBytes: [4 * KiB, 2048 * MiB],
  maxImmutableMemtables: [1, 16],
  baseTableBytes: [4 * KiB, 1024 * MiB],
  baseLevelBytes: [4 * KiB, 2 ** 40],
  levelSizeMultiplier: [2, 100],
  numLevels: [2, 12],
  l0CompactionTrigger: [1, 1000],
  l0SlowdownTrigger: [1, 1000],
  l0StopTrigger: [1, 1000],
  valueThresholdBytes: [1, 64 * MiB],
  valueLogFileBytes: [64 * KiB, 2048 * MiB],
  blockCacheBytes: [0, 2 ** 40],
  maxOpenTables: [8, 1_000_000],
  blockBytes: [256, 4 * MiB],
  bloomBitsPerKey: [0, 64],
  numVersionsToKeep: [1, 1_000_000],
  maxKeyBytes: [1, 1 * MiB],
  maxValueBytes: [1, 1024 * MiB],
  maxTxnEntries: [1, 100_000_000],
  maxTxnBytes: [1 * KiB, 4096 * MiB],
  txnTimeoutMs: [1, 2 ** 31 - 1],
  lockTimeoutMs: [0, 2 ** 31 - 1],
};

function checkNumber(name: NumericOption, value: unknown): number {
  const [min, max] = RANGES[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`option ${name} must be an integer from ${min} to ${max}; got ${String(value)}`);
  }
  return value;
}

function checkBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(`option ${name} must be a boolean`);
  return value;
}

const KNOWN = new Set<string>([
  ...Object.keys(RANGES),
  'dir', 'syncWrites', 'compression', 'readOnly', 'inMemory', 'autoValueLogGc', 'fs', 'nowMs', 'seed',
]);

/** Validates `options` and fills in defaults. Throws InvalidArgumentError naming the option. */
export function resolveOptions(options: DbOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new InvalidArgumentError(`unknown option ${key}`);
  }
  const inMemory = checkBoolean('inMemory', options.inMemory, false);
  const dir = options.dir ?? (inMemory ? '/memory' : undefined);
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new InvalidArgumentError('option dir must be a non-empty path (or set inMemory: true)');
  }
  const numeric = {} as Record<NumericOption, number>;
  for (const name of Object.keys(RANGES) as NumericOption[]) {
    numeric[name] = checkNumber(name, options[name] ?? DEFAULTS[name]);
  }
  if (!(numeric.l0CompactionTrigger <= numeric.l0SlowdownTrigger && numeric.l0SlowdownTrigger <= numeric.l0StopTrigger)) {
    throw new InvalidArgumentError('options must satisfy l0CompactionTrigger <= l0SlowdownTrigger <= l0StopTrigger');
  }
  if (options.compression !== undefined && options.compression !== 'none') {
    throw new InvalidArgumentError(`option compression must be 'none'; got ${String(options.compression)}`);
  }
  if (options.nowMs !== undefined && typeof options.nowMs !== 'function') {
    throw new InvalidArgumentError('option nowMs must be a function');
  }
  const seed = options.seed ?? 0x5eed;
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError('option seed must be an integer');
  return {
    ...numeric,
    dir,
    syncWrites: checkBoolean('syncWrites', options.syncWrites, DEFAULTS.syncWrites),
    compression: 'none',
    readOnly: checkBoolean('readOnly', options.readOnly, false),
    inMemory,
    autoValueLogGc: checkBoolean('autoValueLogGc', options.autoValueLogGc, true),
    nowMs: options.nowMs ?? Date.now,
    seed,
  };
}
