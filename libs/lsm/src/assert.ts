/**
 * Programmer errors: a broken invariant is a bug, never an operating condition. `assert` throws
 * `BugError`, which callers must not catch to continue (pebble AssertionFailedf, vscode
 * BugIndicatingError). Expensive checks run only when LSM_INVARIANTS=1 (`invariantsEnabled`).
 */

export class BugError extends Error {
  readonly code = 'BUG' as const;
  constructor(message: string) {
    super(`internal invariant violated: ${message}`);
    this.name = 'BugError';
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new BugError(message);
}

export function assertNever(value: never, what = 'value'): never {
  throw new BugError(`unexpected ${what}: ${String(value)}`);
}

export const invariantsEnabled: boolean =
  typeof process !== 'undefined' && process.env['LSM_INVARIANTS'] === '1';
