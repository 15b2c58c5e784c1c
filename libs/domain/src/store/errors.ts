/** Event store errors: operating errors with stable codes (the CLI maps them to exit codes). */

export type EventStoreErrorCode = 'APPEND_CONFLICT' | 'STREAM_CORRUPTED' | 'FORMAT_MISMATCH' | 'IMPORT_REJECTED';

export abstract class EventStoreError extends Error {
  abstract readonly code: EventStoreErrorCode;
}

/** The stream kept changing under us: `attempts` decisions all lost the race. Nothing was applied. */
export class AppendConflictError extends EventStoreError {
  readonly code = 'APPEND_CONFLICT' as const;
  constructor(
    readonly stream: string,
    readonly attempts: number,
  ) {
    super(`${stream} changed concurrently ${attempts} times in a row; nothing was applied, try again`);
    this.name = 'AppendConflictError';
  }
}

/** Stored events are not a gap-free sequence, or a record does not decode. */
export class StreamCorruptedError extends EventStoreError {
  readonly code = 'STREAM_CORRUPTED' as const;
  constructor(
    message: string,
    readonly key: string,
  ) {
    super(message);
    this.name = 'StreamCorruptedError';
  }
}

/** The store was written by another (newer) on-store format. */
export class FormatMismatchError extends EventStoreError {
  readonly code = 'FORMAT_MISMATCH' as const;
  constructor(message: string) {
    super(message);
    this.name = 'FormatMismatchError';
  }
}

export interface ImportProblem {
  /** 1-based line number in the imported file (0 for whole-file problems). */
  readonly line: number;
  readonly message: string;
}

/** An import file had bad lines; nothing was imported. */
export class ImportRejectedError extends EventStoreError {
  readonly code = 'IMPORT_REJECTED' as const;
  constructor(readonly problems: readonly ImportProblem[]) {
    super(`import rejected, nothing imported: ${problems.map((p) => `line ${p.line}: ${p.message}`).slice(0, 20).join('; ')}`);
    this.name = 'ImportRejectedError';
  }
}
