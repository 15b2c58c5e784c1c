/** `db.stats()`: a snapshot of the engine's shape and counters (README "Stats"). */

import type { Engine } from './engine.js';

export interface LevelStats {
  level: number;
  tables: number;
  bytes: number;
}

export interface DbStats {
  levels: LevelStats[];
  vlog: { files: number; bytes: number; garbageBytes: Record<string, number> };
  memtableBytes: number;
  immutableMemtables: number;
  /** bytes of keys and values the user committed */
  userBytesWritten: number;
  /** bytes written to WAL, vlog and SSTs (flush and compaction) */
  diskBytesWritten: number;
  writeAmplification: number;
  /** live bytes on disk (tables + vlog) per byte of live user data, when known */
  spaceAmplification: number;
  blockCache: { bytes: number; capacityBytes: number; hits: number; misses: number; hitRate: number };
  openTables: number;
  commits: number;
  commitGroups: number;
  walSyncs: number;
  conflicts: number;
  writeStalls: number;
  writeSlowdowns: number;
  txnTimeouts: number;
  iteratorsClosedForCaller: number;
  openSnapshots: number;
  flushes: number;
  compactions: number;
  compactionsByReason: Record<string, number>;
  lastSeq: number;
}

export function collectStats(engine: Engine): DbStats {
  const version = engine.versions.current;
  const levels: LevelStats[] = version.levels.map((files, level) => ({
    level,
    tables: files.length,
    bytes: files.reduce((n, f) => n + f.fileBytes, 0),
  }));
  const s = engine.stats;
  const diskBytesWritten = s.walBytesWritten + s.vlogBytesWritten + s.flushBytesWritten + s.compactionBytesWritten;
  const cache = engine.blockCache.stats();
  const lookups = cache.hits + cache.misses;
  const vlog = engine.valueLog.stats(engine.versions.discardBytes);
  const tableBytes = levels.reduce((n, l) => n + l.bytes, 0);
  const liveEstimate = tableBytes + vlog.bytes - Object.values(vlog.garbageBytes).reduce((a, b) => a + b, 0);
  return {
    levels,
    vlog,
    memtableBytes: engine.mem.approximateBytes,
    immutableMemtables: engine.imm.length,
    userBytesWritten: s.userBytesWritten,
    diskBytesWritten,
    writeAmplification: s.writeAmplification(),
    spaceAmplification: liveEstimate > 0 ? (tableBytes + vlog.bytes) / liveEstimate : 0,
    blockCache: {
      bytes: cache.usedBytes,
      capacityBytes: cache.capacityBytes,
      hits: cache.hits,
      misses: cache.misses,
      hitRate: lookups === 0 ? 0 : cache.hits / lookups,
    },
    openTables: engine.tables.openTables,
    commits: s.commits,
    commitGroups: s.commitGroups,
    walSyncs: s.walSyncs,
    conflicts: engine.oracle.conflicts,
    writeStalls: s.writeStalls,
    writeSlowdowns: s.writeSlowdowns,
    txnTimeouts: s.txnTimeouts,
    iteratorsClosedForCaller: s.iteratorsClosedForCaller,
    openSnapshots: engine.oracle.openSnapshots(),
    flushes: engine.background.flushes,
    compactions: engine.background.compactions,
    compactionsByReason: { ...s.compactionsByReason },
    lastSeq: engine.oracle.lastTs(),
  };
}
