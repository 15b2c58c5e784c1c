/**
 * The value log, NNNNNN.vlog: values of at least valueThresholdBytes, appended; the WAL and SSTs
 * hold a ValuePointer {fileNumber, offset, length} to an entry (keys/value-format.ts).
 * See docs/logs.md "Value log".
 *
 *   vlog_file := header  entry*
 *   header    := magic:"LSM_VLG\n" (8 bytes)  version:fixed32  header_crc:fixed32     (16 bytes)
 *     header_crc = masked crc32c of bytes [0, 12)
 *   entry     := crc:fixed32  key_length:fixed32  value_length:fixed32  key  value
 *     crc      = masked crc32c of (key_length ‖ value_length ‖ key ‖ value ‖ fixed64 LE entry offset)
 *
 * A pointer's offset is the entry's file offset and its length the whole entry (12 + key + value
 * bytes), so a pointer is verified on its own: the crc binds the bytes to their position (an
 * entry image inside a value never verifies where it lies). The key is stored so value-log GC can
 * ask the LSM whether an entry is still live. All integers little-endian. Constants are written
 * to disk; never change or reuse them.
 *
 * Invariants: entries are contiguous from offset 16; each entry's crc covers its own offset.
 */

import { assertNever } from '../assert.js';
import { crc32cUpdate, maskCrc } from '../codec/crc32c.js';
import { getFixed32, putFixed32, putFixed64 } from '../codec/fixed.js';
import { CorruptionError } from '../errors.js';

/** Written to disk; never change or reuse. */
export const VLOG_MAGIC = 'LSM_VLG\n';
/** Format versions, a linear history. Written to disk; never change or reuse. */
export const VlogFormatVersion = { V1: 1 } as const;
export const VLOG_HEADER_BYTES = 16;
export const VLOG_ENTRY_HEADER_BYTES = 12;

const magicBytes = new TextEncoder().encode(VLOG_MAGIC);
const offsetScratch = new Uint8Array(8);

export function encodeVlogHeader(): Uint8Array {
  const out = new Uint8Array(VLOG_HEADER_BYTES);
  out.set(magicBytes, 0);
  putFixed32(out, 8, VlogFormatVersion.V1);
  putFixed32(out, 12, maskCrc(crc32cUpdate(0, out, 0, 12)));
  return out;
}

export type VlogHeaderStatus = 'ok' | 'truncated' | 'damaged' | 'bad-magic' | 'bad-version';

/** Classifies the file header without throwing (torn-tail decisions need the difference). */
export function vlogHeaderStatus(bytes: Uint8Array): VlogHeaderStatus {
  if (bytes.length < VLOG_HEADER_BYTES) return 'truncated';
  if (getFixed32(bytes, 12) !== maskCrc(crc32cUpdate(0, bytes, 0, 12))) return 'damaged';
  for (let i = 0; i < magicBytes.length; i++) if (bytes[i] !== magicBytes[i]) return 'bad-magic';
  return getFixed32(bytes, 8) === VlogFormatVersion.V1 ? 'ok' : 'bad-version';
}

/** Throws CorruptionError unless `bytes` starts with a valid V1 value-log header. */
export function checkVlogHeader(bytes: Uint8Array, fileName: string): void {
  const status = vlogHeaderStatus(bytes);
  switch (status) {
    case 'ok':
      return;
    case 'truncated':
      throw new CorruptionError(fileName, 0, 'truncated value-log header');
    case 'damaged':
      throw new CorruptionError(fileName, 0, 'value-log header checksum mismatch');
    case 'bad-magic':
      throw new CorruptionError(fileName, 0, 'not a value-log file (bad magic)');
    case 'bad-version':
      throw new CorruptionError(fileName, 8, `unsupported value-log version ${getFixed32(bytes, 8)}`);
    /* v8 ignore next 2 -- unreachable: every status is a case above (assertNever) */
    default:
      assertNever(status, 'value-log header status');
  }
}

function entryCrc(bytes: Uint8Array, start: number, end: number, fileOffset: number): number {
  putFixed64(offsetScratch, 0, fileOffset);
  return maskCrc(crc32cUpdate(crc32cUpdate(0, bytes, start + 4, end), offsetScratch));
}

/** Bytes of the entry for a key and value of these lengths (the pointer's length). */
export function vlogEntryBytes(keyBytes: number, valueBytes: number): number {
  return VLOG_ENTRY_HEADER_BYTES + keyBytes + valueBytes;
}

/** Writes one entry for `key`/`value` at `target[at]`, which will sit at `fileOffset`. */
export function encodeVlogEntry(target: Uint8Array, at: number, fileOffset: number, key: Uint8Array, value: Uint8Array): number {
  putFixed32(target, at + 4, key.length);
  putFixed32(target, at + 8, value.length);
  target.set(key, at + VLOG_ENTRY_HEADER_BYTES);
  target.set(value, at + VLOG_ENTRY_HEADER_BYTES + key.length);
  const end = at + VLOG_ENTRY_HEADER_BYTES + key.length + value.length;
  putFixed32(target, at, entryCrc(target, at, end, fileOffset));
  return end;
}

export interface VlogEntry {
  key: Uint8Array;
  value: Uint8Array;
}

/**
 * Decodes the entry in `bytes[0, bytes.length)` read from `fileOffset`; throws CorruptionError
 * when its lengths do not fill the bytes exactly or its checksum fails. Key and value are views.
 */
export function decodeVlogEntry(bytes: Uint8Array, fileName: string, fileOffset: number): VlogEntry {
  if (bytes.length < VLOG_ENTRY_HEADER_BYTES) throw new CorruptionError(fileName, fileOffset, 'truncated value-log entry');
  const keyLength = getFixed32(bytes, 4);
  const valueLength = getFixed32(bytes, 8);
  if (VLOG_ENTRY_HEADER_BYTES + keyLength + valueLength !== bytes.length) {
    throw new CorruptionError(fileName, fileOffset, 'value-log entry lengths do not match the pointer');
  }
  if (getFixed32(bytes, 0) !== entryCrc(bytes, 0, bytes.length, fileOffset)) {
    throw new CorruptionError(fileName, fileOffset, 'value-log entry checksum mismatch');
  }
  const keyEnd = VLOG_ENTRY_HEADER_BYTES + keyLength;
  return { key: bytes.subarray(VLOG_ENTRY_HEADER_BYTES, keyEnd), value: bytes.subarray(keyEnd) };
}

/** Length of the entry starting at `bytes[at]`, or undefined when its header is cut short. */
export function vlogEntryLengthAt(bytes: Uint8Array, at: number): number | undefined {
  if (bytes.length - at < VLOG_ENTRY_HEADER_BYTES) return undefined;
  return VLOG_ENTRY_HEADER_BYTES + getFixed32(bytes, at + 4) + getFixed32(bytes, at + 8);
}

/**
 * Why the entry at `at` of a whole file's `bytes` is not valid, or undefined when it is (its
 * lengths fit the file and its crc holds at that offset). Never throws.
 */
export function vlogEntryProblem(bytes: Uint8Array, at: number): string | undefined {
  const length = vlogEntryLengthAt(bytes, at);
  if (length === undefined) return 'truncated entry header';
  if (at + length > bytes.length) return 'entry runs past the end of the file';
  if (getFixed32(bytes, at) !== entryCrc(bytes, at, at + length, at)) return 'entry checksum mismatch';
  return undefined;
}

/**
 * First offset `>= from` of a whole file's `bytes` where a valid entry lies, or -1. Used after
 * damage to tell a torn tail (nothing valid follows) from corruption (valid entries follow).
 */
export function findValidVlogEntry(bytes: Uint8Array, from: number): number {
  for (let at = Math.max(from, VLOG_HEADER_BYTES); at + VLOG_ENTRY_HEADER_BYTES <= bytes.length; at++) {
    const length = VLOG_ENTRY_HEADER_BYTES + getFixed32(bytes, at + 4) + getFixed32(bytes, at + 8);
    if (at + length <= bytes.length && getFixed32(bytes, at) === entryCrc(bytes, at, at + length, at)) return at;
  }
  return -1;
}
