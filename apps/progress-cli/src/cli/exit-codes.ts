/**
 * Exit codes of `progress` (ARCHITECTURE section 5, RELIABILITY section 5). Documented in the
 * README; scripts rely on them, so they never change.
 */
export const ExitCode = {
  OK: 0,
  /** a domain rule rejected the command (valid syntax, the rule says no) */
  REJECTED: 1,
  /** unknown command or flag, missing or unparsable argument */
  USAGE: 2,
  /** the store is locked by another process, or a conflict persisted after retries */
  BUSY: 3,
  /** corruption, I/O error, disk full */
  STORAGE: 4,
  /** a bug: EX_SOFTWARE from sysexits.h */
  INTERNAL: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
