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

describe('NodeFs specifics', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loops on short writes until every byte is written', async () => {
    const calls: number[] = [];
    const shortWrite: WriteSyscall = (fd, buffer, offset, length, position, callback) => {
      const chunk = Math.min(length, 3);
      calls.push(chunk);
      nodeFsModule.write(fd, buffer, offset, chunk, position, callback);
    };
    const fs = new NodeFs({ writeSyscall: shortWrite });
    const data = Uint8Array.from({ length: 100 }, (_, i) => i);
    const file = await fs.openWritable(joinPath(dir, 'short'));
    await file.append(data.subarray(0, 10));
    await file.append(data.subarray(10));
    await file.sync();
    await file.close();
    expect(calls.length).toBe(4 + 30);
    expect(readFileSync(join(dir, 'short'))).toEqual(Buffer.from(data));
    expect(await fs.createExclusive(joinPath(dir, 'excl'), data)).toBe(true);
    expect(readFileSync(join(dir, 'excl'))).toEqual(Buffer.from(data));
  });

  it('turns a write that makes no progress into EIO instead of spinning', async () => {
    const stuck: WriteSyscall = (_fd, _buffer, _offset, _length, _position, callback) => callback(null, 0);
    const fs = new NodeFs({ writeSyscall: stuck });
    const file = await fs.openWritable(joinPath(dir, 'stuck'));
    await expect(file.append(Uint8Array.of(1))).rejects.toMatchObject({ code: 'EIO', syscall: 'write' });
    expect(file.size).toBe(0);
    await file.close();
  });

  it('keeps size equal to the bytes written when a write fails midway', async () => {
    let callsBeforeFailure = 2;
    const failing: WriteSyscall = (fd, buffer, offset, length, position, callback) => {
      if (callsBeforeFailure-- <= 0) {
        callback(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 }), 0);
        return;
      }
      nodeFsModule.write(fd, buffer, offset, Math.min(length, 2), position, callback);
    };
    const fs = new NodeFs({ writeSyscall: failing });
    const file = await fs.openWritable(joinPath(dir, 'partial'));
    await expect(file.append(new Uint8Array(10))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(file.size).toBe(4);
    await file.close();
    expect(readFileSync(join(dir, 'partial')).length).toBe(4);
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
