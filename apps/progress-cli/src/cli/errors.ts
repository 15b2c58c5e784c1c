/**
 * Errors the CLI raises itself, each carrying its exit code (exit-codes.ts). Library errors
 * (LsmError, event store errors) are classified in render-error.ts.
 */
import { ExitCode } from './exit-codes.js';

export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    /** A second line: what to do next. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Unknown command or flag, missing or unparsable argument: exit 2. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(ExitCode.USAGE, message, hint);
  }
}

/** A domain rule said no (or a referenced user/team/entry does not exist): exit 1. */
export class RejectedError extends CliError {
  constructor(
    readonly code: string,
    message: string,
    hint?: string,
  ) {
    super(ExitCode.REJECTED, message, hint);
  }
}

/** The store is locked or kept changing under us: exit 3. */
export class BusyError extends CliError {
  constructor(message: string, hint?: string) {
    super(ExitCode.BUSY, message, hint);
  }
}

/** Storage fault: exit 4. */
export class StorageError extends CliError {
  constructor(message: string, hint?: string) {
    super(ExitCode.STORAGE, message, hint);
  }
}

/**
 * The command ran to the end (what it wrote is committed and synced) but closing the store failed,
 * e.g. the disk filled up while the engine flushed its memtable. Exit 4, with a message that says
 * the changes are saved (render-error.ts), so nobody runs the command a second time.
 */
export class CloseFailedError extends Error {
  readonly code = 'CLOSE_FAILED';
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'CloseFailedError';
  }
}
