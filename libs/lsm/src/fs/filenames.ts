/**
 * Names of the files in a database directory (ARCHITECTURE 3.2), as LevelDB's `filename.cc`.
 *
 *   NNNNNN.sst        sorted table              type 'table'
 *   NNNNNN.vlog       value log                 type 'vlog'
 *   NNNNNN.wal        write-ahead log           type 'wal'
 *   MANIFEST-NNNNNN   version-edit log          type 'manifest'
 *   CURRENT           names the live MANIFEST   type 'current'  (number 0)
 *   LOCK              single-writer lock        type 'lock'     (number 0)
 *   NNNNNN.dbtmp      temporary file            type 'temp'
 *   CURRENT.dbtmp     temporary CURRENT         type 'temp'     (number 0)
 *
 * Invariants:
 * - NNNNNN is the file number in decimal, zero-padded to 6 digits; larger numbers use more digits
 *   and are never padded beyond their own width (1234567 -> "1234567").
 * - Parsing accepts only the canonical spelling: `formatX(parse(name).number) === name`, so two
 *   names never map to the same file (no "0000123.sst" next to "000123.sst").
 * - Names this module does not know (including the lock's `LOCK.break-*` markers, fs/lock.ts)
 *   parse to `undefined`; callers must leave such files alone.
 * - These names are written to disk (CURRENT holds a MANIFEST name); never change them.
 */

import { assert } from '../assert.js';

export type FileType = 'table' | 'vlog' | 'wal' | 'manifest' | 'current' | 'lock' | 'temp';

export interface ParsedFileName {
  readonly type: FileType;
  /** The file number; 0 for CURRENT, LOCK and CURRENT.dbtmp. */
  readonly number: number;
}

/** Written to disk; never change. */
export const FileSuffix = {
  table: '.sst',
  vlog: '.vlog',
  wal: '.wal',
  temp: '.dbtmp',
} as const;

export const MANIFEST_PREFIX = 'MANIFEST-';
export const CURRENT_FILE_NAME = 'CURRENT';
export const LOCK_FILE_NAME = 'LOCK';
export const CURRENT_TEMP_FILE_NAME = 'CURRENT.dbtmp';

const NUMBER_WIDTH_MIN = 6;

/** The file number zero-padded to at least 6 digits. */
export function formatFileNumber(fileNumber: number): string {
  assert(
    Number.isSafeInteger(fileNumber) && fileNumber >= 0,
    `file number must be a non-negative safe integer, got ${fileNumber}`,
  );
  return String(fileNumber).padStart(NUMBER_WIDTH_MIN, '0');
}

export function tableFileName(fileNumber: number): string {
  return formatFileNumber(fileNumber) + FileSuffix.table;
}

export function vlogFileName(fileNumber: number): string {
  return formatFileNumber(fileNumber) + FileSuffix.vlog;
}

export function walFileName(fileNumber: number): string {
  return formatFileNumber(fileNumber) + FileSuffix.wal;
}

export function manifestFileName(fileNumber: number): string {
  return MANIFEST_PREFIX + formatFileNumber(fileNumber);
}

export function tempFileName(fileNumber: number): string {
  return formatFileNumber(fileNumber) + FileSuffix.temp;
}

/** The canonical name of a file of `type` and `fileNumber`. */
export function fileName(type: FileType, fileNumber: number): string {
  switch (type) {
    case 'table':
      return tableFileName(fileNumber);
    case 'vlog':
      return vlogFileName(fileNumber);
    case 'wal':
      return walFileName(fileNumber);
    case 'manifest':
      return manifestFileName(fileNumber);
    case 'temp':
      return fileNumber === 0 ? CURRENT_TEMP_FILE_NAME : tempFileName(fileNumber);
    case 'current':
      return CURRENT_FILE_NAME;
    case 'lock':
      return LOCK_FILE_NAME;
  }
}

/**
 * Parses the canonical decimal spelling of a file number: at least 6 digits, zero padding only up
 * to 6 digits, a safe integer. Returns undefined otherwise.
 */
export function parseFileNumber(digits: string): number | undefined {
  const length = digits.length;
  if (length < NUMBER_WIDTH_MIN || length > 16) return undefined;
  for (let i = 0; i < length; i++) {
    const code = digits.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
  }
  if (length > NUMBER_WIDTH_MIN && digits.charCodeAt(0) === 48) return undefined;
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** `{ type, number }` for a name this module produces, undefined for any other name. */
export function parseFileName(name: string): ParsedFileName | undefined {
  if (name === CURRENT_FILE_NAME) return { type: 'current', number: 0 };
  if (name === LOCK_FILE_NAME) return { type: 'lock', number: 0 };
  if (name === CURRENT_TEMP_FILE_NAME) return { type: 'temp', number: 0 };
  if (name.startsWith(MANIFEST_PREFIX)) {
    return withNumber('manifest', name.slice(MANIFEST_PREFIX.length));
  }
  const dot = name.indexOf('.');
  if (dot < 0) return undefined;
  const suffix = name.slice(dot);
  const digits = name.slice(0, dot);
  switch (suffix) {
    case FileSuffix.table:
      return withNumber('table', digits);
    case FileSuffix.vlog:
      return withNumber('vlog', digits);
    case FileSuffix.wal:
      return withNumber('wal', digits);
    case FileSuffix.temp:
      return withNumber('temp', digits);
    default:
      return undefined;
  }
}

function withNumber(type: FileType, digits: string): ParsedFileName | undefined {
  const fileNumber = parseFileNumber(digits);
  return fileNumber === undefined ? undefined : { type, number: fileNumber };
}
