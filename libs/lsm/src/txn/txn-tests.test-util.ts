/**
 * Small helpers shared by the transaction tests (anomalies, bank, serializability, group commit):
 * error-code assertions, seeds and sizes from the environment, a macrotask yield.
 */

import { expect } from 'vitest';
import { isLsmError, type ErrorCode } from '../errors.js';

const decoder = new TextDecoder();

/** UTF-8 decode, with `undefined` passed through. */
export function text(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : decoder.decode(bytes);
}

/** Runs `fn` and returns the LsmError code it throws (fails the test when it throws nothing or a non-LsmError). */
export function codeOf(fn: () => unknown): ErrorCode {
  try {
    fn();
  } catch (error) {
    if (isLsmError(error)) return error.code;
    throw error;
  }
  expect.fail('expected an LsmError, but the call returned normally');
}

/** Awaits `promise` and returns the LsmError code it rejects with (fails the test when it resolves). */
export async function rejectionCodeOf(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (isLsmError(error)) return error.code;
    throw error;
  }
  expect.fail('expected an LsmError rejection, but the promise resolved');
}

/** Outcome of a commit, as a string for table-like expectations: 'ok' or the error code. */
export async function commitOutcome(commit: Promise<unknown>): Promise<'ok' | ErrorCode> {
  try {
    await commit;
    return 'ok';
  } catch (error) {
    if (isLsmError(error)) return error.code;
    throw error;
  }
}

/** A non-negative integer from the environment, or `fallback`. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number; got ${raw}`);
  return value;
}

/** The test's seed: `SEED` from the environment, else `fallback` (printed by the caller). */
export function seedFromEnv(fallback: number): number {
  const seed = envInt('SEED', fallback);
  return Math.floor(seed);
}

/** Yields to the event loop (a macrotask), so other async workers and I/O callbacks run. */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
