/**
 * Goal: FaultFs counts operations by kind and fails exactly the operations its rules name, with
 * real errno shapes, once or persistently; and it is otherwise transparent.
 * Method: the shared contract suite through a rule-less FaultFs; then scripted operation
 * sequences on a MemFs with rules at N, by kind, by probability (seeded), and partial writes.
 */

import { describe, expect, it } from 'vitest';
import { describeFsContract } from '../fs/fs-contract.test-util.js';
import { FaultFs, errnoError } from './fault-fs.js';
import { MemFs } from './mem-fs.js';

describeFsContract('FaultFs over MemFs', async () => {
  const inner = new MemFs();
  await inner.mkdir('/db');
  return { fs: new FaultFs(inner), dir: '/db' };
});

const b = (...values: number[]): Uint8Array => Uint8Array.from(values);

async function outcome(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'ok',
    (error: NodeJS.ErrnoException) => error.code ?? 'no code',
  );
}

describe('FaultFs', () => {
  it('makes Node-shaped errno errors', () => {
    const error = errnoError('ENOSPC', 'write', '/x');
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: 'ENOSPC', errno: -28, syscall: 'write', path: '/x' });
    expect(error.message).toBe("ENOSPC: no space left on device, write '/x'");
    expect(errnoError('EIO', 'fsync').message).toBe('EIO: i/o error, fsync');
  });

  it('counts operations by kind', async () => {
    const fs = new FaultFs(new MemFs());
    await fs.mkdir('/d');
    const file = await fs.openWritable('/d/f');
    await file.append(b(1, 2));
    await file.sync();
    await file.close();
    await fs.syncDir('/d');
    const reader = await fs.openReadable('/d/f');
    reader.readSync(new Uint8Array(2), 0, 2, 0);
    await reader.close();
    await fs.stat('/d/f');
    await fs.readdir('/d');
    await fs.rename('/d/f', '/d/g');
    await fs.truncate('/d/g', 1);
    await fs.unlink('/d/g');
    expect(fs.counts).toEqual({ read: 4, write: 2, sync: 2, metadata: 4, total: 12 });
  });

  it('fails the N-th operation once, and that operation never reaches the inner Fs', async () => {
    const inner = new MemFs();
    const fs = new FaultFs(inner, { atOp: 3 });
    const file = await fs.openWritable('/f');
    await file.append(b(1));
    expect(await outcome(file.append(b(2)))).toBe('EIO');
    await file.append(b(3));
    expect([...(await inner.readFile('/f'))]).toEqual([1, 3]);
    expect(fs.injected).toEqual([{ opIndex: 3, kind: 'write', syscall: 'write', path: '/f', errno: 'EIO' }]);
  });

  it('fails persistently from the N-th matching operation of a kind', async () => {
    const fs = new FaultFs(new MemFs(), { atOp: 2, kinds: ['write'], errno: 'ENOSPC', persistent: true });
    const file = await fs.openWritable('/f');
    const results: string[] = [];
    for (let i = 0; i < 4; i++) results.push(await outcome(file.append(b(i))));
    results.push(await outcome(file.sync()));
    results.push(await outcome(fs.createExclusive('/g', b(1))));
    results.push(await outcome(fs.readFile('/f')));
    expect(results).toEqual(['ok', 'ENOSPC', 'ENOSPC', 'ENOSPC', 'ok', 'ENOSPC', 'ok']);
  });

  it('failSyncOnly fails fsyncs and nothing else', async () => {
    const fs = new FaultFs(new MemFs()).failSyncOnly(2, { persistent: true });
    const file = await fs.openWritable('/f');
    await file.append(b(1));
    expect(await outcome(file.sync())).toBe('ok');
    expect(await outcome(file.append(b(2)))).toBe('ok');
    expect(await outcome(file.sync())).toBe('EIO');
    expect(await outcome(fs.syncDir('/'))).toBe('EIO');
    expect(await outcome(fs.rename('/f', '/g'))).toBe('ok');
    expect(fs.injected.map((fault) => fault.syscall)).toEqual(['fdatasync', 'fsync']);
  });

  it('readSync throws synchronously', async () => {
    const inner = new MemFs();
    await inner.createExclusive('/f', b(1, 2, 3));
    const fs = new FaultFs(inner, { atOp: 2, kinds: ['read'] });
    const reader = await fs.openReadable('/f');
    expect(() => reader.readSync(new Uint8Array(3), 0, 3, 0)).toThrow(expect.objectContaining({ code: 'EIO', syscall: 'read' }));
    expect(reader.readSync(new Uint8Array(3), 0, 3, 0)).toBe(3);
  });

  it('a partial-write failure leaves half the bytes in the file', async () => {
    const inner = new MemFs();
    const fs = new FaultFs(inner, { atOp: 1, kinds: ['write'], errno: 'ENOSPC', partialWrite: true });
    const file = await fs.openWritable('/f');
    expect(await outcome(file.append(b(1, 2, 3, 4, 5)))).toBe('ENOSPC');
    expect([...(await inner.readFile('/f'))]).toEqual([1, 2]);
    expect(file.size).toBe(2);
  });

  it('fails with probability p, reproducibly per seed', async () => {
    const run = async (seed: number): Promise<string> => {
      const fs = new FaultFs(new MemFs(), { probability: 0.3, seed, persistent: false });
      let pattern = '';
      for (let i = 0; i < 200; i++) pattern += (await outcome(fs.stat('/x'))) === 'ok' ? '.' : 'x';
      return pattern;
    };
    const first = await run(42);
    expect(await run(42)).toBe(first);
    expect(await run(43)).not.toBe(first);
    const failures = [...first].filter((c) => c === 'x').length;
    expect(failures).toBeGreaterThan(1);
    expect(failures).toBeLessThan(199);
  });

  it('maxFailures caps a probability rule; clearFaults stops injection', async () => {
    const fs = new FaultFs(new MemFs(), { probability: 1, maxFailures: 1 });
    expect(await outcome(fs.mkdir('/a'))).toBe('EIO');
    expect(await outcome(fs.mkdir('/a'))).toBe('ok');
    fs.inject({ atOp: 1, persistent: true });
    expect(await outcome(fs.mkdir('/b'))).toBe('EIO');
    fs.clearFaults();
    expect(await outcome(fs.mkdir('/b'))).toBe('ok');
    expect(fs.counts.total).toBe(4);
  });
});
