// Goal: the CSV parser follows RFC 4180 (quotes, doubled quotes, CRLF and LF, newlines in quotes)
// and reports malformed input with its line; fields are quoted exactly when needed.
import { describe, expect, it } from 'vitest';
import { csvField, parseCsv } from './csv.js';

describe('CSV codec', () => {
  it('quotes only fields that need it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('parses quoted fields, CRLF and LF, and records spanning lines', () => {
    const parsed = parseCsv('a,b\r\n"x, y","say ""hi"""\n"multi\nline",z\n\nlast,row');
    expect(parsed).toEqual({
      ok: true,
      records: [
        { line: 1, fields: ['a', 'b'] },
        { line: 2, fields: ['x, y', 'say "hi"'] },
        { line: 3, fields: ['multi\nline', 'z'] },
        { line: 6, fields: ['last', 'row'] },
      ],
    });
  });

  it('keeps empty fields', () => {
    expect(parseCsv('a,,c\r\n')).toEqual({ ok: true, records: [{ line: 1, fields: ['a', '', 'c'] }] });
  });

  it('reports stray and unterminated quotes with the line', () => {
    expect(parseCsv('a,b\nx"y,z\n')).toMatchObject({ ok: false, line: 2 });
    expect(parseCsv('a,b\n"open,z\n')).toMatchObject({ ok: false, line: 2 });
    expect(parseCsv('"a"b,c')).toMatchObject({ ok: false, line: 1 });
  });
});
