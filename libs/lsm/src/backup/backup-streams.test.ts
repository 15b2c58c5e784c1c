// Goal: db.backup and db.load with every kind of stream they accept and each way a stream can fail
// (backup.test.ts covers the data path with well-behaved streams): targets and sources that are
// not streams, Node targets that throw, call back an error or emit one, web streams whose writer
// or reader fails, sources yielding strings or numbers, and a spool that moves to a temp file.
// Each failure is a typed error (INVALID_ARGUMENT or IO_ERROR, or the source's own LsmError), the
// snapshot is released, and a failed load applies nothing.
import { EventEmitter } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../db.js';
import { CorruptionError, InvalidArgumentError, IoError } from '../errors.js';
import { FaultFs } from '../testing/fault-fs.js';
import { MemFs } from '../testing/mem-fs.js';
import type { BackupSource, BackupTarget, WebReadableLike, WebWritableLike } from './backup.js';

const enc = new TextEncoder();

async function source(fs = new MemFs()): Promise<Db> {
  const db = await openDb({ fs, dir: '/src', valueThresholdBytes: 64 });
  await db.update((txn) => {
    for (let i = 0; i < 200; i++) txn.set(`key:${String(i).padStart(3, '0')}`, i % 10 === 0 ? 'L'.repeat(100) : `value ${i}`);
  });
  return db;
}

/** The whole backup of `db` as bytes. */
async function backupBytes(db: Db): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  await db.backup(sink, { chunkBytes: 512 });
  return Uint8Array.from(Buffer.concat(chunks));
}

async function keysOf(db: Db): Promise<number> {
  let n = 0;
  await db.view((txn) => {
    for (const _ of txn.iterate({})) n++;
  });
  return n;
}

describe('backup targets', () => {
  it('refuses what is not a stream', async () => {
    const db = await source();
    for (const target of [null, 42, {}, { write: 'no' }]) {
      await expect(db.backup(target as unknown as BackupTarget), JSON.stringify(target)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    expect(db.stats().openSnapshots).toBe(0);
    await db.close();
  });

  it('a Node target whose write() throws, or which emits an error, fails with IO_ERROR', async () => {
    const db = await source();
    class Throwing extends EventEmitter {
      write(): boolean {
        throw new Error('stream destroyed');
      }
    }
    await expect(db.backup(new Throwing())).rejects.toThrow(/cannot write the backup stream: stream destroyed/);
    // Accepts writes (true, callback later) but reports an error event before the next one.
    class Erroring extends EventEmitter {
      writes = 0;
      write(_chunk: Uint8Array, callback: (error?: Error | null) => void): boolean {
        this.writes++;
        setImmediate(() => callback(null));
        if (this.writes === 1) this.emit('error', new Error('socket hang up'));
        return true;
      }
    }
    const erroring = new Erroring();
    const error = await db.backup(erroring, { chunkBytes: 256 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IoError);
    expect((error as Error).message).toContain('socket hang up');
    expect(erroring.listenerCount('error')).toBe(0); // released
    // A write callback that fails after write() returned false (backpressure).
    class Refusing extends EventEmitter {
      write(_chunk: Uint8Array, callback: (error?: Error | null) => void): boolean {
        setImmediate(() => callback(new Error('EPIPE')));
        return false;
      }
    }
    await expect(db.backup(new Refusing())).rejects.toThrow(/cannot write the backup stream: EPIPE/);
    // A failed callback seen only when the backup waits for every write at the end.
    class LateFailure extends EventEmitter {
      write(_chunk: Uint8Array, callback: (error?: Error | null) => void): boolean {
        setImmediate(() => callback(new Error('late failure')));
        return true;
      }
    }
    await expect(db.backup(new LateFailure())).rejects.toThrow(/cannot write the backup stream: late failure/);
    expect(db.stats().openSnapshots).toBe(0);
    await db.close();
  });

  it('web streams: a writer that cannot be had, a write that fails, a ready that fails at the end', async () => {
    const db = await source();
    const locked: WebWritableLike = {
      getWriter() {
        throw new TypeError('stream is locked');
      },
    };
    await expect(db.backup(locked)).rejects.toThrow(/cannot write to the backup stream: stream is locked/);
    const released: string[] = [];
    const failingWrite: WebWritableLike = {
      getWriter: () => ({
        ready: Promise.resolve(),
        write: () => Promise.reject(new Error('quota exceeded')),
        releaseLock: () => released.push('write'),
      }),
    };
    await expect(db.backup(failingWrite)).rejects.toThrow(/cannot write the backup stream: quota exceeded/);
    let writes = 0;
    const failingReady: WebWritableLike = {
      getWriter: () => ({
        get ready(): Promise<unknown> {
          return writes < 2 ? Promise.resolve() : Promise.reject(new Error('aborted')); // the header, then the last chunk with the trailer
        },
        write: async () => {
          writes++;
        },
        releaseLock: () => released.push('ready'),
      }),
    };
    const error = await db.backup(failingReady, { chunkBytes: 100_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IoError);
    expect((error as Error).message).toContain('aborted');
    expect(released).toEqual(['write', 'ready']);
    // A web stream that works: the bytes equal the Node stream's.
    const parts: Uint8Array[] = [];
    const good: WebWritableLike = {
      getWriter: () => ({ ready: Promise.resolve(), write: async (chunk: Uint8Array) => void parts.push(chunk.slice()), releaseLock: () => undefined }),
    };
    await db.backup(good, { chunkBytes: 512 });
    expect(Buffer.concat(parts)).toEqual(Buffer.from(await backupBytes(db)));
    await db.close();
  });
});

describe('load sources', () => {
  it('refuses bad options and what is not a stream, applying nothing', async () => {
    const target = await openDb({ fs: new MemFs(), dir: '/dst' });
    await expect(target.load(Readable.from([]), { spoolMemoryBytes: -1 })).rejects.toThrow(/spoolMemoryBytes must be a non-negative integer/);
    for (const bad of [null, 7, {}]) {
      await expect(target.load(bad as unknown as BackupSource), JSON.stringify(bad)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(target.load(Readable.from(['text chunk']))).rejects.toThrow(/yields strings/);
    await expect(target.load((async function* () {
      yield 5 as unknown as Uint8Array;
    })())).rejects.toThrow(/must yield Uint8Array chunks/);
    expect(await keysOf(target)).toBe(0);
    await target.close();
  });

  it('a source that fails mid-way: its LsmError passes through, anything else is IO_ERROR', async () => {
    const db = await source();
    const bytes = await backupBytes(db);
    await db.close();
    const target = await openDb({ fs: new MemFs(), dir: '/dst' });
    const failingAfter = (error: unknown): AsyncIterable<Uint8Array> => ({
      async *[Symbol.asyncIterator]() {
        yield bytes.subarray(0, 100);
        throw error;
      },
    });
    await expect(target.load(failingAfter(new Error('connection reset')))).rejects.toThrow(/cannot read the backup stream: connection reset/);
    await expect(target.load(failingAfter('a string'))).rejects.toThrow(/cannot read the backup stream: a string/);
    const own = new CorruptionError('upstream', 3, 'bad bytes');
    await expect(target.load(failingAfter(own))).rejects.toBe(own);
    expect(await keysOf(target)).toBe(0);
    await target.close();
  });

  it('web readable sources: whole, with empty steps, and failing', async () => {
    const db = await source();
    const bytes = await backupBytes(db);
    await db.close();
    const webSource = (steps: (Uint8Array | undefined | Error)[]): WebReadableLike & { released: boolean } => {
      const state = { released: false };
      let index = 0;
      return Object.assign(state, {
        getReader: () => ({
          read: async (): Promise<{ done: boolean; value?: Uint8Array | undefined }> => {
            const step = steps[index++];
            if (step instanceof Error) throw step;
            if (index > steps.length) return { done: true };
            return { done: false, value: step };
          },
          releaseLock: () => {
            state.released = true;
          },
        }),
      });
    };
    const target = await openDb({ fs: new MemFs(), dir: '/dst' });
    const whole = webSource([bytes.subarray(0, 50), undefined, bytes.subarray(50)]);
    expect(await target.load(whole)).toMatchObject({ records: 200, values: 200, deletes: 0 });
    expect(whole.released).toBe(true);
    expect(await keysOf(target)).toBe(200);
    const failing = webSource([bytes.subarray(0, 50), new Error('network down')]);
    await expect(target.load(failing)).rejects.toThrow(/cannot read the backup stream: network down/);
    expect(failing.released).toBe(true);
    await target.close();
  });

  it('a spool with no memory budget goes to a temp file, which is removed afterwards', async () => {
    const db = await source();
    const bytes = await backupBytes(db);
    await db.close();
    const fs = new MemFs();
    const target = await openDb({ fs, dir: '/dst' });
    const pieces = Array.from({ length: Math.ceil(bytes.length / 300) }, (_, i) => bytes.subarray(i * 300, (i + 1) * 300));
    expect(await target.load(Readable.from(pieces.map((p) => Buffer.from(p))), { spoolMemoryBytes: 0 })).toMatchObject({ records: 200 });
    expect((await fs.readdir('/dst')).filter((n) => n.endsWith('.dbtmp'))).toEqual([]);
    expect(await target.get('key:010')).toEqual(enc.encode('L'.repeat(100)));
    await target.close();
  });

  it('a spool file that cannot be written fails the load with IO_ERROR before anything is applied', async () => {
    const db = await source();
    const bytes = await backupBytes(db);
    await db.close();
    const fs = new FaultFs(new MemFs());
    const target = await openDb({ fs, dir: '/dst' });
    fs.inject({ kinds: ['write'], atOp: 1 }); // the first write from here on: the spool's
    await expect(target.load(Readable.from([Buffer.from(bytes)]), { spoolMemoryBytes: 0 })).rejects.toThrow(/cannot write the load spool file: EIO/);
    expect(await keysOf(target)).toBe(0);
    fs.clearFaults();
    expect(await target.load(Readable.from([Buffer.from(bytes)]), { spoolMemoryBytes: 0 })).toMatchObject({ records: 200 });
    await target.close();
  });
});
