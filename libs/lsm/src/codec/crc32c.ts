/**
 * CRC-32C (Castagnoli, polynomial 0x82F63B78, reflected), slicing-by-8, as used by LevelDB,
 * RocksDB and ext4. `maskCrc` is LevelDB's mask: a CRC stored inside data that is itself
 * checksummed is rotated and offset so that CRCs of CRCs do not collide trivially.
 */

const POLY = 0x82f63b78;
/**
 * Int32Array tables and int32 arithmetic throughout (XOR of int32s stays int32; only the result
 * is turned into an unsigned number): with Uint32Array loads V8 speculates on small integers and
 * deoptimized this function hundreds of times per second ("lost precision") on the write path.
 */
const TABLES: Int32Array[] = [];

function buildTables(): void {
  const t0 = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[n] = c | 0;
  }
  TABLES.push(t0);
  for (let t = 1; t < 8; t++) {
    const prev = TABLES[t - 1] as Int32Array;
    const next = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      const p = prev[n] as number;
      next[n] = (p >>> 8) ^ (t0[p & 0xff] as number);
    }
    TABLES.push(next);
  }
}
buildTables();
const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES as [
  Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array,
];

/** Extends `crc` (initially 0) over `data[start, end)`. */
export function crc32cUpdate(crc: number, data: Uint8Array, start = 0, end = data.length): number {
  let c = ~crc | 0;
  let i = start | 0;
  const stop8 = end - ((end - start) & 7);
  while (i < stop8) {
    const lo = c ^ ((data[i] as number) | ((data[i + 1] as number) << 8) |
      ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24));
    c =
      (T7[lo & 0xff] as number) ^
      (T6[(lo >> 8) & 0xff] as number) ^
      (T5[(lo >> 16) & 0xff] as number) ^
      (T4[(lo >>> 24) & 0xff] as number) ^
      (T3[data[i + 4] as number] as number) ^
      (T2[data[i + 5] as number] as number) ^
      (T1[data[i + 6] as number] as number) ^
      (T0[data[i + 7] as number] as number);
    i += 8;
  }
  while (i < end) {
    c = (T0[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
    i++;
  }
  return ~c >>> 0;
}

export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  return crc32cUpdate(0, data, start, end);
}

const MASK_DELTA = 0xa282ead8;

export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

export function unmaskCrc(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}
