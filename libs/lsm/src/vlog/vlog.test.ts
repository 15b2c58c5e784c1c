// Goal: every pointer the writer hands out reads back its exact value, verified on its own; any
// damage under a pointer is a CorruptionError naming file and offset; a GC scan yields every
// entry, ends cleanly at a torn tail, and refuses to skip damage followed by valid entries.
// Method: in-memory files with short reads, seeded fast-check properties, exhaustive truncation
// and byte flips over a small file, fuzzing, golden bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalBytes, toHex, utf8 } from '../codec/bytes.js';
import { crc32c, maskCrc } from '../codec/crc32c.js';
import { putFixed32 } from '../codec/fixed.js';
import { CorruptionError, IoError } from '../errors.js';
import type { ValuePointer } from '../keys/value-format.js';
import { MemFiles } from '../record/mem-files.test-util.js';
import { decodeVlogEntry, encodeVlogHeader, VLOG_HEADER_BYTES } from './vlog-format.js';
import { VlogReader, type VlogScanEnd, type VlogScanItem } from './vlog-reader.js';
import { VlogWriter } from './vlog-writer.js';
import { propertyRuns } from '../testing/tier.test-util.js';

const seed = Number(process.env['SEED'] ?? Date.now() % 2 ** 31);
const PATH = '/db/000009.vlog';

function expectGolden(name: string, text: string): void {
  const url = new URL(`../../testdata/vlog/${name}`, import.meta.url);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(url, text);
  expect(text).toBe(readFileSync(url, 'utf8'));
}

interface KV {
  key: Uint8Array;
  value: Uint8Array;
}

function kv(i: number, valueBytes: number): KV {
  const value = new Uint8Array(valueBytes);
  for (let j = 0; j < valueBytes; j++) value[j] = (i * 13 + j) & 0xff;
  return { key: utf8(`key-${i}`), value };
}

async function writeVlog(fs: MemFiles, groups: readonly (readonly KV[])[]): Promise<{ writer: VlogWriter; pointers: ValuePointer[] }> {
  const writer = await VlogWriter.create(await fs.openWritable(PATH, { truncate: true }), 9);
  const pointers: ValuePointer[] = [];
  for (const group of groups) {
    pointers.push(...writer.appendValues(group));
    await writer.sync();
  }
  return { writer, pointers };
}

async function reader(fs: MemFiles): Promise<VlogReader> {
  return new VlogReader(await fs.openReadable(PATH), 9);
}

function scanAll(vlog: VlogReader, bytes: Uint8Array): { items: VlogScanItem[]; end: VlogScanEnd } {
  const items: VlogScanItem[] = [];
  const scan = vlog.scan(bytes);
  for (;;) {
    const step = scan.next();
    if (step.done === true) return { items, end: step.value };
    items.push(step.value);
  }
}

function catchCorruption(run: () => unknown): CorruptionError {
  try {
    run();
  } catch (error) {
    if (error instanceof CorruptionError) return error;
    throw error;
  }
  throw new Error('expected a CorruptionError');
}

describe(`value log (seed ${seed})`, () => {
  it('reads back every value by pointer and scans every entry in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.nat(5000), { maxLength: 5 }), { minLength: 1, maxLength: 6 }), async (groups) => {
        const fs = new MemFiles();
        let i = 0;
        const entries = groups.map((group) => group.map((n) => kv(i++, n)));
        const { writer, pointers } = await writeVlog(fs, entries);
        const file = fs.get(PATH);
        expect(file.appendCalls).toBe(1 + groups.slice(1).filter((g) => g.length > 0).length); // header rides the first sync
        expect(writer.size).toBe(file.bytes.length);
        expect(file.syncedBytes).toBe(file.bytes.length);
        const vlog = await reader(fs);
        const flat = entries.flat();
        flat.forEach((entry, j) => expect(equalBytes(vlog.readValue(pointers[j] as ValuePointer), entry.value)).toBe(true));
        const { items, end } = scanAll(vlog, file.bytes);
        expect(end).toEqual({ validEndOffset: file.bytes.length, tornTail: false });
        expect(items.map((item) => item.pointer)).toEqual(pointers);
        items.forEach((item, j) => {
          expect(equalBytes(item.key, (flat[j] as KV).key) && equalBytes(item.value, (flat[j] as KV).value)).toBe(true);
        });
      }),
      { seed, numRuns: propertyRuns(60) },
    );
  });

  it('matches the golden bytes', async () => {
    const fs = new MemFiles();
    await writeVlog(fs, [[kv(1, 5), { key: utf8('k'), value: new Uint8Array(0) }]]);
    expectGolden('vlog-v1.hex', toHex(fs.get(PATH).bytes) + '\n');
  });

  const small = [[kv(1, 10), kv(2, 40)], [kv(3, 0), kv(4, 25)]];

  it('every damaged byte under a pointer is a CorruptionError naming file and offset', async () => {
    const fs = new MemFiles();
    const { pointers } = await writeVlog(fs, small);
    const clean = fs.get(PATH).bytes.slice();
    for (const pointer of pointers) {
      for (let at = pointer.offset; at < pointer.offset + pointer.length; at++) {
        const damaged = clean.slice();
        damaged[at] = (damaged[at] as number) ^ 0x20;
        fs.put(PATH, damaged);
        const vlog = await reader(fs);
        const error = catchCorruption(() => vlog.readValue(pointer));
        expect([error.file, error.offset]).toEqual(['000009.vlog', pointer.offset]);
        for (const other of pointers) if (other !== pointer) expect(() => vlog.readValue(other)).not.toThrow();
      }
    }
  });

  it('rejects pointers that do not name a whole entry', async () => {
    const fs = new MemFiles();
    const { pointers } = await writeVlog(fs, small);
    const vlog = await reader(fs);
    const p = pointers[1] as ValuePointer;
    const size = fs.get(PATH).bytes.length;
    const bad: [ValuePointer, RegExp][] = [
      [{ ...p, offset: 3 }, /inside the file header/],
      [{ ...p, length: 5 }, /too short/],
      [{ ...p, length: p.length + 1 }, /do not match|past the end|checksum/],
      [{ ...p, length: p.length - 1 }, /do not match/],
      [{ ...p, offset: p.offset + 1 }, /do not match|checksum/],
      [{ ...p, offset: size - 4, length: 20 }, /past the end/],
      [{ ...p, length: 2 ** 40 }, /disagrees with the entry header/],
    ];
    for (const [pointer, reason] of bad) expect(catchCorruption(() => vlog.readValue(pointer)).reason).toMatch(reason);
    expect(vlog.readValue(pointers[2] as ValuePointer).length).toBe(0);
  });

  it('a scan of a file cut at any offset yields a prefix and ends as a torn tail', async () => {
    const fs = new MemFiles();
    const { pointers } = await writeVlog(fs, small);
    const bytes = fs.get(PATH).bytes;
    const vlog = await reader(fs);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { items, end } = scanAll(vlog, bytes.subarray(0, cut));
      const whole = pointers.filter((p) => p.offset + p.length <= cut);
      expect(items.map((item) => item.pointer)).toEqual(whole);
      const validEnd = whole.length > 0 ? (whole[whole.length - 1] as ValuePointer).offset + (whole[whole.length - 1] as ValuePointer).length : cut >= VLOG_HEADER_BYTES ? VLOG_HEADER_BYTES : 0;
      expect(end).toEqual({ validEndOffset: validEnd, tornTail: validEnd < cut });
      expect(vlog.validEnd(bytes.subarray(0, cut))).toEqual(end);
    }
  });

  it('damage in the last entry is a torn tail; in an earlier entry, corruption', async () => {
    const fs = new MemFiles();
    const { pointers } = await writeVlog(fs, small);
    const bytes = fs.get(PATH).bytes;
    const vlog = await reader(fs);
    const last = pointers[pointers.length - 1] as ValuePointer;
    for (let at = VLOG_HEADER_BYTES; at < bytes.length; at++) {
      const damaged = bytes.slice();
      damaged[at] = (damaged[at] as number) ^ 0x01;
      if (at >= last.offset) {
        expect(vlog.validEnd(damaged)).toEqual({ validEndOffset: last.offset, tornTail: true });
      } else {
        const hit = pointers.find((p) => at >= p.offset && at < p.offset + p.length) as ValuePointer;
        expect(catchCorruption(() => vlog.validEnd(damaged)).offset).toBe(hit.offset);
      }
    }
    const zeroTail = new Uint8Array(bytes.length + 100);
    zeroTail.set(bytes, 0);
    expect(vlog.validEnd(zeroTail)).toEqual({ validEndOffset: bytes.length, tornTail: true });
  });

  it('checks the header: empty, torn, damaged, foreign, newer version', async () => {
    const fs = new MemFiles();
    await writeVlog(fs, small);
    const bytes = fs.get(PATH).bytes;
    const vlog = await reader(fs);
    expect(vlog.validEnd(new Uint8Array(0))).toEqual({ validEndOffset: 0, tornTail: false });
    expect(vlog.validEnd(bytes.subarray(0, 10))).toEqual({ validEndOffset: 0, tornTail: true });
    const damagedHeaderOnly = encodeVlogHeader();
    damagedHeaderOnly[2] = 0;
    expect(vlog.validEnd(damagedHeaderOnly)).toEqual({ validEndOffset: 0, tornTail: true });
    const damagedHeader = bytes.slice();
    damagedHeader[2] = 0;
    expect(catchCorruption(() => vlog.validEnd(damagedHeader)).offset).toBe(0);
    const foreign = bytes.slice();
    foreign[0] = 0x58;
    putFixed32(foreign, 12, maskCrc(crc32c(foreign, 0, 12)));
    expect(catchCorruption(() => vlog.validEnd(foreign)).reason).toMatch(/bad magic/);
    const newer = bytes.slice();
    putFixed32(newer, 8, 2);
    putFixed32(newer, 12, maskCrc(crc32c(newer, 0, 12)));
    expect(catchCorruption(() => vlog.validEnd(newer)).reason).toMatch(/unsupported value-log version 2/);
  });

  it('refuses use after a failed append or fsync, and never retries the fsync', async () => {
    const fs = new MemFiles();
    const { writer } = await writeVlog(fs, small);
    fs.faults.failSync = true;
    writer.appendValues([kv(5, 3)]);
    await expect(writer.sync()).rejects.toMatchObject({ code: 'EIO' });
    fs.faults.failSync = false;
    const syncs = fs.get(PATH).syncCalls;
    await expect(writer.sync()).rejects.toBeInstanceOf(IoError);
    expect(fs.get(PATH).syncCalls).toBe(syncs);
    expect(() => writer.appendValues([kv(6, 3)])).toThrow(IoError);

    const other = new MemFiles();
    const second = await writeVlog(other, small);
    other.faults.failAppend = true;
    second.writer.appendValues([kv(7, 3)]);
    await expect(second.writer.sync()).rejects.toMatchObject({ code: 'EIO' });
    await expect(second.writer.sync()).rejects.toBeInstanceOf(IoError);
  });

  it('concurrent syncs run one after another', async () => {
    const fs = new MemFiles();
    const writer = await VlogWriter.create(await fs.openWritable(PATH), 9);
    const a = writer.appendValues([kv(1, 100)]);
    const first = writer.sync();
    const b = writer.appendValues([kv(2, 100)]);
    await Promise.all([first, writer.sync()]);
    const vlog = await reader(fs);
    expect(vlog.readValue(a[0] as ValuePointer).length).toBe(100);
    expect(vlog.readValue(b[0] as ValuePointer).length).toBe(100);
    await writer.close();
  });

  it('fuzz: decoders return entries or CorruptionError for random and mutated bytes', async () => {
    const fs = new MemFiles();
    await writeVlog(fs, small);
    const valid = fs.get(PATH).bytes.slice();
    const vlog = await reader(fs);
    const mutated = fc
      .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 })
      .map((flips) => {
        const bytes = valid.slice();
        for (const [at, mask] of flips) bytes[at] = (bytes[at] as number) ^ mask;
        return bytes;
      });
    const random = fc.uint8Array({ maxLength: 300 }).map((body) => {
      const bytes = new Uint8Array(VLOG_HEADER_BYTES + body.length);
      bytes.set(encodeVlogHeader(), 0);
      bytes.set(body, VLOG_HEADER_BYTES);
      return bytes;
    });
    fc.assert(
      fc.property(fc.oneof(mutated, random, fc.uint8Array({ maxLength: 40 })), fc.nat(300), (bytes, offset) => {
        for (const run of [() => vlog.validEnd(bytes), () => decodeVlogEntry(bytes.subarray(Math.min(offset, bytes.length)), 'v', offset)]) {
          try {
            run();
          } catch (error) {
            expect(error).toBeInstanceOf(CorruptionError);
          }
        }
      }),
      { seed, numRuns: propertyRuns(2000) },
    );
  });
});
