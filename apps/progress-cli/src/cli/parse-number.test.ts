// Goal: numbers are parsed fully (no "5km" -> 5), with usage errors for anything else.
import { describe, expect, it } from 'vitest';
import { parseCount, parseDecimal } from './parse-number.js';

describe('parseDecimal', () => {
  it.each([['5', 5], ['2.5', 2.5], ['.5', 0.5], ['-3', -3], [' 7 ', 7], ['0.125', 0.125]])('%j -> %d', (input, value) => {
    expect(parseDecimal(input, 'amount')).toBe(value);
  });

  it.each(['', '5km', '1e3', '0x10', 'NaN', 'Infinity', '1,5', '--1', '1.', '5 5'])('rejects %j', (input) => {
    expect(() => parseDecimal(input, 'amount')).toThrow(/is not a number/);
  });
});

describe('parseCount', () => {
  it('accepts whole numbers in range', () => {
    expect(parseCount('0', '--limit', { min: 0, max: 10 })).toBe(0);
    expect(parseCount('10', '--limit', { min: 0, max: 10 })).toBe(10);
  });

  it.each([['11', /out of range/], ['-1', /not a whole number/], ['2.5', /not a whole number/], ['ten', /not a whole number/]])('rejects %j', (input, message) => {
    expect(() => parseCount(input, '--limit', { min: 0, max: 10 })).toThrow(message);
  });
});
