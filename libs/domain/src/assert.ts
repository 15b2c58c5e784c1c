/**
 * Programmer-error checks. A failed assertion means a bug in this package, never bad user input:
 * user input is answered with a `Rejection` (rejections.ts). Never catch a `BugError` to continue.
 */

export class BugError extends Error {
  readonly code = 'DOMAIN_BUG' as const;
  constructor(message: string) {
    super(message);
    this.name = 'BugError';
  }
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new BugError(message);
}

/** Exhaustiveness check for discriminated unions: the compiler proves this is unreachable. */
export function assertNever(value: never, what = 'value'): never {
  throw new BugError(`unexpected ${what}: ${JSON.stringify(value)}`);
}
