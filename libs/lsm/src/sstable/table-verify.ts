/**
 * Full check of a table's bytes, reading from the file (never from the block cache), for
 * `db.verify()` and the corruption tests. Collects problems instead of throwing, so one report
 * names every bad block; an unexpected exception (a bug) still propagates.
 *
 * Checks: every block's checksum; the index entries decode, their handles tile the data area from
 * offset 0 without gaps and separators ascend; every data block decodes, keys strictly ascend
 * across the table and stay within their separators; stored values parse for their kind; the
 * bloom filter has no false negative; the properties match the entries.
 */

import { CorruptionError, IoError } from '../errors.js';
import { Kind, TRAILER_BYTES } from '../keys/internal-key.js';
import { decodeValueHeader, decodeValuePointer } from '../keys/value-format.js';
import { BLOCK_TRAILER_BYTES } from './block-format.js';
import { BlockIterator } from './block-reader.js';
import { bloomMayContain } from './bloom.js';
import { compareInternalRanges } from './internal-compare.js';
import type { TableReader } from './table-reader.js';

export interface TableProblem {
  file: string;
  offset: number;
  reason: string;
}

interface Tally {
  entries: number;
  deletions: number;
  valuePointers: number;
  minSeq: number;
  maxSeq: number;
  dataBlocks: number;
  lastKey: Uint8Array | undefined;
  firstKey: Uint8Array | undefined;
}

export function verifyTable(reader: TableReader): TableProblem[] {
  const problems: TableProblem[] = [];
  const path = reader.path;
  const record = (error: unknown): void => {
    if (error instanceof CorruptionError) problems.push({ file: error.file, offset: error.offset, reason: error.reason });
    else if (error instanceof IoError) problems.push({ file: path, offset: 0, reason: error.message });
    else throw error;
  };
  let filter: Uint8Array | undefined;
  try {
    filter = reader.readBlockUncached(reader.footer.filterHandle);
  } catch (error) {
    record(error);
  }
  try {
    reader.readBlockUncached(reader.footer.propertiesHandle);
  } catch (error) {
    record(error);
  }
  const tally: Tally = {
    entries: 0, deletions: 0, valuePointers: 0, minSeq: Number.MAX_SAFE_INTEGER, maxSeq: 0,
    dataBlocks: 0, lastKey: undefined, firstKey: undefined,
  };
  let indexComplete = false;
  try {
    verifyIndexAndData(reader, filter, tally, problems, record);
    indexComplete = true;
  } catch (error) {
    record(error);
  }
  if (indexComplete && problems.length === 0) checkProperties(reader, tally, problems);
  return problems;
}

function verifyIndexAndData(
  reader: TableReader,
  filter: Uint8Array | undefined,
  tally: Tally,
  problems: TableProblem[],
  record: (error: unknown) => void,
): void {
  const path = reader.path;
  const indexHandle = reader.footer.indexHandle;
  const index = new BlockIterator();
  index.reset(reader.readBlockUncached(indexHandle), path, indexHandle.offset);
  let expectedOffset = 0;
  let previousSeparator: Uint8Array | undefined;
  for (index.seekToFirst(); index.valid(); index.next()) {
    const separator = index.internalKey().slice();
    if (previousSeparator !== undefined && compareInternalRanges(previousSeparator, 0, previousSeparator.length, separator, 0, separator.length) >= 0) {
      problems.push({ file: path, offset: index.currentValueFileOffset, reason: 'index separators out of order' });
    }
    previousSeparator = separator;
    const handle = reader.dataHandleAt(index);
    if (handle.offset !== expectedOffset) {
      problems.push({ file: path, offset: handle.offset, reason: `data block at ${handle.offset}, expected ${expectedOffset}` });
    }
    expectedOffset = handle.offset + handle.size + BLOCK_TRAILER_BYTES;
    tally.dataBlocks++;
    try {
      verifyDataBlock(reader, reader.readBlockUncached(handle), handle.offset, separator, filter, tally, problems);
    } catch (error) {
      record(error);
    }
  }
  if (expectedOffset !== reader.dataEndOffset) {
    problems.push({ file: path, offset: expectedOffset, reason: `data blocks end at ${expectedOffset}, filter starts at ${reader.dataEndOffset}` });
  }
}

function verifyDataBlock(
  reader: TableReader,
  contents: Uint8Array,
  blockOffset: number,
  separator: Uint8Array,
  filter: Uint8Array | undefined,
  tally: Tally,
  problems: TableProblem[],
): void {
  const path = reader.path;
  const data = new BlockIterator();
  data.reset(contents, path, blockOffset);
  let entriesInBlock = 0;
  for (data.seekToFirst(); data.valid(); data.next()) {
    entriesInBlock++;
    const key = data.internalKey();
    const at = data.currentValueFileOffset;
    const last = tally.lastKey;
    if (last !== undefined && compareInternalRanges(last, 0, last.length, key, 0, key.length) >= 0) {
      problems.push({ file: path, offset: at, reason: 'keys out of order' });
    }
    if (compareInternalRanges(key, 0, key.length, separator, 0, separator.length) > 0) {
      problems.push({ file: path, offset: at, reason: 'key above its index separator' });
    }
    const newUserKey = last === undefined || compareUser(last, key) !== 0;
    if (newUserKey && filter !== undefined && !bloomMayContain(filter, key, 0, key.length - TRAILER_BYTES)) {
      problems.push({ file: path, offset: at, reason: 'bloom filter false negative' });
    }
    const problem = checkValue(data.kind(), data.value());
    if (problem !== undefined) problems.push({ file: path, offset: at, reason: problem });
    tally.lastKey = key.slice();
    tally.firstKey ??= tally.lastKey;
    tally.entries++;
    if (data.kind() === Kind.DELETE) tally.deletions++;
    if (data.kind() === Kind.VALUE_POINTER) tally.valuePointers++;
    const seq = data.seq();
    if (seq < tally.minSeq) tally.minSeq = seq;
    if (seq > tally.maxSeq) tally.maxSeq = seq;
  }
  if (entriesInBlock === 0) problems.push({ file: path, offset: blockOffset, reason: 'empty data block' });
}

function compareUser(a: Uint8Array, b: Uint8Array): number {
  const aEnd = a.length - TRAILER_BYTES;
  const bEnd = b.length - TRAILER_BYTES;
  const common = Math.min(aEnd, bEnd);
  for (let i = 0; i < common; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return aEnd - bEnd;
}

function checkValue(kind: Kind, value: Uint8Array): string | undefined {
  if (kind === Kind.DELETE) return value.length === 0 ? undefined : 'DELETE with a value';
  const header = decodeValueHeader(value);
  if (header === undefined) return 'bad stored value header';
  if (kind === Kind.VALUE_POINTER && decodeValuePointer(value, header.payloadOffset) === undefined) {
    return 'bad value pointer';
  }
  return undefined;
}

function checkProperties(reader: TableReader, tally: Tally, problems: TableProblem[]): void {
  const p = reader.properties;
  const mismatches: string[] = [];
  if (p.entryCount !== tally.entries) mismatches.push(`entry count ${p.entryCount} != ${tally.entries}`);
  if (p.deletionCount !== tally.deletions) mismatches.push(`deletion count ${p.deletionCount} != ${tally.deletions}`);
  if (p.valuePointerCount !== tally.valuePointers) mismatches.push(`value pointer count ${p.valuePointerCount} != ${tally.valuePointers}`);
  if (p.dataBlockCount !== tally.dataBlocks) mismatches.push(`data block count ${p.dataBlockCount} != ${tally.dataBlocks}`);
  if (p.minSeq !== tally.minSeq || p.maxSeq !== tally.maxSeq) mismatches.push('seq range');
  if (!sameBytes(p.smallestKey, tally.firstKey)) mismatches.push('smallest key');
  if (!sameBytes(p.largestKey, tally.lastKey)) mismatches.push('largest key');
  for (const reason of mismatches) {
    problems.push({ file: reader.path, offset: reader.footer.propertiesHandle.offset, reason: `properties disagree with data: ${reason}` });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array | undefined): boolean {
  if (b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
