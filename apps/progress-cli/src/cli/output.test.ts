// Goal: tables line up (also with colour), charts scale, colour only when enabled.
import { describe, expect, it } from 'vitest';
import { colorEnabled } from './context.js';
import { bar, formatAmount, gauge, painter, sparkline, table, toJson, visibleWidth } from './output.js';

describe('output', () => {
  it('aligns columns by visible width, ignoring escape codes', () => {
    const paint = painter(true);
    const text = table([{ header: 'a' }, { header: 'b', align: 'right' }], [[paint('red', 'xx'), '1'], ['y', '22']], paint);
    const lines = text.trimEnd().split('\n').map((line) => visibleWidth(line));
    expect(lines[2]).toBe(lines[3]);
  });

  it('paints nothing when colour is off', () => {
    expect(painter(false)('red', 'x')).toBe('x');
    expect(gauge(50, 4, painter(false))).toBe('██░░');
  });

  it('draws sparklines and bars', () => {
    expect(sparkline([0, 1, 2, 4])).toBe('·▃▅█');
    expect(bar(5, 10, 4)).toBe('██');
    expect(bar(0, 10, 4)).toBe('');
  });

  it('formats amounts without float noise', () => {
    expect(formatAmount(0.1 + 0.2)).toBe('0.3');
    expect(formatAmount(12)).toBe('12');
    expect(formatAmount(1.5)).toBe('1.5');
  });

  it('writes bigint as strings in JSON', () => {
    expect(toJson({ revision: 12n })).toBe('{\n  "revision": "12"\n}\n');
  });

  it('honours NO_COLOR and TTYs', () => {
    expect(colorEnabled(true, {})).toBe(true);
    expect(colorEnabled(false, {})).toBe(false);
    expect(colorEnabled(true, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(true, { NO_COLOR: '' })).toBe(true);
  });
});
