/**
 * Goal: MemFs keeps the Fs contract and produces exactly the documented crash states.
 * Method: the shared contract suite; then, per crash mode, hand-built histories whose surviving
 * bytes and names are asserted exactly; determinism per seed; the mutation counter, the hook and
 * `crashAfterMutations` semantics (the k-th op resolves, later ops reject ECRASHED, crashState).
 */

import { describe, expect, it } from 'vitest';
import { describeFsContract } from '../fs/fs-contract.test-util.js';
import { MemFs } from './mem-fs.js';
import type { CrashMode } from './mem-fs.js';

describeFsContract('MemFs', async () => {
  const fs = new MemFs();
  await fs.mkdir('/db');
  return { fs, dir: '/db' };
});

const b = (...values: number[]): Uint8Array => Uint8Array.from(values);
const text = (data: Uint8Array | undefined): string => (data === undefined ? '<none>' : [...data].join(','));

async function read(fs: MemFs, path: string): Promise<string> {
  return fs.readFile(path).then(text, () => '<none>');
}

/** /db synced with file f = [1,2] durable; then unsynced append [3,4] and an unsynced new file g. */
async function history(): Promise<MemFs> {
  const fs = new MemFs();
  await fs.mkdir('/db');
  await fs.syncDir('/');
  const f = await fs.openWritable('/db/f');
  await f.append(b(1, 2));
  await f.sync();
  await fs.syncDir('/db');
  await f.append(b(3, 4));
  const g = await fs.openWritable('/db/g');
  await g.append(b(9));
  await g.sync();
  return fs;
}

describe('MemFs crash modes', () => {
  it("'synced' keeps synced bytes and synced names only", async () => {
    const fs = await history();
    const after = fs.crashClone('synced');
    expect(await read(after, '/db/f')).toBe('1,2');
    expect(await read(after, '/db/g')).toBe('<none>');
    expect(await after.readdir('/db')).toEqual(['f']);
    expect(await read(fs, '/db/f')).toBe('1,2,3,4');
  });

  it("'synced' loses a directory whose creation was not synced in its parent", async () => {
    const fs = new MemFs();
    await fs.mkdir('/a/b');
    await fs.syncDir('/a/b');
    await fs.createExclusive('/a/b/x', b(1));
    await fs.syncDir('/a/b');
    expect(await fs.crashClone('synced').readdir('/')).toEqual([]);
    await fs.syncDir('/a');
    await fs.syncDir('/');
    expect(await read(fs.crashClone('synced'), '/a/b/x')).toBe('1');
  });

  it("'synced' undoes a rename and an unlink that were not dir-synced", async () => {
    const fs = new MemFs();
    await fs.mkdir('/d');
    await fs.createExclusive('/d/CURRENT', b(1));
    await fs.createExclusive('/d/CURRENT.dbtmp', b(2));
    await fs.createExclusive('/d/old', b(3));
    await fs.syncDir('/d');
    await fs.syncDir('/');
    await fs.rename('/d/CURRENT.dbtmp', '/d/CURRENT');
    await fs.unlink('/d/old');
    const lost = fs.crashClone('synced');
    expect(await lost.readdir('/d')).toEqual(['CURRENT', 'CURRENT.dbtmp', 'old']);
    expect(await read(lost, '/d/CURRENT')).toBe('1');
    await fs.syncDir('/d');
    const kept = fs.crashClone('synced');
    expect(await kept.readdir('/d')).toEqual(['CURRENT']);
    expect(await read(kept, '/d/CURRENT')).toBe('2');
  });

  it("'synced' needs both directories synced for a cross-directory rename", async () => {
    const fs = new MemFs();
    await fs.mkdir('/s');
    await fs.mkdir('/t');
    await fs.createExclusive('/s/f', b(5));
    await fs.syncDir('/s');
    await fs.syncDir('/');
    await fs.rename('/s/f', '/t/f');
    await fs.syncDir('/t');
    const halfway = fs.crashClone('synced');
    expect(await read(halfway, '/s/f')).toBe('5');
    expect(await read(halfway, '/t/f')).toBe('5');
    await fs.syncDir('/s');
    expect(await fs.crashClone('synced').readdir('/s')).toEqual([]);
  });

  it("'synced' brings back the old bytes of a file reopened with truncate but not synced", async () => {
    const fs = new MemFs();
    await fs.createExclusive('/f', b(1, 2, 3));
    await fs.syncDir('/');
    const file = await fs.openWritable('/f', { truncate: true });
    await file.append(b(7));
    expect(await read(fs, '/f')).toBe('7');
    expect(await read(fs.crashClone('synced'), '/f')).toBe('1,2,3');
    expect(await read(fs.crashClone('lost-dirents'), '/f')).toBe('7');
    await file.sync();
    expect(await read(fs.crashClone('synced'), '/f')).toBe('7');
  });

  it("'random' and 'torn' keep the bytes of appends later overwritten after a truncate", async () => {
    const fs = new MemFs();
    const file = await fs.openWritable('/f');
    await file.append(b(1, 2, 3, 4));
    await file.sync();
    await fs.syncDir('/');
    await file.append(b(5, 6));
    const again = await fs.openWritable('/f', { truncate: true });
    await again.append(b(9, 9, 9, 9, 9, 9, 9));
    // The 8 subsets of the 3 pending operations replayed on the synced bytes give 4 outcomes:
    // {} {5,6} | {truncate} {5,6 + truncate} | any subset with the seven 9s (written at offset 0).
    const expected = new Set(['1,2,3,4', '1,2,3,4,5,6', '', '9,9,9,9,9,9,9']);
    const seen = new Set<string>();
    for (let seed = 0; seed < 100; seed++) {
      const data = await read(fs.crashClone('random', seed), '/f');
      expect(expected, `seed ${seed}`).toContain(data);
      seen.add(data);
    }
    expect(seen).toEqual(expected);
    expect(await read(fs.crashClone('synced'), '/f')).toBe('1,2,3,4');
    for (let seed = 0; seed < 20; seed++) {
      const torn = await fs.crashClone('torn', seed).readFile('/f');
      expect(torn.length).toBe(7);
      expect(torn.some((x) => x !== 9)).toBe(true);
    }
  });

  it("'lost-dirents' keeps all file bytes but only synced names", async () => {
    const fs = await history();
    const after = fs.crashClone('lost-dirents');
    expect(await read(after, '/db/f')).toBe('1,2,3,4');
    expect(await after.readdir('/db')).toEqual(['f']);
  });

  it("'torn' keeps a prefix of the last unsynced append and fills the rest with zeros or noise", async () => {
    const fs = new MemFs();
    const file = await fs.openWritable('/w');
    await file.append(b(1, 1));
    await file.sync();
    await file.append(b(2, 2));
    await file.append(Uint8Array.from({ length: 64 }, () => 7));
    const fills = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const data = await fs.crashClone('torn', seed).readFile('/w');
      expect(data.length).toBe(68);
      expect(text(data.subarray(0, 4))).toBe('1,1,2,2');
      const torn = data.subarray(4);
      let kept = 0;
      while (kept < torn.length && torn[kept] === 7) kept++;
      expect(kept).toBeLessThan(64);
      const rest = torn.subarray(kept);
      fills.add(rest.every((x) => x === 0) ? 'zeros' : 'noise');
    }
    expect(fills).toEqual(new Set(['zeros', 'noise']));
  });

  it("'torn' keeps the current names and leaves files without unsynced appends intact", async () => {
    const fs = await history();
    const after = fs.crashClone('torn', 3);
    expect(await after.readdir('/db')).toEqual(['f', 'g']);
    expect(await read(after, '/db/g')).toBe('9');
    expect(text((await after.readFile('/db/f')).subarray(0, 2))).toBe('1,2');
  });

  it("'random' keeps each unsynced operation with p = 0.5, deterministically per seed", async () => {
    const fs = new MemFs();
    await fs.mkdir('/r');
    await fs.syncDir('/');
    await fs.syncDir('/r');
    const file = await fs.openWritable('/r/log');
    for (let i = 1; i <= 8; i++) await file.append(b(i));
    const outcomes = new Map<string, number>();
    for (let seed = 0; seed < 200; seed++) {
      const after = fs.crashClone('random', seed);
      const again = fs.crashClone('random', seed);
      const data = await read(after, '/r/log');
      expect(await read(again, '/r/log')).toBe(data);
      outcomes.set(data, (outcomes.get(data) ?? 0) + 1);
      if (data === '<none>') continue;
      const bytes = data === '' ? [] : data.split(',').map(Number);
      bytes.forEach((value, index) => expect([0, index + 1]).toContain(value));
    }
    expect(outcomes.get('<none>') ?? 0).toBeGreaterThan(60);
    expect(outcomes.get('<none>') ?? 0).toBeLessThan(140);
    expect(outcomes.size).toBeGreaterThan(20);
  });

  it("'random' replays a kept rename only onto the inode it moved", async () => {
    const fs = new MemFs();
    await fs.createExclusive('/CURRENT', b(1));
    await fs.syncDir('/');
    await fs.createExclusive('/tmp', b(2));
    await fs.rename('/tmp', '/CURRENT');
    const seen = new Set<string>();
    for (let seed = 0; seed < 64; seed++) {
      const after = fs.crashClone('random', seed);
      seen.add(`${(await after.readdir('/')).join('+')}=${await read(after, '/CURRENT')}`);
    }
    expect(seen).toEqual(new Set(['CURRENT=1', 'CURRENT+tmp=1', 'CURRENT=2']));
  });

  it('gives a clone in which everything is durable', async () => {
    const fs = await history();
    for (const mode of ['synced', 'random', 'torn', 'lost-dirents'] as CrashMode[]) {
      const once = fs.crashClone(mode, 11);
      expect(once.crashClone('synced').dump()).toEqual(once.dump());
    }
  });
});

describe('MemFs mutations and the simulated process death', () => {
  it('counts mutations and calls the hook with descriptions', async () => {
    const seen: string[] = [];
    const fs = new MemFs({ onMutation: (count, description) => seen.push(`${count}:${description}`) });
    await fs.mkdir('/d');
    await fs.mkdir('/d');
    const file = await fs.openWritable('/d/f');
    await file.append(b(1));
    await file.sync();
    await fs.openWritable('/d/f');
    await fs.readFile('/d/f');
    await fs.syncDir('/d');
    await expect(fs.unlink('/d/missing')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(seen).toEqual(['1:mkdir /d', '2:create /d/f', '3:append /d/f 1 bytes', '4:sync /d/f', '5:sync-dir /d']);
    expect(fs.mutationCount).toBe(5);
  });

  it('crashAfterMutations: the k-th op resolves, every later op rejects ECRASHED', async () => {
    const fs = new MemFs({ crashAfterMutations: 3 });
    const file = await fs.openWritable('/f');
    await file.append(b(1));
    expect(fs.crashed).toBe(false);
    await file.sync();
    expect(fs.crashed).toBe(true);
    await expect(file.append(b(2))).rejects.toMatchObject({ code: 'ECRASHED' });
    await expect(fs.readFile('/f')).rejects.toMatchObject({ code: 'ECRASHED' });
    await expect(fs.stat('/f')).rejects.toMatchObject({ code: 'ECRASHED' });
    await expect(file.close()).rejects.toMatchObject({ code: 'ECRASHED' });
    const state = fs.crashState();
    expect(state?.mutationCount).toBe(3);
    expect(await read(state as MemFs, '/f')).toBe('1');
    expect(await (state as MemFs).crashClone('synced').readdir('/')).toEqual([]);
    await expect((state as MemFs).unlink('/f')).rejects.toMatchObject({ code: 'EROFS' });
  });

  it('crashAfterMutations: 0 crashes before any mutation; readSync throws ECRASHED', async () => {
    const live = new MemFs();
    await live.createExclusive('/x', b(1));
    const reader = await live.openReadable('/x');
    live.crash();
    expect(() => reader.readSync(new Uint8Array(1), 0, 1, 0)).toThrow(expect.objectContaining({ code: 'ECRASHED' }));
    const fs = new MemFs({ crashAfterMutations: 0 });
    expect(fs.crashed).toBe(true);
    await expect(fs.mkdir('/a')).rejects.toMatchObject({ code: 'ECRASHED' });
    expect(await fs.crashState()?.readdir('/')).toEqual([]);
  });

  it('crashing at every k replays a workload prefix exactly', async () => {
    const workload = async (fs: MemFs): Promise<void> => {
      await fs.mkdir('/db');
      const wal = await fs.openWritable('/db/000001.wal');
      for (let i = 0; i < 3; i++) {
        await wal.append(b(i));
        await wal.sync();
      }
      await fs.syncDir('/db');
    };
    const reference = new MemFs();
    await workload(reference);
    const total = reference.mutationCount;
    for (let k = 0; k <= total + 1; k++) {
      const fs = new MemFs({ crashAfterMutations: k });
      const outcome = await workload(fs).then(() => 'done', (error: NodeJS.ErrnoException) => error.code);
      expect(outcome).toBe(k >= total ? 'done' : 'ECRASHED');
      expect(fs.crashed).toBe(k <= total);
      if (k <= total) expect(fs.crashState()?.mutationCount).toBe(k);
    }
  });
});
