// The compaction picker on hand-built Versions: which files it takes, into which level, and when a
// compaction counts as bottommost (its tombstones may then be dropped). Bottommost decides whether
// deleted data can come back, so it gets the most cases here.
import { describe, expect, it } from 'vitest';
import type { FileMeta } from '../manifest/version.js';
import { Version } from '../manifest/version.js';
import { CompactionPicker, DEAD_ENTRY_RATIO, keyRange, levelScores, levelTargetBytes } from './picker.js';

const enc = new TextEncoder();
const options = { l0CompactionTrigger: 4, baseLevelBytes: 1000, levelSizeMultiplier: 10 };
const LEVELS = 7;

let nextNumber = 1;
function file(smallest: string, largest: string, extra: Partial<FileMeta> = {}): FileMeta {
  return {
    number: nextNumber++,
    fileBytes: 100,
    smallestKey: enc.encode(smallest),
    smallestSeq: 1,
    largestKey: enc.encode(largest),
    largestSeq: 1,
    minSeq: 1,
    maxSeq: 1,
    entries: 10,
    deletions: 0,
    ...extra,
  };
}

function version(levels: Record<number, FileMeta[]>): Version {
  const v = new Version(Array.from({ length: LEVELS }, (_, level) => levels[level] ?? []));
  v.checkInvariants();
  return v;
}

const numbers = (files: readonly FileMeta[]): number[] => files.map((f) => f.number);

describe('level scores and targets', () => {
  it('scores L0 by file count, middle levels by bytes over target, and never the bottom', () => {
    const v = version({ 0: [file('a', 'b'), file('c', 'd')].reverse(), 1: [file('a', 'z', { fileBytes: 2500 })], 6: [file('a', 'z', { fileBytes: 1e9 })] });
    const scores = levelScores(v, options);
    expect(scores[0]).toBe(0.5);
    expect(scores[1]).toBe(2.5);
    expect(scores[2]).toBe(0);
    expect(scores[6]).toBe(0);
    expect(levelTargetBytes(options, 1)).toBe(1000);
    expect(levelTargetBytes(options, 3)).toBe(100_000);
  });

  it('keyRange spans every file given', () => {
    const { lower, upper } = keyRange([file('m', 'p'), file('c', 'e'), file('q', 'x')]);
    expect([lower, upper]).toEqual([enc.encode('c'), enc.encode('x')]);
  });
});

describe('pick', () => {
  it('returns nothing when no level is over its target and no file is dead-heavy', () => {
    const v = version({ 0: [file('a', 'b')], 1: [file('a', 'z')] });
    expect(new CompactionPicker(options).pick(v, 100, new Set())).toBeUndefined();
  });

  it('takes every L0 file and the overlapping L1 files once L0 reaches its trigger', () => {
    const l0 = [file('a', 'c'), file('b', 'f'), file('e', 'g'), file('m', 'n')].reverse();
    const inside = file('c', 'd');
    const outside = file('x', 'z');
    const v = version({ 0: l0, 1: [inside, outside] });
    const c = new CompactionPicker(options).pick(v, 100, new Set());
    expect(c?.reason).toBe('l0-files');
    expect(numbers(c?.inputs ?? [])).toEqual(numbers(l0));
    expect(numbers(c?.outputInputs ?? [])).toEqual([inside.number]);
    expect(c?.outputLevel).toBe(1);
    expect(c?.trivialMove).toBe(false);
  });

  it('waits when an L0 file is busy', () => {
    const l0 = [file('a', 'c'), file('b', 'f'), file('e', 'g'), file('m', 'n')].reverse();
    const v = version({ 0: l0 });
    expect(new CompactionPicker(options).pick(v, 100, new Set([l0[1]?.number ?? 0]))).toBeUndefined();
  });

  it('moves a single level file with nothing below it to merge, and round-robins the level', () => {
    const a = file('a', 'c', { fileBytes: 800 });
    const b = file('d', 'f', { fileBytes: 800 });
    const v = version({ 1: [a, b] });
    const picker = new CompactionPicker(options);
    const first = picker.pick(v, 100, new Set());
    expect(first?.reason).toBe('level-size');
    expect(numbers(first?.inputs ?? [])).toEqual([a.number]);
    expect(first?.trivialMove).toBe(true);
    expect(numbers(picker.pick(v, 100, new Set())?.inputs ?? [])).toEqual([b.number]);
    expect(numbers(picker.pick(v, 100, new Set())?.inputs ?? [])).toEqual([a.number]);
  });

  it('rewrites instead of moving when the next level overlaps, and skips busy files', () => {
    const a = file('a', 'c', { fileBytes: 800 });
    const b = file('d', 'f', { fileBytes: 800 });
    const below = file('e', 'e');
    const v = version({ 1: [a, b], 2: [below] });
    const c = new CompactionPicker(options).pick(v, 100, new Set([a.number]));
    expect(numbers(c?.inputs ?? [])).toEqual([b.number]);
    expect(numbers(c?.outputInputs ?? [])).toEqual([below.number]);
    expect(c?.trivialMove).toBe(false);
    expect(new CompactionPicker(options).pick(v, 100, new Set([a.number, below.number]))).toBeUndefined();
  });
});

describe('bottommost', () => {
  it('is false when a deeper level holds a key of the inputs', () => {
    const v = version({ 1: [file('a', 'c', { fileBytes: 2000 })], 6: [file('b', 'b')] });
    expect(new CompactionPicker(options).pick(v, 100, new Set())?.bottommost).toBe(false);
  });

  it('is true when nothing deeper overlaps', () => {
    const v = version({ 1: [file('a', 'c', { fileBytes: 2000 })], 2: [file('a', 'b')], 6: [file('x', 'y')] });
    const c = new CompactionPicker(options).pick(v, 100, new Set());
    expect(c?.bottommost).toBe(true);
  });

  it('regression: covers the output-level files too, not only the inputs (T7 SEED=192890283)', () => {
    // L0 holds a tombstone for k01; L1 holds tombstones for k00..k01; the bottom holds k00. The
    // L0 compaction's inputs (k01) miss the bottom file, but it rewrites the L1 file, whose k00
    // tombstone must stay: dropping it brought the bottom's k00 back.
    const l0 = file('k01', 'k01', { deletions: 1, entries: 1 });
    const l1 = file('k00', 'k01', { deletions: 2, entries: 2 });
    const bottom = file('k00', 'k00');
    const v = version({ 0: [l0], 1: [l1], 6: [bottom] });
    const manual = new CompactionPicker(options).pickManual(v, 0);
    expect(numbers(manual?.outputInputs ?? [])).toEqual([l1.number]);
    expect(manual?.bottommost).toBe(false);
  });
});

describe('pickManual', () => {
  it('takes the whole level into the next one, and the bottom level in place', () => {
    const files = [file('a', 'b'), file('c', 'd')];
    const v = version({ 3: files, 4: [file('b', 'c')], 6: [file('e', 'f')] });
    const picker = new CompactionPicker(options);
    const c = picker.pickManual(v, 3);
    expect(c?.outputLevel).toBe(4);
    expect(c?.outputInputs.length).toBe(1);
    expect(c?.bottommost).toBe(true);
    const bottom = picker.pickManual(v, 6);
    expect(bottom?.outputLevel).toBe(6);
    expect(bottom?.outputInputs).toEqual([]);
    expect(bottom?.bottommost).toBe(true);
    expect(picker.pickManual(v, 2)).toBeUndefined();
  });
});

describe('dead entries', () => {
  const heavy = (s: string, l: string, extra: Partial<FileMeta> = {}): FileMeta =>
    file(s, l, { entries: 100, deletions: Math.ceil(100 * DEAD_ENTRY_RATIO), maxSeq: 50, ...extra });

  it('rewrites a dead-heavy bottom file in place, as bottommost', () => {
    const f = heavy('a', 'c');
    const v = version({ 6: [f] });
    const c = new CompactionPicker(options).pick(v, 100, new Set());
    expect(c?.reason).toBe('dead-entries');
    expect([c?.level, c?.outputLevel, c?.bottommost]).toEqual([6, 6, true]);
  });

  it('pushes a dead-heavy file into the next level when a deeper level overlaps it', () => {
    const f = heavy('a', 'c');
    const next = file('b', 'b');
    const deeper = file('a', 'a');
    const v = version({ 2: [f], 3: [next], 5: [deeper] });
    const c = new CompactionPicker(options).pick(v, 100, new Set());
    expect([c?.level, c?.outputLevel, c?.bottommost]).toEqual([2, 3, false]);
    expect(numbers(c?.outputInputs ?? [])).toEqual([next.number]);
  });

  it('leaves files a snapshot cannot see whole, small files, and files below the ratio', () => {
    const v = version({
      2: [heavy('a', 'b', { maxSeq: 150 }), heavy('c', 'd', { entries: 10, deletions: 10 }), heavy('e', 'f', { deletions: 1 })],
    });
    expect(new CompactionPicker(options).pick(v, 100, new Set())).toBeUndefined();
  });

  it('chooses the file with the highest dead share', () => {
    const low = heavy('a', 'b', { deletions: 40 });
    const high = heavy('c', 'd', { deletions: 90 });
    const v = version({ 6: [low, high] });
    expect(numbers(new CompactionPicker(options).pick(v, 100, new Set())?.inputs ?? [])).toEqual([high.number]);
  });

  it('starts an L0 compaction below the trigger for a bulk-delete L0 file', () => {
    const bulk = heavy('a', 'z');
    const v = version({ 0: [bulk], 1: [file('m', 'n')] });
    const c = new CompactionPicker(options).pick(v, 100, new Set());
    expect([c?.reason, c?.level, c?.outputLevel]).toEqual(['dead-entries', 0, 1]);
  });

  it('skips a dead-heavy file whose output files are busy', () => {
    const f = heavy('a', 'c');
    const next = file('b', 'b');
    const v = version({ 2: [f], 3: [next], 5: [file('a', 'a')] });
    expect(new CompactionPicker(options).pick(v, 100, new Set([next.number]))).toBeUndefined();
  });
});
