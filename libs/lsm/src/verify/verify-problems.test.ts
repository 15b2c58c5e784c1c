// Goal: every kind of problem and warning verifyDirectory reports, one damaged store each (the
// common cases, flipped bytes in each file type, are in verify.test.ts): an unreadable or
// malformed CURRENT, an unreadable or empty MANIFEST, table files that cannot be stat'ed or
// opened or that disagree with the MANIFEST, hand-written WAL records holding malformed values and
// pointers (into nowhere, past a file's end, at another key's entry), damaged and vanished
// value-log files, unreadable WALs and directories. Method: a small store on a MemFs, damaged
// through its files or through a wrapper Fs that fails chosen calls; verification never throws
// for these, except where an error must propagate (documented below).
import { describe as group, expect, it } from 'vitest';
import { utf8 } from '../codec/bytes.js';
import { openDb } from '../db.js';
import { encodeWriteBatch, type BatchEntry } from '../batch/write-batch-format.js';
import { BugError } from '../assert.js';
import { CorruptionError, IoError } from '../errors.js';
import { joinPath, type FileStat, type Fs, type ReadableFile, type WritableFile } from '../fs/fs.js';
import { CURRENT_FILE_NAME, parseFileName, vlogFileName, walFileName } from '../fs/filenames.js';
import { Kind } from '../keys/internal-key.js';
import { encodeStoredValue, encodeValuePointer } from '../keys/value-format.js';
import { encodeLogHeader } from '../record/record-format.js';
import { encodeRecords } from '../record/record-writer.js';
import { errnoError } from '../testing/fault-fs.js';
import { MemFs } from '../testing/mem-fs.js';
import { encodeVlogHeader } from '../vlog/vlog-format.js';
import { describe, Verifier } from './verifier.js';
import { verifyDirectory, type VerifyProblem, type VerifyReport } from './verify.js';

const DIR = '/db';

type Op = 'readdir' | 'stat' | 'openReadable' | 'openReadableSync' | 'readFile';

/** Delegates to `inner`; `fail(op, name)` may return an error to throw instead. */
class HookFs implements Fs {
  openReadableSync?: (path: string) => ReadableFile;

  constructor(
    private readonly inner: MemFs,
    private readonly fail: (op: Op, name: string) => unknown,
    options: { syncOpen?: boolean } = {},
  ) {
    if (options.syncOpen !== false) {
      this.openReadableSync = (path: string): ReadableFile => {
        this.check('openReadableSync', path);
        return inner.openReadableSync(path);
      };
    }
  }

  private check(op: Op, path: string): void {
    const error = this.fail(op, path.slice(path.lastIndexOf('/') + 1));
    if (error !== undefined) throw error;
  }

  mkdir(path: string): Promise<void> {
    return this.inner.mkdir(path);
  }
  async readdir(path: string): Promise<string[]> {
    this.check('readdir', path);
    return this.inner.readdir(path);
  }
  async stat(path: string): Promise<FileStat | undefined> {
    this.check('stat', path);
    return this.inner.stat(path);
  }
  openWritable(path: string, options?: { truncate?: boolean }): Promise<WritableFile> {
    return this.inner.openWritable(path, options);
  }
  async openReadable(path: string): Promise<ReadableFile> {
    this.check('openReadable', path);
    return this.inner.openReadable(path);
  }
  async readFile(path: string): Promise<Uint8Array> {
    this.check('readFile', path);
    return this.inner.readFile(path);
  }
  createExclusive(path: string, data: Uint8Array): Promise<boolean> {
    return this.inner.createExclusive(path, data);
  }
  truncate(path: string, size: number): Promise<void> {
    return this.inner.truncate(path, size);
  }
  rename(from: string, to: string): Promise<void> {
    return this.inner.rename(from, to);
  }
  unlink(path: string): Promise<void> {
    return this.inner.unlink(path);
  }
  syncDir(path: string): Promise<void> {
    return this.inner.syncDir(path);
  }
}

const key = (i: number): string => `key:${String(i).padStart(5, '0')}`;

/** A closed store: two tables, values in the value log (every third key), a WAL. */
async function store(): Promise<MemFs> {
  const fs = new MemFs();
  const db = await openDb({ fs, dir: DIR, memTableBytes: 16 * 1024, valueThresholdBytes: 200, blockBytes: 512 });
  for (const [from, to] of [[0, 300], [200, 400]] as const) {
    await db.update((txn) => {
      for (let i = from; i < to; i++) txn.set(key(i), i % 3 === 0 ? 'v'.repeat(300) + i : `small ${i}`);
    });
    await db.flush();
  }
  await db.close();
  return fs;
}

async function names(fs: MemFs, type: string): Promise<string[]> {
  return (await fs.readdir(DIR)).filter((name) => parseFileName(name)?.type === type);
}

async function write(fs: MemFs, name: string, bytes: Uint8Array): Promise<void> {
  const file = await fs.openWritable(joinPath(DIR, name), { truncate: true });
  await file.append(bytes);
  await file.sync();
  await file.close();
}

/** A WAL file holding one batch per entry list. */
async function writeWal(fs: MemFs, number: number, batches: [number, BatchEntry[]][]): Promise<string> {
  const header = encodeLogHeader('WAL');
  const body = encodeRecords(header.length, batches.map(([commitTs, entries]) => encodeWriteBatch(commitTs, entries)));
  const bytes = new Uint8Array(header.length + body.length);
  bytes.set(header, 0);
  bytes.set(body, header.length);
  const name = walFileName(number);
  await write(fs, name, bytes);
  return name;
}

function pointerValue(fileNumber: number, offset: number, length: number): Uint8Array {
  return encodeStoredValue(encodeValuePointer({ fileNumber, offset, length }), 0, 0);
}

function problem(report: VerifyReport, file: string, reason: RegExp): VerifyProblem {
  const found = report.problems.find((p) => p.file === file && reason.test(p.reason));
  expect(found, `a problem in ${file} matching ${reason}; got ${JSON.stringify(report.problems)}`).toBeDefined();
  expect(report.ok).toBe(false);
  return found as VerifyProblem;
}

const offline = (fs: Fs): Promise<VerifyReport> => verifyDirectory(fs, DIR, { lock: false });

group('Verifier plumbing', () => {
  it('records corruption, engine errors and errno errors as problems; anything else propagates', () => {
    const verifier = new Verifier();
    verifier.record(new CorruptionError('/db/000001.sst', 7, 'bad block'), 'ignored');
    verifier.record(new IoError('disk on fire', undefined), '/db/000002.vlog');
    verifier.record(errnoError('EIO', 'read', '/db/x'), '/db/000003.wal');
    expect(verifier.problems).toEqual([
      { file: '000001.sst', offset: 7, reason: 'bad block' },
      { file: '000002.vlog', offset: 0, reason: expect.stringContaining('disk on fire') as unknown },
      { file: '000003.wal', offset: 0, reason: expect.stringContaining('EIO') as unknown },
    ]);
    const bug = new TypeError('a bug');
    expect(() => verifier.record(bug, 'f')).toThrow(bug);
    expect(verifier.report().ok).toBe(false);
  });

  it('refuses to check before it has sources; describes non-errors', async () => {
    await expect(new Verifier().checkMemtables()).rejects.toThrow(BugError);
    expect(describe('plain text')).toBe('plain text');
    expect(describe(new Error('message'))).toBe('message');
  });
});

group('verifyDirectory: CURRENT and MANIFEST', () => {
  it('an unreadable CURRENT, and one that is missing', async () => {
    const fs = await store();
    const eio = await offline(new HookFs(fs, (op, name) => (op === 'readFile' && name === CURRENT_FILE_NAME ? errnoError('EIO', 'read') : undefined)));
    problem(eio, CURRENT_FILE_NAME, /cannot read CURRENT: EIO/);
    const engine = await offline(new HookFs(fs, (op, name) => (op === 'readFile' && name === CURRENT_FILE_NAME ? new IoError('device lost', undefined) : undefined)));
    problem(engine, CURRENT_FILE_NAME, /device lost/);
    await fs.unlink(joinPath(DIR, CURRENT_FILE_NAME));
    problem(await offline(fs), CURRENT_FILE_NAME, /cannot read CURRENT/);
  });

  it('a CURRENT without a newline, or naming something that is not a MANIFEST', async () => {
    const fs = await store();
    const manifest = (await names(fs, 'manifest'))[0] as string;
    await write(fs, CURRENT_FILE_NAME, utf8(manifest));
    expect(problem(await offline(fs), CURRENT_FILE_NAME, /does not end with a newline/).offset).toBe(manifest.length);
    for (const text of ['000001.sst', 'nonsense']) {
      await write(fs, CURRENT_FILE_NAME, utf8(`${text}\n`));
      problem(await offline(fs), CURRENT_FILE_NAME, new RegExp(`CURRENT names "${text}", not a MANIFEST`));
    }
  });

  it('a MANIFEST that is missing, unreadable, or holds no edit', async () => {
    const fs = await store();
    const manifest = (await names(fs, 'manifest'))[0] as string;
    problem(await offline(new HookFs(fs, (op, name) => (op === 'readFile' && name === manifest ? errnoError('EACCES', 'open') : undefined))), manifest, /cannot read: EACCES/);
    await write(fs, manifest, encodeLogHeader('MANIFEST'));
    problem(await offline(fs), manifest, /MANIFEST holds no version edit/);
    await fs.unlink(joinPath(DIR, manifest));
    problem(await offline(fs), manifest, /the MANIFEST named by CURRENT does not exist/);
  });
});

group('verifyDirectory: tables', () => {
  it('a table that cannot be stat\'ed or opened is a problem naming it', async () => {
    const fs = await store();
    const table = (await names(fs, 'table'))[0] as string;
    problem(await offline(new HookFs(fs, (op, name) => (op === 'stat' && name === table ? errnoError('EIO', 'stat') : undefined))), table, /cannot stat: EIO/);
    const failOpen = (op: Op, name: string): unknown => ((op === 'openReadable' || op === 'openReadableSync') && name === table ? errnoError('EMFILE', 'open') : undefined);
    problem(await offline(new HookFs(fs, failOpen)), table, new RegExp(`^cannot open table ${parseFileName(table)?.number as number}$`));
  });

  it("a table replaced by another table's bytes: size, entries, keys and seqs disagree with the MANIFEST", async () => {
    const fs = await store();
    const [first, second] = (await names(fs, 'table')) as [string, string];
    await write(fs, first, await fs.readFile(joinPath(DIR, second)));
    const report = await offline(fs);
    problem(report, first, /^file is \d+ bytes; the MANIFEST says \d+$/);
    const disagreement = problem(report, first, /MANIFEST entry disagrees with the table's properties: entries \d+ != \d+/);
    expect(disagreement.offset).toBeGreaterThan(0); // the properties block
    problem(report, first, /disagrees with the table's properties: seq range/);
    problem(report, first, /disagrees with the table's properties: smallest key differs/);
    problem(report, first, /disagrees with the table's properties: largest key differs/);
  });
});

group('verifyDirectory: values and pointers in the WAL', () => {
  it('malformed stored values and pointers, pointers into nowhere, past the end and at the wrong key', async () => {
    const fs = await store();
    const vlog = (await names(fs, 'vlog'))[0] as string;
    const vlogNumber = parseFileName(vlog)?.number as number;
    const vlogBytes = (await fs.stat(joinPath(DIR, vlog)))?.size as number;
    // A real entry of the vlog (the first, at offset 16) belongs to another key than 'other'.
    const firstEntryLength = 12 + utf8(key(0)).length + 300 + String(0).length;
    const wal = await writeWal(fs, 900, [
      [1000, [
        { kind: Kind.VALUE, key: utf8('bad-flags'), value: Uint8Array.of(0x80) },
        { kind: Kind.VALUE_POINTER, key: utf8('bad-pointer'), value: Uint8Array.of(0, 1) },
        { kind: Kind.VALUE_POINTER, key: utf8('in-header'), value: pointerValue(vlogNumber, 3, 20) },
        { kind: Kind.VALUE_POINTER, key: utf8('past-end'), value: pointerValue(vlogNumber, vlogBytes - 10, 100) },
        { kind: Kind.VALUE_POINTER, key: utf8('other'), value: pointerValue(vlogNumber, 16, firstEntryLength) },
        { kind: Kind.VALUE_POINTER, key: utf8('nowhere'), value: pointerValue(777, 16, 40) },
        { kind: Kind.VALUE_POINTER, key: utf8('shadowed'), value: pointerValue(778, 16, 40) },
      ]],
      [1001, [{ kind: Kind.VALUE, key: utf8('shadowed'), value: encodeStoredValue(utf8('newer'), 0, 0) }]],
    ]);
    const report = await offline(fs);
    problem(report, 'memtable', /^malformed stored value at seq 1000$/);
    problem(report, 'memtable', /^malformed value pointer at seq 1000$/);
    expect(problem(report, vlog, /value pointer 3\+20 is malformed/).offset).toBe(3);
    problem(report, vlog, new RegExp(`value pointer runs past the end of the file \\(${vlogBytes} bytes\\)`));
    problem(report, vlog, /value-log entry holds a different key than the version that points at it \(pointer from memtable, seq 1000\)/);
    problem(report, 'memtable', /value pointer at seq 1000 names 000777\.vlog, which does not exist/);
    // 'shadowed' points nowhere too, but a newer version hides it from every reader: stale, not a problem.
    expect(report.problems.some((p) => p.reason.includes('000778.vlog'))).toBe(false);
    expect(report.checked.stalePointers).toBe(1);
    expect(report.checked.walBatches).toBeGreaterThanOrEqual(2);
    expect(report.problems.every((p) => p.file !== wal)).toBe(true); // the WAL itself parses
  });

  it('a value-log file that cannot be opened while resolving pointers is a problem of the table pointing at it', async () => {
    const fs = await store();
    const vlog = (await names(fs, 'vlog'))[0] as string;
    const report = await offline(new HookFs(fs, (op, name) => (op === 'openReadableSync' && name === vlog ? errnoError('EIO', 'open') : undefined)));
    expect(report.problems.some((p) => parseFileName(p.file)?.type === 'table' && p.reason.includes(`cannot open ${vlog}: EIO`))).toBe(true);
  });
});

group('verifyDirectory: value-log files', () => {
  it('an empty file is fine; a damaged header, a cut entry header, a cut entry: torn tails or problems', async () => {
    const fs = await store();
    const vlog = (await names(fs, 'vlog'))[0] as string;
    const bytes = await fs.readFile(joinPath(DIR, vlog));
    await write(fs, vlogFileName(901), new Uint8Array(0));
    await write(fs, vlogFileName(902), encodeVlogHeader().subarray(0, 10));
    await write(fs, vlogFileName(903), bytes.subarray(0, bytes.length - 5)); // last entry cut
    const cutHeader = new Uint8Array(bytes.length + 6);
    cutHeader.set(bytes, 0);
    await write(fs, vlogFileName(904), cutHeader); // 6 bytes of a next entry header
    const report = await offline(fs);
    expect(report.problems.filter((p) => /^00090[1-4]\.vlog$/.test(p.file))).toEqual([]);
    const torn = report.warnings.filter((w) => /^00090[1-4]\.vlog$/.test(w.file)).map((w) => w.file).sort();
    expect(torn).toEqual(['000902.vlog', '000903.vlog', '000904.vlog']); // a cut header is a torn tail too
    expect(report.warnings.find((w) => w.file === '000903.vlog')?.reason).toMatch(/torn tail: \d+ bytes after the last whole entry/);
  });

  it('damage followed by valid entries is a problem, in an entry or in the header', async () => {
    const fs = await store();
    const vlog = (await names(fs, 'vlog'))[0] as string;
    const bytes = (await fs.readFile(joinPath(DIR, vlog))).slice();
    bytes[20] = (bytes[20] as number) ^ 0xff; // inside the first entry; later entries are whole
    await write(fs, vlogFileName(905), bytes);
    const foreign = bytes.slice();
    foreign.set(utf8('NOT_VLOG'), 0);
    await write(fs, vlogFileName(906), foreign);
    const report = await offline(fs);
    expect(problem(report, '000905.vlog', /^entry checksum mismatch; valid entries follow at offset \d+$/).offset).toBe(16);
    expect(problem(report, '000906.vlog', /^header damaged; valid entries follow at offset \d+$/).offset).toBe(0);
  });

  it('a value-log file that vanishes or cannot be opened during the scan', async () => {
    const fs = await store();
    const vlog = (await names(fs, 'vlog'))[0] as string;
    const gone = await offline(new HookFs(fs, (op, name) => (op === 'openReadable' && name === vlog ? errnoError('EIO', 'open') : undefined)));
    problem(gone, vlog, /EIO/);
    const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    const missing = await offline(new HookFs(fs, (op, name) => (op === 'openReadable' && name === vlog ? enoent : undefined)));
    problem(missing, vlog, /live value-log file does not exist/);
  });

  it('without a synchronous open the value-log files are opened up front; an I/O error there propagates', async () => {
    const fs = await store();
    const vlog = (await names(fs, 'vlog'))[0] as string;
    const clean = await offline(new HookFs(fs, () => undefined, { syncOpen: false }));
    expect(clean.problems).toEqual([]);
    expect(clean.checked.pointers).toBeGreaterThan(0);
    const enoent = Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    let opens = 0;
    const vanished = await offline(new HookFs(fs, (op, name) => (op === 'openReadable' && name === vlog && opens++ === 0 ? enoent : undefined), { syncOpen: false }));
    expect(vanished.problems.some((p) => /names .*\.vlog, which does not exist/.test(p.reason))).toBe(true);
    await expect(offline(new HookFs(fs, (op, name) => (op === 'openReadable' && name === vlog ? errnoError('EIO', 'open') : undefined), { syncOpen: false }))).rejects.toMatchObject({ code: 'EIO' });
  });
});

group('verifyDirectory: WAL files and the directory', () => {
  it('an unreadable WAL is a problem; one that vanished is skipped; an unlistable directory is a problem', async () => {
    const fs = await store();
    const wal = await writeWal(fs, 910, [[1000, [{ kind: Kind.VALUE, key: utf8('k'), value: encodeStoredValue(utf8('v'), 0, 0) }]]]);
    problem(await offline(new HookFs(fs, (op, name) => (op === 'readFile' && name === wal ? errnoError('EIO', 'read') : undefined))), wal, /cannot read: EIO/);
    const enoent = Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    const skipped = await offline(new HookFs(fs, (op, name) => (op === 'readFile' && name === wal ? enoent : undefined)));
    expect(skipped.problems).toEqual([]);
    const unlisted = await offline(new HookFs(fs, (op) => (op === 'readdir' ? errnoError('EIO', 'scandir') : undefined)));
    expect(unlisted.problems.filter((p) => p.file === 'db' && /cannot list/.test(p.reason))).toHaveLength(2);
  });
});
