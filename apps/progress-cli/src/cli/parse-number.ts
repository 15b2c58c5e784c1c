/**
 * Numbers from the command line, parsed fully: "5", "2.5", ".5", "-3" (a sign is accepted so the
 * domain can answer with its own range rule); "5km", "1e3", "0x10", "" and "NaN" are usage errors.
 */
import { UsageError } from './errors.js';
import { quote } from './output.js';

const DECIMAL = /^-?(?:\d+(?:\.\d+)?|\.\d+)$/;
const INTEGER = /^\d+$/;

export function parseDecimal(text: string, what: string): number {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed) || trimmed.length > 32) {
    throw new UsageError(`${what} ${quote(text)} is not a number`, `write it as digits with an optional decimal point, e.g. 5 or 2.5`);
  }
  return Number(trimmed);
}

export function parseCount(text: string, what: string, range: { min: number; max: number }): number {
  const trimmed = text.trim();
  if (!INTEGER.test(trimmed) || trimmed.length > 12) {
    throw new UsageError(`${what} ${quote(text)} is not a whole number`, `use a number from ${range.min} to ${range.max}`);
  }
  const value = Number(trimmed);
  if (value < range.min || value > range.max) {
    throw new UsageError(`${what} ${value} is out of range`, `use a number from ${range.min} to ${range.max}`);
  }
  return value;
}
