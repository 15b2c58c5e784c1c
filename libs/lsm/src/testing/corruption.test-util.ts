/**
 * Assertions shared by the corruption tests: a decoder call that must throw CorruptionError, and
 * an open that must fail with CorruptionError while changing no file (D4: a failed open writes
 * nothing).
 */
import { expect } from 'vitest';
import { openDb } from '../db.js';
import { CorruptionError } from '../errors.js';
import type { MemFs } from './mem-fs.js';

/** Runs `fn` and returns the CorruptionError it throws (fails the test otherwise). */
export function corruption(fn: () => unknown): CorruptionError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CorruptionError);
    return error as CorruptionError;
  }
  throw new Error('expected a CorruptionError');
}

/** Opens `dir` on `fs`, expects CorruptionError, and checks every file but LOCK is unchanged. */
export async function openFailure(fs: MemFs, dir: string): Promise<CorruptionError> {
  const before = fs.dump();
  const error = await openDb({ fs, dir }).then(
    async (db) => {
      await db.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CorruptionError);
  const after = fs.dump();
  for (const [path, bytes] of before) if (!path.endsWith('LOCK')) expect(after.get(path), path).toEqual(bytes);
  return error as CorruptionError;
}
