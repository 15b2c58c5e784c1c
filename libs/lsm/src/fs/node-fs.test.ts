/**
 * Goal: NodeFs keeps the Fs contract on a real file system and its D9 details hold.
 * Method: the shared contract suite on temp directories; short writes forced through an injected
 * write syscall; fsync paths (file, directory, win32 skip) exercised; errno errors untouched.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as nodeFsModule from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeFsContract } from './fs-contract.test-util.js';
import { joinPath } from './fs.js';
import { NodeFs, nodeFs } from './node-fs.js';
import type { WriteSyscall } from './node-fs.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'lsm-node-fs-'));
}

describeFsContract('NodeFs', async () => {
  const dir = tempDir();
  return { fs: new NodeFs(), dir, teardown: async () => rmSync(dir, { recursive: true, force: true }) };
});

describeFsContract('NodeFs, thread-pool appends only', async () => {
  const dir = tempDir();
  return { fs: new NodeFs({ syncWriteBytesMax: 0 }), dir, teardown: async () => rmSync(dir, { recursive: true, force: true }) };
});

type Variant = 'thread pool' | 'synchronous';
const VARIANTS: Variant[] = ['thread pool', 'synchronous'];

/** A NodeFs whose write syscall (of the variant's path) is `shape`d: a chunk size, or a failure. */
function shapedFs(variant: Variant, shape: (length: number, call: number) => number | NodeJS.ErrnoException): NodeFs {
  let calls = 0;
  if (variant === 'thread pool') {
    return new NodeFs({
      syncWriteBytesMax: 0,
      writeSyscall: (fd, buffer, offset, length, position, callback) => {
        const chunk = shape(length, calls++);
        if (typeof chunk !== 'number') return callback(chunk, 0);
        if (chunk === 0) return callback(null, 0);
        nodeFsModule.write(fd, buffer, offset, chunk, position, callback);
      },
    });
  }
  return new NodeFs({
    writeSyncSyscall: (fd, buffer, offset, length, position) => {
      const chunk = shape(length, calls++);
      if (typeof chunk !== 'number') throw chunk;
      return chunk === 0 ? 0 : nodeFsModule.writeSync(fd, buffer, offset, chunk, position);
    },
  });
}

const enospc = (): NodeJS.ErrnoException =>
  Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });

describe('NodeFs specifics', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(VARIANTS)('loops on short writes until every byte is written (%s)', async (variant) => {
    const chunks: number[] = [];
    const fs = shapedFs(variant, (length) => {
      chunks.push(Math.min(length, 3));
      return Math.min(length, 3);
    });
    const data = Uint8Array.from({ length: 100 }, (_, i) => i);
    const file = await fs.openWritable(joinPath(dir, 'short'));
    await file.append(data.subarray(0, 10));
    await file.append(data.subarray(10));
    await file.sync();
    await file.close();
    expect(chunks.length).toBe(4 + 30);
    expect(readFileSync(join(dir, 'short'))).toEqual(Buffer.from(data));
  });

  it('loops on short writes in createExclusive', async () => {
    const fs = shapedFs('thread pool', (length) => Math.min(length, 7));
    const data = Uint8Array.from({ length: 50 }, (_, i) => 200 - i);
    expect(await fs.createExclusive(joinPath(dir, 'excl'), data)).toBe(true);
    expect(readFileSync(join(dir, 'excl'))).toEqual(Buffer.from(data));
  });

  it.each(VARIANTS)('turns a write that makes no progress into EIO instead of spinning (%s)', async (variant) => {
    const fs = shapedFs(variant, () => 0);
    const file = await fs.openWritable(joinPath(dir, 'stuck'));
    await expect(file.append(Uint8Array.of(1))).rejects.toMatchObject({ code: 'EIO', syscall: 'write' });
    expect(file.size).toBe(0);
    await file.close();
  });

  it.each(VARIANTS)('keeps size equal to the bytes written when a write fails midway (%s)', async (variant) => {
    const fs = shapedFs(variant, (length, call) => (call < 2 ? Math.min(length, 2) : enospc()));
    const file = await fs.openWritable(joinPath(dir, 'partial'));
    await expect(file.append(new Uint8Array(10))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(file.size).toBe(4);
    await file.close();
    expect(readFileSync(join(dir, 'partial')).length).toBe(4);
  });

  it('a synchronous append waits its turn behind an append in the thread pool', async () => {
    const fs = new NodeFs({ syncWriteBytesMax: 16 });
    const file = await fs.openWritable(joinPath(dir, 'mixed'));
    const big = new Uint8Array(100_000).fill(1);
    await Promise.all([file.append(big), file.append(Uint8Array.of(2, 2)), file.append(new Uint8Array(20).fill(3))]);
    await file.close();
    const content = readFileSync(join(dir, 'mixed'));
    expect(content.length).toBe(100_022);
    expect(content.subarray(99_999, 100_003)).toEqual(Buffer.from([1, 2, 2, 3]));
  });

  it('removes the file when createExclusive fails after creating it', async () => {
    const failing: WriteSyscall = (_fd, _b, _o, _l, _p, callback) =>
      callback(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO', errno: -5 }), 0);
    const fs = new NodeFs({ writeSyscall: failing });
    await expect(fs.createExclusive(joinPath(dir, 'LOCK'), Uint8Array.of(1))).rejects.toMatchObject({ code: 'EIO' });
    expect(await fs.stat(joinPath(dir, 'LOCK'))).toBeUndefined();
  });

  it('passes Node errno errors through untouched', async () => {
    const error = await nodeFs.readFile(joinPath(dir, 'absent')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: 'ENOENT', syscall: 'open', errno: -2 });
  });

  it('fsyncs a directory, and skips it on win32', async () => {
    await nodeFs.syncDir(dir);
    const windows = new NodeFs({ platform: 'win32' });
    await windows.syncDir(join(dir, 'does-not-exist'));
    await expect(nodeFs.syncDir(join(dir, 'does-not-exist'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reads from one fd with positioned reads, and sees bytes appended after opening', async () => {
    writeFileSync(join(dir, 'r'), Buffer.from([1, 2, 3]));
    const reader = await nodeFs.openReadable(joinPath(dir, 'r'));
    const writer = await nodeFs.openWritable(joinPath(dir, 'r'));
    await writer.append(Uint8Array.of(4));
    await writer.close();
    const target = new Uint8Array(4);
    expect(reader.readSync(target, 0, 4, 0)).toBe(4);
    expect([...target]).toEqual([1, 2, 3, 4]);
    expect(reader.size).toBe(3);
    await reader.close();
    await reader.close();
  });

  it('returns plain byte views from readFile and stat with an mtime', async () => {
    writeFileSync(join(dir, 'f'), Buffer.from([5]));
    const data = await nodeFs.readFile(joinPath(dir, 'f'));
    expect(data.constructor).toBe(Uint8Array);
    const stat = await nodeFs.stat(joinPath(dir, 'f'));
    expect(Math.abs((stat?.mtimeMs ?? 0) - Date.now())).toBeLessThan(60_000);
  });
});
