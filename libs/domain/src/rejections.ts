/**
 * Rejections: the answer to a command that breaks a domain rule. Codes are stable (scripts and
 * the CLI match on them; messages may change). A rejected command produces no events.
 */

export const REJECTION_CODES = [
  'USER_NOT_REGISTERED',
  'USER_ALREADY_REGISTERED',
  'TEAM_NOT_FOUND',
  'TEAM_ALREADY_EXISTS',
  'MEMBER_ALREADY_IN_TEAM',
  'MEMBER_NOT_IN_TEAM',
  'ENTRY_NOT_FOUND',
  'ENTRY_RETRACTED',
  'AMOUNT_NOT_FINITE',
  'AMOUNT_OUT_OF_RANGE',
  'AMOUNT_TOO_PRECISE',
  'TEXT_EMPTY',
  'TEXT_TOO_LONG',
  'TEXT_CONTROL_CHARACTERS',
  'INVALID_TAG',
  'TOO_MANY_TAGS',
  'UNKNOWN_TIME_ZONE',
  'UNKNOWN_METRIC',
  'UNIT_MISMATCH',
  'GOAL_NOT_FOUND',
  'GOAL_DATES_INVALID',
  'OCCURRED_IN_FUTURE',
  'OCCURRED_TOO_EARLY',
  'NO_CHANGES',
  'NOTHING_TO_UNDO',
  'NOTHING_TO_REDO',
  'UNDO_NOT_APPLICABLE',
  'IDEMPOTENCY_CONFLICT',
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

export interface Rejection {
  readonly code: RejectionCode;
  readonly message: string;
}

export function reject(code: RejectionCode, message: string): Rejection {
  return { code, message };
}
