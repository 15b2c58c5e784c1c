/**
 * CSV of entries (RFC 4180: comma separated, CRLF line ends, fields quoted when they hold a comma,
 * quote, CR or LF, quotes doubled). Header, in this order:
 *
 *   entry_id,user_id,metric,amount,unit,occurred_at,time_zone,local_date,note,tags,recorded_at
 *
 * One row per counted (not retracted) entry, with its current (amended) values; tags are separated
 * by spaces. Import needs the columns user_id, metric, amount and occurred_at; unit, note and tags
 * are optional; other columns (so an exported file) are accepted and ignored.
 */
import { entryDate } from '../projections/daily-totals.js';
import type { EntryState } from '../state.js';

export const CSV_HEADER = ['entry_id', 'user_id', 'metric', 'amount', 'unit', 'occurred_at', 'time_zone', 'local_date', 'note', 'tags', 'recorded_at'] as const;

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvRow(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

export function entriesToCsv(entries: readonly { readonly userId: string; readonly entry: EntryState }[]): string {
  const rows = entries
    .filter(({ entry }) => !entry.retracted)
    .map(({ userId, entry }) => ({ userId, entry }))
    .sort((a, b) => (a.userId !== b.userId ? (a.userId < b.userId ? -1 : 1) : a.entry.occurredAt !== b.entry.occurredAt ? (a.entry.occurredAt < b.entry.occurredAt ? -1 : 1) : a.entry.entryId < b.entry.entryId ? -1 : 1));
  return [
    csvRow(CSV_HEADER),
    ...rows.map(({ userId, entry }) =>
      csvRow([
        entry.entryId, userId, entry.metric, String(entry.amount), entry.unit, entry.occurredAt, entry.timeZone, entryDate(entry),
        entry.note ?? '', entry.tags.join(' '), entry.recordedAt,
      ]),
    ),
  ].join('');
}

export interface CsvRecord {
  /** 1-based line on which the record starts. */
  readonly line: number;
  readonly fields: readonly string[];
}

export type CsvParse = { readonly ok: true; readonly records: readonly CsvRecord[] } | { readonly ok: false; readonly line: number; readonly message: string };

/** RFC 4180 parser (accepts LF or CRLF). Fails on a stray quote or an unterminated quoted field. */
export function parseCsv(text: string): CsvParse {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const char = text[i] as string;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (char === '"') { quoted = false; i += 1; if (i < text.length && !',\r\n'.includes(text[i] as string)) return { ok: false, line, message: 'text after a closing quote' }; continue; }
      if (char === '\n') line += 1;
      field += char;
      i += 1;
      continue;
    }
    if (char === '"') {
      if (field !== '') return { ok: false, line, message: 'quote inside an unquoted field' };
      quoted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
    } else if (char === '\r' || char === '\n') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      fields.push(field);
      if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
      fields = [];
      field = '';
      line += 1;
      recordLine = line;
    } else {
      field += char;
    }
    i += 1;
  }
  if (quoted) return { ok: false, line: recordLine, message: 'unterminated quoted field' };
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    records.push({ line: recordLine, fields });
  }
  return { ok: true, records };
}
