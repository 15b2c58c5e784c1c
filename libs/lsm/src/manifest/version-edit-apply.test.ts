// Goal: applyEdit refuses edits that cannot apply to the state (a deleted file on a level that
// does not exist or not on its level, a new file on a missing level or added twice), each a
// CorruptionError at the edit's file and offset; discard for a retired vlog is ignored; the
// backup timestamps only move forward and survive snapshotEdit.
import { describe, expect, it } from 'vitest';
import { utf8 } from '../codec/bytes.js';
import { CorruptionError } from '../errors.js';
import { applyEdit, snapshotEdit, type VersionState } from './version-edit-apply.js';
import { Version, type FileMeta } from './version.js';

function meta(number: number, from: string, to: string): FileMeta {
  return {
    number, fileBytes: 1000, smallestKey: utf8(from), smallestSeq: 1, largestKey: utf8(to), largestSeq: 1,
    minSeq: 1, maxSeq: 1, entries: 2, deletions: 0,
  };
}

function empty(): VersionState {
  return { version: Version.empty(3), nextFileNumber: 2, lastSeq: 0, logNumber: 0, vlogFiles: new Set(), discard: new Map() };
}

function refusal(state: VersionState, edit: Parameters<typeof applyEdit>[1]): CorruptionError {
  try {
    applyEdit(state, edit, 'MANIFEST-000005', 321);
  } catch (error) {
    expect(error).toBeInstanceOf(CorruptionError);
    expect(error).toMatchObject({ file: 'MANIFEST-000005', offset: 321 });
    return error as CorruptionError;
  }
  throw new Error('expected a CorruptionError');
}

describe('applyEdit', () => {
  const base = applyEdit(empty(), { newFiles: [{ level: 1, file: meta(7, 'a', 'c') }], vlogAdded: [3, 4] }, 'M', 0);

  it('adds and deletes files', () => {
    expect(base.version.files(1).map((f) => f.number)).toEqual([7]);
    const next = applyEdit(base, { deletedFiles: [{ level: 1, fileNumber: 7 }], newFiles: [{ level: 2, file: meta(8, 'a', 'c') }] }, 'M', 0);
    expect(next.version.files(1)).toEqual([]);
    expect(next.version.files(2).map((f) => f.number)).toEqual([8]);
    expect(base.version.files(1).map((f) => f.number)).toEqual([7]); // the input state is unchanged
  });

  it('refuses deletions and additions that do not fit the state', () => {
    expect(refusal(base, { deletedFiles: [{ level: 5, fileNumber: 7 }] }).reason).toBe('deleted file 7 names level 5');
    expect(refusal(base, { deletedFiles: [{ level: 2, fileNumber: 7 }] }).reason).toBe('deleted file 7 is not in level 2');
    expect(refusal(base, { newFiles: [{ level: 3, file: meta(9, 'x', 'y') }] }).reason).toBe('new file 9 names level 3');
    expect(refusal(base, { newFiles: [{ level: 2, file: meta(7, 'x', 'y') }] }).reason).toBe('file 7 added twice');
  });

  it('counts discard only for live value-log files; retiring a file drops its count', () => {
    const counted = applyEdit(base, { discard: [{ fileNumber: 3, bytes: 100 }, { fileNumber: 99, bytes: 5 }] }, 'M', 0);
    expect([...counted.discard]).toEqual([[3, 100]]);
    const more = applyEdit(counted, { discard: [{ fileNumber: 3, bytes: 50 }] }, 'M', 0);
    expect(more.discard.get(3)).toBe(150);
    const retired = applyEdit(more, { vlogDeleted: [3] }, 'M', 0);
    expect([...retired.vlogFiles]).toEqual([4]);
    expect(retired.discard.size).toBe(0);
  });

  it('counters and backup timestamps only move forward; snapshotEdit rebuilds the state', () => {
    expect(base).not.toHaveProperty('keepDeadAfterTs');
    const a = applyEdit(base, { lastSeq: 50, logNumber: 9, nextFileNumber: 20, keepDeadAfterTs: 40 }, 'M', 0);
    const b = applyEdit(a, { lastSeq: 10, logNumber: 2, nextFileNumber: 5, keepDeadAfterTs: 30, deadPurgedToTs: 12 }, 'M', 0);
    expect(b).toMatchObject({ lastSeq: 50, logNumber: 9, nextFileNumber: 20, keepDeadAfterTs: 40, deadPurgedToTs: 12 });
    expect(applyEdit(b, {}, 'M', 0)).toMatchObject({ keepDeadAfterTs: 40, deadPurgedToTs: 12 }); // an edit without them keeps them
    const rebuilt = applyEdit(empty(), snapshotEdit(b), 'M', 0);
    expect(rebuilt).toMatchObject({ lastSeq: 50, logNumber: 9, nextFileNumber: 20, keepDeadAfterTs: 40, deadPurgedToTs: 12 });
    expect(rebuilt.version.files(1).map((f) => f.number)).toEqual([7]);
    expect(snapshotEdit(base)).not.toHaveProperty('keepDeadAfterTs');
    expect(snapshotEdit(base)).not.toHaveProperty('deadPurgedToTs');
  });
});
