/**
 * Goal: the block cache evicts exactly as second-chance FIFO (CLOCK) with byte accounting that
 * never exceeds its capacity, and memoized entries report when they left the cache.
 * Method: scripted cases, then random operations (seed printed) against a simple array model.
 */

import { describe, expect, it } from 'vitest';
import { BlockCache } from './block-cache.js';
import { makeRng } from './test-files.test-util.js';

const seed = Number(process.env['SEED'] ?? Date.now());
console.log(`block-cache.test.ts seed=${seed}`);

function block(bytes: number, fill = 0): Uint8Array {
  return new Uint8Array(bytes).fill(fill);
}

describe('BlockCache', () => {
  it('evicts the oldest unreferenced block, gives referenced ones a second chance, charges by block bytes', () => {
    const cache = new BlockCache(300);
    cache.insert(1, 0, block(100, 1));
    cache.insert(1, 100, block(100, 2));
    cache.insert(2, 0, block(100, 3));
    expect(cache.usedBytes).toBe(300);
    expect(cache.get(1, 0)?.[0]).toBe(1); // 1:0 referenced: survives the next eviction
    cache.insert(3, 0, block(50, 4)); // 1:0 moves to the new end unreferenced; evicts 1:100
    expect(cache.get(1, 100)).toBeUndefined();
    expect(cache.usedBytes).toBe(250);
    expect(cache.blockCount).toBe(3);
    cache.insert(3, 50, block(150, 5)); // order 2:0, 1:0, 3:0: evicts 2:0 only (150 + 150 fits)
    expect(cache.get(2, 0)).toBeUndefined();
    expect(cache.get(1, 0)?.[0]).toBe(1);
    expect(cache.get(3, 0)?.[0]).toBe(4);
    expect(cache.usedBytes).toBe(300);
    expect(cache.hits).toBe(3);
    expect(cache.misses).toBe(2);
    expect(cache.stats()).toEqual({ capacityBytes: 300, usedBytes: 300, blockCount: 3, hits: 3, misses: 2 });
    // order 1:0 (referenced), 3:0 (referenced), 3:50: both get a second chance, 3:50 goes
    cache.insert(4, 0, block(1));
    expect(cache.get(3, 50)).toBeUndefined();
    expect(cache.usedBytes).toBe(151);
  });

  it('memoized entries: live until evicted, touch counts a hit, attachments are charged and dropped with the block', () => {
    const cache = new BlockCache(300);
    const a = cache.insert(1, 0, block(100, 1));
    expect(a?.live).toBe(true);
    expect(cache.attach(a as NonNullable<typeof a>, { chargeBytes: 50 })).toBe(true);
    expect(cache.usedBytes).toBe(150);
    cache.touch(a as NonNullable<typeof a>);
    expect(cache.hits).toBe(1);
    expect(cache.attach(a as NonNullable<typeof a>, { chargeBytes: 201 })).toBe(false); // 100 + 201 > 300: unchanged
    expect(a?.attachment?.chargeBytes).toBe(50);
    expect(cache.usedBytes).toBe(150);
    const b = cache.insert(1, 100, block(100, 2));
    expect(cache.usedBytes).toBe(250);
    // replacing the attachment by one of 150 needs room: the oldest other entry (b) goes, never `a` itself
    expect(cache.attach(a as NonNullable<typeof a>, { chargeBytes: 150 })).toBe(true);
    expect(b?.live).toBe(false);
    expect(cache.usedBytes).toBe(250);
    expect(cache.blockCount).toBe(1);
    expect(cache.lookup(1, 0)?.attachment?.chargeBytes).toBe(150);
    const handedOut = cache.get(1, 0);
    cache.evictFile(1);
    expect(a?.live).toBe(false);
    expect(a?.block.length).toBe(0); // a stale memo keeps no memory...
    expect(a?.attachment).toBeUndefined();
    expect(handedOut?.length).toBe(100); // ...while arrays handed out earlier stay valid
    expect(handedOut?.[0]).toBe(1);
    expect(() => cache.touch(a as NonNullable<typeof a>)).toThrow();
    expect(cache.usedBytes).toBe(0);
    const c = cache.insert(2, 0, block(10));
    cache.clear();
    expect(c?.live).toBe(false);
    expect(cache.insert(2, 0, block(301))).toBeUndefined();
  });

  it('does not cache blocks larger than the capacity, and replaces same-key entries', () => {
    const cache = new BlockCache(100);
    cache.insert(1, 0, block(50));
    cache.insert(1, 0, block(70, 9));
    expect(cache.usedBytes).toBe(70);
    expect(cache.blockCount).toBe(1);
    cache.insert(1, 500, block(101));
    expect(cache.get(1, 500)).toBeUndefined();
    expect(cache.usedBytes).toBe(70);
    expect(new BlockCache(0).usedBytes).toBe(0);
  });

  it('evictFile drops exactly that file\'s blocks', () => {
    const cache = new BlockCache(1000);
    for (let i = 0; i < 4; i++) {
      cache.insert(7, i * 10, block(10));
      cache.insert(8, i * 10, block(20));
    }
    cache.evictFile(7);
    expect(cache.usedBytes).toBe(80);
    expect(cache.blockCount).toBe(4);
    expect(cache.get(7, 0)).toBeUndefined();
    expect(cache.get(8, 30)).toBeDefined();
    cache.evictFile(99);
    cache.clear();
    expect(cache.usedBytes).toBe(0);
    expect(cache.get(8, 30)).toBeUndefined();
  });

  it(`agrees with an array second-chance FIFO model under random operations (seed ${seed})`, () => {
    const rng = makeRng(seed);
    const capacity = 1000;
    const cache = new BlockCache(capacity);
    let model: Array<{ file: number; offset: number; bytes: number; tag: number; referenced: boolean }> = []; // oldest first
    for (let step = 0; step < 20_000; step++) {
      const file = Math.floor(rng() * 4);
      const offset = Math.floor(rng() * 10) * 100;
      const roll = rng();
      if (roll < 0.5) {
        const index = model.findIndex((e) => e.file === file && e.offset === offset);
        const got = cache.get(file, offset);
        if (index < 0) {
          expect(got).toBeUndefined();
        } else {
          const entry = model[index] as (typeof model)[number];
          expect(got?.[0]).toBe(entry.tag);
          entry.referenced = true;
        }
      } else if (roll < 0.97) {
        const bytes = 1 + Math.floor(rng() * 300);
        const tag = step & 0xff;
        cache.insert(file, offset, block(bytes, tag));
        model = model.filter((e) => !(e.file === file && e.offset === offset));
        let used = model.reduce((sum, e) => sum + e.bytes, 0);
        while (used + bytes > capacity && model.length > 0) {
          const oldest = model.shift() as (typeof model)[number];
          if (oldest.referenced) {
            oldest.referenced = false;
            model.push(oldest);
          } else {
            used -= oldest.bytes;
          }
        }
        model.push({ file, offset, bytes, tag, referenced: false });
      } else {
        cache.evictFile(file);
        model = model.filter((e) => e.file !== file);
      }
      expect(cache.usedBytes).toBe(model.reduce((sum, e) => sum + e.bytes, 0));
      expect(cache.usedBytes).toBeLessThanOrEqual(capacity);
      expect(cache.blockCount).toBe(model.length);
    }
  });
});
