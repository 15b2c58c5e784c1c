// Goal: resolveOptions fills every default and refuses each kind of bad option with an
// INVALID_ARGUMENT naming it: not an object, unknown names, no dir, out-of-range and
// non-integer numbers, misordered L0 triggers, wrong types for booleans, compression, nowMs, seed.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { DEFAULTS, resolveOptions, type DbOptions } from './options.js';

function refusal(options: unknown): string {
  try {
    resolveOptions(options as DbOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
}

describe('resolveOptions', () => {
  it('fills the defaults', () => {
    const resolved = resolveOptions({ dir: '/db' });
    expect(resolved).toMatchObject({ ...DEFAULTS, dir: '/db', compression: 'none', readOnly: false, inMemory: false, autoValueLogGc: true, seed: 0x5eed });
    expect(resolved.nowMs).toBe(Date.now);
    expect(resolveOptions({ inMemory: true }).dir).toBe('/memory');
    const nowMs = (): number => 5;
    expect(resolveOptions({ dir: 'd', syncWrites: false, readOnly: true, autoValueLogGc: false, compression: 'none', nowMs, seed: 7 })).toMatchObject({
      syncWrites: false, readOnly: true, autoValueLogGc: false, nowMs, seed: 7,
    });
  });

  it('refuses what is not an options object, unknown names and a missing dir', () => {
    expect(refusal(null)).toBe('options must be an object');
    expect(refusal('dir')).toBe('options must be an object');
    expect(refusal({ dir: '/db', memtableBytes: 1 })).toBe('unknown option memtableBytes');
    expect(refusal({})).toMatch(/option dir must be a non-empty path/);
    expect(refusal({ dir: '' })).toMatch(/option dir must be a non-empty path/);
    expect(refusal({ dir: 5 })).toMatch(/option dir must be a non-empty path/);
  });

  it('refuses numbers out of range, fractional or not numbers', () => {
    expect(refusal({ dir: 'd', memTableBytes: 1024 })).toBe(`option memTableBytes must be an integer from 4096 to ${2048 * 1024 * 1024}; got 1024`);
    expect(refusal({ dir: 'd', numLevels: 13 })).toBe('option numLevels must be an integer from 2 to 12; got 13');
    expect(refusal({ dir: 'd', bloomBitsPerKey: 1.5 })).toMatch(/option bloomBitsPerKey must be an integer .*; got 1\.5/);
    expect(refusal({ dir: 'd', lockTimeoutMs: '10' })).toMatch(/option lockTimeoutMs must be an integer .*; got 10/);
    expect(resolveOptions({ dir: 'd', lockTimeoutMs: 0, blockCacheBytes: 0 })).toMatchObject({ lockTimeoutMs: 0, blockCacheBytes: 0 }); // the minimums
  });

  it('refuses L0 triggers out of order', () => {
    const message = 'options must satisfy l0CompactionTrigger <= l0SlowdownTrigger <= l0StopTrigger';
    expect(refusal({ dir: 'd', l0CompactionTrigger: 9 })).toBe(message); // 9 > slowdown 8
    expect(refusal({ dir: 'd', l0SlowdownTrigger: 13 })).toBe(message); // 13 > stop 12
    expect(resolveOptions({ dir: 'd', l0CompactionTrigger: 2, l0SlowdownTrigger: 2, l0StopTrigger: 2 }).l0StopTrigger).toBe(2);
  });

  it('refuses wrong types for booleans, compression, nowMs and seed', () => {
    for (const name of ['inMemory', 'syncWrites', 'readOnly', 'autoValueLogGc']) {
      expect(refusal({ dir: 'd', [name]: 'yes' })).toBe(`option ${name} must be a boolean`);
    }
    expect(refusal({ dir: 'd', compression: 'snappy' })).toBe("option compression must be 'none'; got snappy");
    expect(refusal({ dir: 'd', nowMs: 5 })).toBe('option nowMs must be a function');
    expect(refusal({ dir: 'd', seed: 0.5 })).toBe('option seed must be an integer');
  });
});
