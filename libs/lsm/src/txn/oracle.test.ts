// Goal: the oracle's conflict rule: reads and scanned ranges against writes committed after the
// read timestamp; write-only commits never conflict; history is kept for late starters.
import { describe, expect, it } from 'vitest';
import { utf8 } from '../codec/bytes.js';
import { keyFingerprint, Oracle, type ReadSet } from './oracle.js';

function reads(keys: string[], ranges: [string, string | undefined][] = []): ReadSet {
  return {
    keys: new Set(keys.map((k) => keyFingerprint(utf8(k)))),
    ranges: ranges.map(([start, end]) => ({ start: utf8(start), end: end === undefined ? undefined : utf8(end) })),
  };
}

describe('oracle', () => {
  it('detects a write to a point-read key committed after the read timestamp', () => {
    const oracle = new Oracle(10);
    const readTs = oracle.begin(true);
    const other = oracle.tryCommit(oracle.begin(true), reads([]), [utf8('a')]);
    expect(other).toBe(11);
    oracle.markApplied(11);
    expect(oracle.tryCommit(readTs, reads(['a']), [utf8('b')])).toBeUndefined();
    expect(oracle.conflicts).toBe(1);
    expect(oracle.tryCommit(readTs, reads(['c']), [utf8('b')])).toBe(12);
  });

  it('detects an insert into a scanned range (phantom) but not outside it', () => {
    const oracle = new Oracle(0);
    const readTs = oracle.begin(true);
    oracle.tryCommit(undefined, undefined, [utf8('user:1:ev:5')]);
    oracle.markApplied(1);
    expect(oracle.tryCommit(readTs, reads([], [['user:1:', 'user:1;']]), [utf8('x')])).toBeUndefined();
    expect(oracle.tryCommit(readTs, reads([], [['user:2:', 'user:2;']]), [utf8('x')])).toBe(2);
    expect(oracle.tryCommit(readTs, reads([], [['user:1:ev:6', 'user:1:ev:9']]), [utf8('x')])).toBe(3);
  });

  it('never fails write-only commits and ignores commits at or before the read timestamp', () => {
    const oracle = new Oracle(0);
    oracle.tryCommit(undefined, undefined, [utf8('a')]);
    oracle.markApplied(1);
    const readTs = oracle.begin(true);
    expect(readTs).toBe(1);
    expect(oracle.tryCommit(readTs, reads(['a']), [utf8('a')])).toBe(2);
    expect(oracle.tryCommit(readTs, reads([]), [utf8('a')])).toBe(3);
  });

  it('keeps history for a transaction that began before a pending commit was applied', () => {
    const oracle = new Oracle(0);
    const ts = oracle.tryCommit(undefined, undefined, [utf8('k')]);
    expect(ts).toBe(1);
    const readTs = oracle.begin(true); // commit 1 not yet applied: reads below it
    expect(readTs).toBe(0);
    oracle.markApplied(1);
    expect(oracle.tryCommit(readTs, reads(['k']), [utf8('z')])).toBeUndefined();
  });

  it('prunes history once no open reader needs it and tracks the oldest snapshot', () => {
    const oracle = new Oracle(0);
    const view = oracle.begin(false);
    for (let i = 1; i <= 5; i++) {
      oracle.tryCommit(undefined, undefined, [utf8(`k${i}`)]);
      oracle.markApplied(i);
    }
    expect(oracle.pendingHistory()).toBe(0);
    expect(oracle.oldestSnapshotTs()).toBe(view);
    expect(oracle.openSnapshots()).toBe(1);
    oracle.end(view, false);
    expect(oracle.oldestSnapshotTs()).toBe(5);
    const reader = oracle.begin(true);
    oracle.tryCommit(undefined, undefined, [utf8('x')]);
    oracle.markApplied(6);
    expect(oracle.pendingHistory()).toBe(1);
    oracle.end(reader, true);
    expect(oracle.pendingHistory()).toBe(0);
    expect(() => oracle.end(reader, true)).toThrow(/released twice/);
  });
});
