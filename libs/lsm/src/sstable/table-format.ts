/**
 * SST file layout (docs/sstable.md). All integers little-endian; uvarint = LEB128.
 *
 *   table       := data_block+  filter_block  properties_block  index_block  footer
 *   *_block     := contents  compression:uint8  crc:fixed32            (block-format.ts)
 *
 *   data_block  := entries keyed by encoded internal key, values = stored values
 *   filter_block contents := bloom filter over the table's distinct user keys (bloom.ts);
 *                            empty contents = no filter
 *   index_block := a block (block-format.ts) with one entry per data block:
 *                  key   = separator: an internal key >= every key of that block and
 *                          < every key of the next block
 *                  value = block_handle of the data block (offset:uvarint size:uvarint)
 *   properties_block contents := property*     (tags ascending, each at most once)
 *     property  := tag:uvarint  length:uvarint  value:byte[length]
 *                  numbers are a uvarint filling `length`; keys are encoded internal keys;
 *                  unknown tags are skipped (optional additions need no version bump)
 *
 *   footer (FOOTER_BYTES = 64, at file_size - 64):
 *     0  index_offset       fixed64     8  index_size        fixed64
 *     16 filter_offset      fixed64     24 filter_size       fixed64
 *     32 properties_offset  fixed64     40 properties_size   fixed64
 *     48 format_version     fixed32     52 footer_crc        fixed32  (masked crc32c of [0, 52))
 *     56 magic              byte[8] = TABLE_MAGIC
 *
 * The blocks tile the file with no gaps: data blocks from offset 0, then filter, properties and
 * index, then the footer. Every byte is covered by a checksum (a block's or the footer's).
 */

import { fromUtf8, utf8 } from '../codec/bytes.js';
import { crc32c, maskCrc, unmaskCrc } from '../codec/crc32c.js';
import { getFixed32, getFixed64, putFixed32, putFixed64 } from '../codec/fixed.js';
import { getVarint, putVarint, varintLength } from '../codec/varint.js';
import { CorruptionError } from '../errors.js';
import { TRAILER_BYTES, compareEncodedInternal, isKind } from '../keys/internal-key.js';
import { BLOCK_TRAILER_BYTES, type BlockHandle } from './block-format.js';

/** Last 8 bytes of every SST: 0x8a "PRLSST" "\n". Written to disk; never change. */
export const TABLE_MAGIC = [0x8a, 0x50, 0x52, 0x4c, 0x53, 0x53, 0x54, 0x0a] as const;

/** Table format versions, a linear history. Written to disk; never change or reuse a value. */
export const TableFormatVersion = {
  /** blocks with restart points + crc32c trailers, whole-table bloom, tagged properties */
  V1: 1,
} as const;
export type TableFormatVersion = (typeof TableFormatVersion)[keyof typeof TableFormatVersion];
export const CURRENT_TABLE_FORMAT_VERSION: TableFormatVersion = TableFormatVersion.V1;

export const FOOTER_BYTES = 64;
const FOOTER_CRC_OFFSET = 52;
const FOOTER_MAGIC_OFFSET = 56;

/** Property tags. Written to disk; never change or reuse a value. */
export const PropertyTag = {
  SMALLEST_KEY: 1,
  LARGEST_KEY: 2,
  ENTRY_COUNT: 3,
  DELETION_COUNT: 4,
  VALUE_POINTER_COUNT: 5,
  /** sum of the `length` of every value pointer: vlog bytes this table references */
  VALUE_POINTER_BYTES: 6,
  MIN_SEQ: 7,
  MAX_SEQ: 8,
  /** sum of encoded internal key lengths (user key + 8) */
  RAW_KEY_BYTES: 9,
  /** sum of stored value lengths */
  RAW_VALUE_BYTES: 10,
  DATA_BLOCK_COUNT: 11,
  /** optional: creation time, epoch ms (0 = unknown) */
  CREATED_AT_MS: 12,
  /** optional: UTF-8 note on what wrote the table, e.g. "flush" or "compaction L1->L2" */
  CREATOR: 13,
} as const;

export interface TableProperties {
  /** encoded internal keys (keys/internal-key.ts) of the first and last entries */
  smallestKey: Uint8Array;
  largestKey: Uint8Array;
  entryCount: number;
  deletionCount: number;
  valuePointerCount: number;
  valuePointerBytes: number;
  minSeq: number;
  maxSeq: number;
  rawKeyBytes: number;
  rawValueBytes: number;
  dataBlockCount: number;
  createdAtMs: number;
  creator: string;
}

export interface Footer {
  indexHandle: BlockHandle;
  filterHandle: BlockHandle;
  propertiesHandle: BlockHandle;
  formatVersion: TableFormatVersion;
}

export function encodeFooter(footer: Footer): Uint8Array {
  const out = new Uint8Array(FOOTER_BYTES);
  putFixed64(out, 0, footer.indexHandle.offset);
  putFixed64(out, 8, footer.indexHandle.size);
  putFixed64(out, 16, footer.filterHandle.offset);
  putFixed64(out, 24, footer.filterHandle.size);
  putFixed64(out, 32, footer.propertiesHandle.offset);
  putFixed64(out, 40, footer.propertiesHandle.size);
  putFixed32(out, 48, footer.formatVersion);
  putFixed32(out, FOOTER_CRC_OFFSET, maskCrc(crc32c(out, 0, FOOTER_CRC_OFFSET)));
  out.set(TABLE_MAGIC, FOOTER_MAGIC_OFFSET);
  return out;
}

/**
 * Decodes the footer `bytes` (the last FOOTER_BYTES of a file of `fileBytes`) and checks magic,
 * checksum, version and that the blocks tile [0, fileBytes - FOOTER_BYTES) in writer order.
 */
export function decodeFooter(bytes: Uint8Array, file: string, fileBytes: number): Footer {
  const footerOffset = fileBytes - FOOTER_BYTES;
  if (footerOffset < 0 || bytes.length !== FOOTER_BYTES) {
    throw new CorruptionError(file, 0, `file of ${fileBytes} bytes is too short for an SST footer`);
  }
  for (let i = 0; i < TABLE_MAGIC.length; i++) {
    if (bytes[FOOTER_MAGIC_OFFSET + i] !== TABLE_MAGIC[i]) {
      throw new CorruptionError(file, footerOffset + FOOTER_MAGIC_OFFSET, 'bad SST magic number (not an SST or truncated)');
    }
  }
  if (unmaskCrc(getFixed32(bytes, FOOTER_CRC_OFFSET)) !== crc32c(bytes, 0, FOOTER_CRC_OFFSET)) {
    throw new CorruptionError(file, footerOffset, 'footer checksum mismatch');
  }
  const version = getFixed32(bytes, 48);
  if (version !== TableFormatVersion.V1) {
    throw new CorruptionError(file, footerOffset + 48, `unsupported SST format version ${version}`);
  }
  const handle = (at: number): BlockHandle => {
    const offset = getFixed64(bytes, at);
    const size = getFixed64(bytes, at + 8);
    if (Number.isNaN(offset) || Number.isNaN(size)) throw new CorruptionError(file, footerOffset + at, 'block handle out of range');
    return { offset, size };
  };
  const footer: Footer = {
    indexHandle: handle(0),
    filterHandle: handle(16),
    propertiesHandle: handle(32),
    formatVersion: version,
  };
  checkTiling(footer, file, footerOffset);
  return footer;
}

function checkTiling(footer: Footer, file: string, footerOffset: number): void {
  const end = (h: BlockHandle): number => h.offset + h.size + BLOCK_TRAILER_BYTES;
  const { filterHandle, propertiesHandle, indexHandle } = footer;
  if (
    filterHandle.offset < 1 ||
    end(filterHandle) !== propertiesHandle.offset ||
    end(propertiesHandle) !== indexHandle.offset ||
    end(indexHandle) !== footerOffset
  ) {
    throw new CorruptionError(file, footerOffset, 'footer block handles do not tile the file');
  }
}

export function encodeProperties(properties: TableProperties): Uint8Array {
  const fields: Array<[number, Uint8Array]> = [
    [PropertyTag.SMALLEST_KEY, properties.smallestKey],
    [PropertyTag.LARGEST_KEY, properties.largestKey],
    [PropertyTag.ENTRY_COUNT, varintBytes(properties.entryCount)],
    [PropertyTag.DELETION_COUNT, varintBytes(properties.deletionCount)],
    [PropertyTag.VALUE_POINTER_COUNT, varintBytes(properties.valuePointerCount)],
    [PropertyTag.VALUE_POINTER_BYTES, varintBytes(properties.valuePointerBytes)],
    [PropertyTag.MIN_SEQ, varintBytes(properties.minSeq)],
    [PropertyTag.MAX_SEQ, varintBytes(properties.maxSeq)],
    [PropertyTag.RAW_KEY_BYTES, varintBytes(properties.rawKeyBytes)],
    [PropertyTag.RAW_VALUE_BYTES, varintBytes(properties.rawValueBytes)],
    [PropertyTag.DATA_BLOCK_COUNT, varintBytes(properties.dataBlockCount)],
    [PropertyTag.CREATED_AT_MS, varintBytes(properties.createdAtMs)],
    [PropertyTag.CREATOR, utf8(properties.creator)],
  ];
  let length = 0;
  for (const [tag, value] of fields) length += varintLength(tag) + varintLength(value.length) + value.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const [tag, value] of fields) {
    offset = putVarint(out, offset, tag);
    offset = putVarint(out, offset, value.length);
    out.set(value, offset);
    offset += value.length;
  }
  return out;
}

function varintBytes(value: number): Uint8Array {
  const out = new Uint8Array(varintLength(value));
  putVarint(out, 0, value);
  return out;
}

/** Decodes properties block contents read at absolute `fileOffset`; checks required fields. */
export function decodeProperties(contents: Uint8Array, file: string, fileOffset: number): TableProperties {
  const values = new Map<number, Uint8Array>();
  let offset = 0;
  let lastTag = 0;
  while (offset < contents.length) {
    const tag = getVarint(contents, offset);
    const length = tag === undefined ? undefined : getVarint(contents, tag.next);
    if (tag === undefined || length === undefined || length.next + length.value > contents.length) {
      throw new CorruptionError(file, fileOffset + offset, 'bad property record');
    }
    if (tag.value <= lastTag) throw new CorruptionError(file, fileOffset + offset, `property tag ${tag.value} out of order`);
    lastTag = tag.value;
    values.set(tag.value, contents.subarray(length.next, length.next + length.value));
    offset = length.next + length.value;
  }
  const bytesOf = (tag: number): Uint8Array => {
    const value = values.get(tag);
    if (value === undefined) throw new CorruptionError(file, fileOffset, `missing property ${tag}`);
    return value;
  };
  const numberOf = (tag: number, optional = false): number => {
    const value = values.get(tag);
    if (value === undefined && optional) return 0;
    const bytes = bytesOf(tag);
    const decoded = getVarint(bytes, 0);
    if (decoded === undefined || decoded.next !== bytes.length) {
      throw new CorruptionError(file, fileOffset, `bad number in property ${tag}`);
    }
    return decoded.value;
  };
  const creator = values.get(PropertyTag.CREATOR);
  const properties: TableProperties = {
    smallestKey: bytesOf(PropertyTag.SMALLEST_KEY).slice(),
    largestKey: bytesOf(PropertyTag.LARGEST_KEY).slice(),
    entryCount: numberOf(PropertyTag.ENTRY_COUNT),
    deletionCount: numberOf(PropertyTag.DELETION_COUNT),
    valuePointerCount: numberOf(PropertyTag.VALUE_POINTER_COUNT),
    valuePointerBytes: numberOf(PropertyTag.VALUE_POINTER_BYTES),
    minSeq: numberOf(PropertyTag.MIN_SEQ),
    maxSeq: numberOf(PropertyTag.MAX_SEQ),
    rawKeyBytes: numberOf(PropertyTag.RAW_KEY_BYTES),
    rawValueBytes: numberOf(PropertyTag.RAW_VALUE_BYTES),
    dataBlockCount: numberOf(PropertyTag.DATA_BLOCK_COUNT),
    createdAtMs: numberOf(PropertyTag.CREATED_AT_MS, true),
    creator: creator === undefined ? '' : fromUtf8(creator),
  };
  checkProperties(properties, file, fileOffset);
  return properties;
}

function checkProperties(p: TableProperties, file: string, fileOffset: number): void {
  const bad = (reason: string): never => {
    throw new CorruptionError(file, fileOffset, `inconsistent properties: ${reason}`);
  };
  for (const key of [p.smallestKey, p.largestKey]) {
    if (key.length < TRAILER_BYTES || !isKind(key[key.length - 1] as number)) bad('bad bound key');
  }
  if (compareEncodedInternal(p.smallestKey, p.largestKey) > 0) bad('smallest key > largest key');
  if (p.entryCount < 1 || p.dataBlockCount < 1 || p.dataBlockCount > p.entryCount) bad('counts');
  if (p.deletionCount + p.valuePointerCount > p.entryCount) bad('kind counts exceed entry count');
  if (p.minSeq > p.maxSeq) bad('min seq > max seq');
}
