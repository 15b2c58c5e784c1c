/**
 * Validation of raw command values. Each function returns the normalised value or a Rejection,
 * so decide() can stop at the first broken rule with a stable code.
 */
import { reject } from './rejections.js';
import type { Rejection } from './rejections.js';
import { isKnownTimeZone } from './time.js';
import type { Instant, TimeZone } from './time.js';

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly rejection: Rejection };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const no = <T>(rejection: Rejection): Checked<T> => ({ ok: false, rejection });

export const LIMITS = {
  displayNameChars: 80,
  teamNameChars: 80,
  noteChars: 500,
  unitChars: 16,
  reasonChars: 200,
  tagChars: 32,
  tagsPerEntry: 10,
  amountMax: 1_000_000,
  amountDecimals: 3,
  /** How far ahead of the clock `occurredAt` may be (clock skew between machines). */
  futureToleranceMs: 5 * 60 * 1000,
  /** Entries before this instant are refused as typos (year 2000). */
  earliestOccurredAt: '2000-01-01T00:00:00.000Z',
} as const;

/**
 * C0 and C1 controls (including tab and newline), DEL, line/paragraph separators and bidi
 * overrides/isolates (which can make a note display differently from what it contains).
 */
export function hasControlCharacters(value: string): boolean {
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return true;
    if (code === 0x2028 || code === 0x2029 || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) return true;
  }
  return false;
}

export function checkText(field: string, raw: string, maxChars: number): Checked<string> {
  const value = raw.normalize('NFC').trim();
  if (value.length === 0) return no(reject('TEXT_EMPTY', `${field} must not be empty`));
  if (hasControlCharacters(value)) {
    return no(reject('TEXT_CONTROL_CHARACTERS', `${field} contains control characters (newlines, tabs or bidi controls)`));
  }
  const chars = [...value].length;
  if (chars > maxChars) return no(reject('TEXT_TOO_LONG', `${field} is ${chars} characters; the limit is ${maxChars}`));
  return ok(value);
}

/** An optional text: undefined, or blank after trimming, means "none" (null). */
export function checkOptionalText(field: string, raw: string | null | undefined, maxChars: number): Checked<string | null> {
  if (raw === undefined || raw === null || raw.trim() === '') return ok(null);
  return checkText(field, raw, maxChars);
}

export function checkAmount(field: string, amount: number): Checked<number> {
  if (!Number.isFinite(amount)) return no(reject('AMOUNT_NOT_FINITE', `${field} must be a finite number, got ${amount}`));
  if (amount <= 0 || amount > LIMITS.amountMax) {
    return no(reject('AMOUNT_OUT_OF_RANGE', `${field} must be greater than 0 and at most ${LIMITS.amountMax}, got ${amount}`));
  }
  const scaled = amount * 10 ** LIMITS.amountDecimals;
  if (Math.abs(scaled - Math.round(scaled)) > 1e-6) {
    return no(reject('AMOUNT_TOO_PRECISE', `${field} may have at most ${LIMITS.amountDecimals} decimal places, got ${amount}`));
  }
  return ok(Math.round(scaled) / 10 ** LIMITS.amountDecimals);
}

const TAG = /^[a-z0-9][a-z0-9_-]*$/;

/** Lower-cases, trims, drops duplicates (first occurrence wins) and checks each tag. */
export function checkTags(raw: readonly string[] | undefined): Checked<string[]> {
  const tags: string[] = [];
  for (const candidate of raw ?? []) {
    const tag = candidate.trim().toLowerCase();
    if (!TAG.test(tag) || tag.length > LIMITS.tagChars) {
      return no(
        reject('INVALID_TAG', `tag ${JSON.stringify(candidate)} must be 1-${LIMITS.tagChars} of a-z, 0-9, '_' and '-'`),
      );
    }
    if (!tags.includes(tag)) tags.push(tag);
  }
  if (tags.length > LIMITS.tagsPerEntry) {
    return no(reject('TOO_MANY_TAGS', `an entry may have at most ${LIMITS.tagsPerEntry} tags, got ${tags.length}`));
  }
  return ok(tags);
}

export function checkTimeZone(raw: string): Checked<TimeZone> {
  return isKnownTimeZone(raw)
    ? ok(raw as TimeZone)
    : no(reject('UNKNOWN_TIME_ZONE', `unknown time zone ${JSON.stringify(raw)}; use an IANA name such as Europe/Berlin`));
}

export function checkOccurredAt(occurredAt: Instant, now: Instant): Checked<Instant> {
  if (Date.parse(occurredAt) > Date.parse(now) + LIMITS.futureToleranceMs) {
    return no(reject('OCCURRED_IN_FUTURE', `${occurredAt} is in the future (now is ${now})`));
  }
  if (occurredAt < LIMITS.earliestOccurredAt) {
    return no(reject('OCCURRED_TOO_EARLY', `${occurredAt} is before ${LIMITS.earliestOccurredAt}`));
  }
  return ok(occurredAt);
}
