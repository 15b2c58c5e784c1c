/**
 * The iterator every internal source implements (memtable, block, table, level, merge): a
 * cursor over versions in internal-key order (user key ascending, seq descending). All methods
 * are synchronous: reads go through the synchronous side of the Fs interface and the block cache.
 *
 * Invariants:
 * - key()/seq()/kind()/value() may be called only while valid().
 * - Returned byte arrays stay valid and unchanged until the next positioning call; callers copy
 *   what they keep longer.
 * - A read that finds bad bytes throws CorruptionError (file and offset); never returns them.
 */

import type { Kind } from '../keys/internal-key.js';

export interface InternalIterator {
  /** First version at or after (userKey, seq) in internal order; seq defaults to MAX_SEQ. */
  seek(userKey: Uint8Array, seq?: number): void;
  /**
   * Last version at or before (userKey, seq, kind 0) in internal order; seq defaults to 0, so
   * every version of userKey is at or before the target. With seq = MAX_SEQ this lands on the
   * last version of the greatest user key strictly below userKey.
   */
  seekForPrev(userKey: Uint8Array, seq?: number): void;
  seekToFirst(): void;
  seekToLast(): void;
  next(): void;
  prev(): void;
  valid(): boolean;
  key(): Uint8Array;
  seq(): number;
  kind(): Kind;
  /** The stored value (keys/value-format.ts); empty for DELETE. */
  value(): Uint8Array;
  close(): void;
}
