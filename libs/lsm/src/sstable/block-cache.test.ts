/**
 * Goal: the block cache is an exact LRU with byte accounting that never exceeds its capacity.
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
  it('evicts least recently used blocks and charges by block bytes', () => {
    const cache = new BlockCache(300);
    cache.insert(1, 0, block(100, 1));
    cache.insert(1, 100, block(100, 2));
    cache.insert(2, 0, block(100, 3));
    expect(cache.usedBytes).toBe(300);
    expect(cache.get(1, 0)?.[0]).toBe(1); // 1:0 becomes most recent
    cache.insert(3, 0, block(50, 4)); // evicts 1:100 (oldest)
    expect(cache.get(1, 100)).toBeUndefined();
    expect(cache.usedBytes).toBe(250);
    expect(cache.blockCount).toBe(3);
    cache.insert(3, 50, block(150, 5)); // evicts 2:0 only: 150 + 150 fits exactly
    expect(cache.get(2, 0)).toBeUndefined();
    expect(cache.get(1, 0)?.[0]).toBe(1);
    expect(cache.get(3, 0)?.[0]).toBe(4);
    expect(cache.usedBytes).toBe(300);
    expect(cache.hits).toBe(3);
    expect(cache.misses).toBe(2);
    expect(cache.stats()).toEqual({ capacityBytes: 300, usedBytes: 300, blockCount: 3, hits: 3, misses: 2 });
    cache.insert(4, 0, block(1)); // evicts 3:50, the least recently used
    expect(cache.get(3, 50)).toBeUndefined();
    expect(cache.usedBytes).toBe(151);
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

  it(`agrees with an array LRU model under random operations (seed ${seed})`, () => {
    const rng = makeRng(seed);
    const capacity = 1000;
    const cache = new BlockCache(capacity);
    let model: Array<{ file: number; offset: number; bytes: number; tag: number }> = []; // oldest first
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
          model.splice(index, 1);
          model.push(entry);
        }
      } else if (roll < 0.97) {
        const bytes = 1 + Math.floor(rng() * 300);
        const tag = step & 0xff;
        cache.insert(file, offset, block(bytes, tag));
        model = model.filter((e) => !(e.file === file && e.offset === offset));
        let used = model.reduce((sum, e) => sum + e.bytes, 0);
        while (used + bytes > capacity && model.length > 0) used -= (model.shift() as (typeof model)[number]).bytes;
        model.push({ file, offset, bytes, tag });
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
