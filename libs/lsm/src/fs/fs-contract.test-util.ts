/**
 * The Fs contract (fs/fs.ts) as a test suite, run against NodeFs, MemFs and FaultFs so the
 * simulations behave like the real thing. `setup` returns a fresh Fs and an existing, empty
 * directory in it; `teardown` cleans up.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Fs } from './fs.js';
import { joinPath, readAtSync } from './fs.js';

export interface FsFixture {
  fs: Fs;
  dir: string;
  teardown?: () => Promise<void>;
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
}

export function describeFsContract(name: string, setup: () => Promise<FsFixture>): void {
  describe(`Fs contract: ${name}`, () => {
    let fixture: FsFixture;
    let fs: Fs;
    let dir: string;
    beforeEach(async () => {
      fixture = await setup();
      fs = fixture.fs;
      dir = fixture.dir;
    });
    afterEach(async () => {
      await fixture.teardown?.();
    });

    it('appends, reports size, and reads back with readFile and readSync', async () => {
      const path = joinPath(dir, 'a.log');
      const file = await fs.openWritable(path);
      expect(file.size).toBe(0);
      await file.append(bytes(1, 2, 3));
      await file.append(new Uint8Array(0));
      await file.append(bytes(4, 5));
      expect(file.size).toBe(5);
      await file.sync();
      await file.close();
      expect([...(await fs.readFile(path))]).toEqual([1, 2, 3, 4, 5]);
      const reader = await fs.openReadable(path);
      expect(reader.size).toBe(5);
      expect([...readAtSync(reader, 1, 3)]).toEqual([2, 3, 4]);
      expect([...readAtSync(reader, 3, 10)]).toEqual([4, 5]);
      const target = new Uint8Array(4);
      expect(reader.readSync(target, 1, 2, 0)).toBe(2);
      expect([...target]).toEqual([0, 1, 2, 0]);
      expect(reader.readSync(target, 0, 4, 99)).toBe(0);
      await reader.close();
    });

    it('reopens for append at the end, or empties the file with truncate', async () => {
      const path = joinPath(dir, 'b.log');
      const first = await fs.openWritable(path);
      await first.append(bytes(9, 9));
      await first.close();
      const again = await fs.openWritable(path);
      expect(again.size).toBe(2);
      await again.append(bytes(7));
      await again.close();
      expect([...(await fs.readFile(path))]).toEqual([9, 9, 7]);
      const emptied = await fs.openWritable(path, { truncate: true });
      expect(emptied.size).toBe(0);
      await emptied.append(bytes(1));
      await emptied.close();
      expect([...(await fs.readFile(path))]).toEqual([1]);
    });

    it('keeps concurrent appends on one handle in call order', async () => {
      const path = joinPath(dir, 'c.log');
      const file = await fs.openWritable(path);
      await Promise.all([file.append(bytes(1, 1)), file.append(bytes(2)), file.append(bytes(3, 3, 3))]);
      expect(file.size).toBe(6);
      await file.close();
      expect([...(await fs.readFile(path))]).toEqual([1, 1, 2, 3, 3, 3]);
    });

    it('createExclusive creates once and reports false when the file exists', async () => {
      const path = joinPath(dir, 'LOCK');
      expect(await fs.createExclusive(path, bytes(1, 2))).toBe(true);
      expect(await fs.createExclusive(path, bytes(3))).toBe(false);
      expect([...(await fs.readFile(path))]).toEqual([1, 2]);
    });

    it('stat gives the size, or undefined when absent; readdir lists sorted names', async () => {
      expect(await fs.stat(joinPath(dir, 'nope'))).toBeUndefined();
      await fs.createExclusive(joinPath(dir, 'z'), bytes(1, 2, 3));
      await fs.createExclusive(joinPath(dir, 'B'), bytes());
      await fs.createExclusive(joinPath(dir, 'a'), bytes());
      const stat = await fs.stat(joinPath(dir, 'z'));
      expect(stat?.size).toBe(3);
      expect(typeof stat?.mtimeMs).toBe('number');
      expect(await fs.readdir(dir)).toEqual(['B', 'a', 'z']);
    });

    it('rename replaces the target; unlink removes; truncate cuts', async () => {
      const from = joinPath(dir, 'tmp');
      const to = joinPath(dir, 'CURRENT');
      await fs.createExclusive(to, bytes(1));
      await fs.createExclusive(from, bytes(2, 2, 2, 2));
      await fs.rename(from, to);
      expect([...(await fs.readFile(to))]).toEqual([2, 2, 2, 2]);
      expect(await fs.stat(from)).toBeUndefined();
      await fs.truncate(to, 1);
      expect([...(await fs.readFile(to))]).toEqual([2]);
      await fs.unlink(to);
      expect(await fs.readdir(dir)).toEqual([]);
    });

    it('mkdir is recursive and idempotent; syncDir works on directories', async () => {
      const nested = joinPath(dir, 'x/y/z');
      await fs.mkdir(nested);
      await fs.mkdir(nested);
      await fs.syncDir(nested);
      await fs.syncDir(dir);
      expect(await fs.readdir(joinPath(dir, 'x'))).toEqual(['y']);
    });

    it('removeTree removes a tree and ignores a missing path', async () => {
      await fs.mkdir(joinPath(dir, 't/u'));
      await fs.createExclusive(joinPath(dir, 't/u/f'), bytes(1));
      await fs.removeTree?.(joinPath(dir, 't'));
      await fs.removeTree?.(joinPath(dir, 't'));
      expect(await fs.readdir(dir)).toEqual([]);
    });

    it('rejects with Node errno codes', async () => {
      const missing = joinPath(dir, 'missing');
      expect(await codeOf(fs.readFile(missing))).toBe('ENOENT');
      expect(await codeOf(fs.openReadable(missing))).toBe('ENOENT');
      expect(await codeOf(fs.unlink(missing))).toBe('ENOENT');
      expect(await codeOf(fs.rename(missing, joinPath(dir, 'x')))).toBe('ENOENT');
      expect(await codeOf(fs.readdir(missing))).toBe('ENOENT');
      expect(await codeOf(fs.truncate(missing, 0))).toBe('ENOENT');
      expect(await codeOf(fs.openWritable(joinPath(missing, 'f')))).toBe('ENOENT');
      expect(await codeOf(fs.syncDir(missing))).toBe('ENOENT');
    });
  });
}
