/** Counters the engine keeps for `db.stats()`; plain numbers, updated on the paths they count. */
export class EngineStats {
  commits = 0;
  commitGroups = 0;
  walSyncs = 0;
  walBytesWritten = 0;
  userBytesWritten = 0;
  flushBytesWritten = 0;
  compactionBytesWritten = 0;
  compactionBytesRead = 0;
  vlogBytesWritten = 0;
  trivialMoves = 0;
  writeStalls = 0;
  writeSlowdowns = 0;
  txnTimeouts = 0;
  iteratorsClosedForCaller = 0;
  conflicts = 0;
  compactionsByReason: Record<string, number> = {};

  /** Bytes written to disk per byte the user wrote (WAL + vlog + flush + compaction). */
  writeAmplification(): number {
    if (this.userBytesWritten === 0) return 0;
    const disk = this.walBytesWritten + this.vlogBytesWritten + this.flushBytesWritten + this.compactionBytesWritten;
    return disk / this.userBytesWritten;
  }
}
