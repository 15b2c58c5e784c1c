/**
 * Human and machine output: tables, bars, sparklines, colour and JSON.
 *
 * Invariants:
 * - colour escapes appear only when `color` is true (stdout is a TTY and NO_COLOR is unset);
 * - `--json` output is one JSON document (or one per line for JSON Lines) with bigint as strings;
 * - widths are measured without escape sequences, so coloured cells line up.
 */

const ESC = '\u001b[';
const STYLES = { bold: '1', dim: '2', red: '31', green: '32', yellow: '33', blue: '34', magenta: '35', cyan: '36', gray: '90' } as const;
export type Style = keyof typeof STYLES;

export interface Paint {
  (style: Style, text: string): string;
  readonly enabled: boolean;
}

export function painter(enabled: boolean): Paint {
  const paint = (style: Style, text: string): string => (enabled && text !== '' ? `${ESC}${STYLES[style]}m${text}${ESC}0m` : text);
  return Object.assign(paint, { enabled });
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function visibleWidth(text: string): number {
  let width = 0;
  for (const char of text.replace(ANSI, '')) {
    const code = char.codePointAt(0) ?? 0;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

function isWide(code: number): boolean {
  return (code >= 0x1100 && code <= 0x115f) || (code >= 0x2e80 && code <= 0xa4cf) || (code >= 0xac00 && code <= 0xd7a3)
    || (code >= 0xf900 && code <= 0xfaff) || (code >= 0xfe30 && code <= 0xfe4f) || (code >= 0xff00 && code <= 0xff60)
    || (code >= 0xffe0 && code <= 0xffe6) || (code >= 0x1f300 && code <= 0x1faff) || (code >= 0x20000 && code <= 0x3fffd);
}

export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, width - visibleWidth(text)));
  return align === 'left' ? text + fill : fill + text;
}

export interface Column {
  readonly header: string;
  readonly align?: 'left' | 'right';
}

/** A plain table: header, a rule, rows; columns separated by two spaces. */
export function table(columns: readonly Column[], rows: readonly (readonly string[])[], paint: Paint): string {
  const widths = columns.map((column, index) => Math.max(visibleWidth(column.header), ...rows.map((row) => visibleWidth(row[index] ?? ''))));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, index) => pad(cell, widths[index] ?? 0, columns[index]?.align ?? 'left')).join('  ').trimEnd();
  const header = paint('bold', line(columns.map((column) => column.header)));
  const rule = paint('dim', widths.map((width) => '─'.repeat(width)).join('  '));
  return [header, rule, ...rows.map(line)].join('\n') + '\n';
}

const SPARKS = '▁▂▃▄▅▆▇█';

/** One character per value; zero is a blank-ish dot so gaps (missed days) stand out. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((value) => {
      if (value <= 0 || max === 0) return '·';
      const index = Math.min(SPARKS.length - 1, Math.floor((value / max) * (SPARKS.length - 1) + 0.5));
      return SPARKS[Math.max(0, index)] ?? '█';
    })
    .join('');
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A horizontal bar of `value / max` over `width` cells, with eighth-cell resolution. */
export function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0) return '';
  const cells = Math.min(width, (value / max) * width);
  const whole = Math.floor(cells);
  const eighth = Math.floor((cells - whole) * 8);
  return '█'.repeat(whole) + (EIGHTHS[eighth] ?? '');
}

/** A progress gauge against 100 %: filled part and track, e.g. `██████░░░░`. */
export function gauge(percent: number | null, width: number, paint: Paint): string {
  if (percent === null) return paint('dim', '░'.repeat(width));
  const filled = Math.round((Math.min(100, Math.max(0, percent)) / 100) * width);
  const style: Style = percent >= 100 ? 'green' : percent >= 50 ? 'yellow' : 'red';
  return paint(style, '█'.repeat(filled)) + paint('dim', '░'.repeat(width - filled));
}

/** Up to 3 decimals, no trailing zeros, no exponent: 5, 2.5, 0.125. */
export function formatAmount(value: number): string {
  const rounded = Math.round(value * 1000) / 1000;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
}

export function formatPercent(value: number | null): string {
  return value === null ? '–' : `${Math.round(value)}%`;
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner), 2)}\n`;
}

/** Quotes a value for a message when it has spaces or is empty. */
export function quote(value: string): string {
  return /^[^\s"'`]+$/.test(value) ? value : JSON.stringify(value);
}
