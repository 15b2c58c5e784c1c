/**
 * Operating errors of the engine: one class family under `LsmError`, each with a stable string
 * `code`. Codes are part of the public contract (README, "Error codes") and never change between
 * minor versions; messages may. Programmer errors are not here: they are `BugError`s (assert.ts).
 */

export const ErrorCode = {
  KEY_NOT_FOUND: 'KEY_NOT_FOUND',
  CONFLICT: 'CONFLICT',
  TXN_TOO_BIG: 'TXN_TOO_BIG',
  TXN_TIMEOUT: 'TXN_TIMEOUT',
  EMPTY_KEY: 'EMPTY_KEY',
  KEY_TOO_LARGE: 'KEY_TOO_LARGE',
  VALUE_TOO_LARGE: 'VALUE_TOO_LARGE',
  READ_ONLY: 'READ_ONLY',
  DISCARDED_TXN: 'DISCARDED_TXN',
  DB_CLOSED: 'DB_CLOSED',
  LOCKED: 'LOCKED',
  CORRUPTION: 'CORRUPTION',
  IO_ERROR: 'IO_ERROR',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class LsmError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class KeyNotFoundError extends LsmError {
  constructor(message = 'key not found') {
    super(ErrorCode.KEY_NOT_FOUND, message);
  }
}

export class ConflictError extends LsmError {
  constructor(message = 'transaction conflict: a key it read was written by a later commit; retry') {
    super(ErrorCode.CONFLICT, message);
  }
}

export class TxnTooBigError extends LsmError {
  constructor(message: string) {
    super(ErrorCode.TXN_TOO_BIG, message);
  }
}

export class TxnTimeoutError extends LsmError {
  constructor(message: string) {
    super(ErrorCode.TXN_TIMEOUT, message);
  }
}

export class EmptyKeyError extends LsmError {
  constructor() {
    super(ErrorCode.EMPTY_KEY, 'key is empty');
  }
}

export class KeyTooLargeError extends LsmError {
  constructor(size: number, max: number) {
    super(ErrorCode.KEY_TOO_LARGE, `key is ${size} bytes; the limit is ${max}`);
  }
}

export class ValueTooLargeError extends LsmError {
  constructor(size: number, max: number) {
    super(ErrorCode.VALUE_TOO_LARGE, `value is ${size} bytes; the limit is ${max}`);
  }
}

export class ReadOnlyError extends LsmError {
  constructor(message: string) {
    super(ErrorCode.READ_ONLY, message);
  }
}

export class DiscardedTxnError extends LsmError {
  constructor() {
    super(ErrorCode.DISCARDED_TXN, 'transaction has been committed or discarded');
  }
}

export class DbClosedError extends LsmError {
  constructor() {
    super(ErrorCode.DB_CLOSED, 'database is closed');
  }
}

export class LockedError extends LsmError {
  readonly pid: number | undefined;
  constructor(dir: string, pid: number | undefined) {
    const owner = pid === undefined ? 'another process' : `process ${pid}`;
    super(ErrorCode.LOCKED, `database ${dir} is locked by ${owner}`);
    this.pid = pid;
  }
}

/** Bytes on disk are not what was written. Always names the file and the byte offset. */
export class CorruptionError extends LsmError {
  readonly file: string;
  readonly offset: number;
  readonly reason: string;
  constructor(file: string, offset: number, reason: string) {
    super(ErrorCode.CORRUPTION, `corruption in ${file} at offset ${offset}: ${reason}`);
    this.file = file;
    this.offset = offset;
    this.reason = reason;
  }
}

/** An operating-system I/O failure; the errno error is the `cause`. */
export class IoError extends LsmError {
  readonly errno: string | undefined;
  constructor(message: string, cause: unknown) {
    super(ErrorCode.IO_ERROR, message, { cause });
    this.errno = errnoOf(cause);
  }
}

export class InvalidArgumentError extends LsmError {
  constructor(message: string) {
    super(ErrorCode.INVALID_ARGUMENT, message);
  }
}

export function errnoOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * An errno-shaped error from the file system as an IoError naming what failed; LsmErrors and
 * anything else (a bug) pass through unchanged. Used where a public call can meet raw I/O errors
 * (regression: io-errors.rel.test.ts found raw EIO/ENOSPC rejecting commits, flushes and opens).
 */
export function toIoError(error: unknown, message: string): unknown {
  if (error instanceof LsmError || errnoOf(error) === undefined) return error;
  return new IoError(`${message}: ${error instanceof Error ? error.message : String(error)}`, error);
}

export function isLsmError(error: unknown, code?: ErrorCode): error is LsmError {
  return error instanceof LsmError && (code === undefined || error.code === code);
}
