/**
 * Engine errors seen through abstract-level: the codes abstract-level documents get their LEVEL_*
 * name, with the engine's error as `cause`; every other engine error passes through unchanged
 * (its `code` is one of @progress/lsm's stable codes, e.g. TXN_TOO_BIG).
 */

import { isLsmError, type ErrorCode } from '../errors.js';

/** An error with a LEVEL_* code, shaped like abstract-level's own (module-error). */
export class LevelError extends Error {
  readonly code: string;
  constructor(message: string, code: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.name = 'LevelError';
  }
}

const LEVEL_CODES: Partial<Record<ErrorCode, string>> = {
  CORRUPTION: 'LEVEL_CORRUPTION',
  IO_ERROR: 'LEVEL_IO_ERROR',
  LOCKED: 'LEVEL_LOCKED',
  READ_ONLY: 'LEVEL_READONLY',
  EMPTY_KEY: 'LEVEL_INVALID_KEY',
  KEY_TOO_LARGE: 'LEVEL_INVALID_KEY',
  VALUE_TOO_LARGE: 'LEVEL_INVALID_VALUE',
  DB_CLOSED: 'LEVEL_DATABASE_NOT_OPEN',
};

export function toLevelError(error: unknown): unknown {
  if (!isLsmError(error)) return error;
  const code = LEVEL_CODES[error.code];
  return code === undefined ? error : new LevelError(error.message, code, error);
}

/** Runs `fn`, translating a thrown engine error. */
export function translate<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw toLevelError(error);
  }
}

/** Awaits `fn()`, translating a rejection. */
export async function translateAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toLevelError(error);
  }
}
