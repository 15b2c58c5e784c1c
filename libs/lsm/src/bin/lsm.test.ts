/**
 * The `lsm` command in-process: `run(argv, io)` with captured stdout/stderr and a given stdin,
 * against databases in temp directories. Every command, its --json form and each exit code
 * (0 ok, 1 not found, 2 usage, 3 locked, 4 failure) are checked here, where coverage sees them;
 * lsm.bin.test.ts spawns the real bin (bin/lsm.js → dist/) for the wrapper itself.
 */
import { EventEmitter } from 'node:events';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openDb } from '../index.js';
import { ExitCode, USAGE, escapeBytes, run, unescapeBytes, type CliIo } from './lsm.js';

const ROOT = mkdtempSync(join(tmpdir(), 'lsm-cli-'));

afterAll(() => {
  rmSync(ROOT, { recursive: true, force: true });
});

/** Collects everything written; `highWaterMark` small so large writes report backpressure. */
class Sink extends Writable {
  readonly chunks: Buffer[] = [];

  constructor() {
    super({ highWaterMark: 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(Buffer.from(chunk));
    callback();
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  text(): string {
    return this.bytes().toString('utf8');
  }
}

interface Result {
  status: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

async function lsm(args: string[], options: { stdin?: Uint8Array; stdout?: NodeJS.WritableStream } = {}): Promise<Result> {
  const stdout = new Sink();
  const stderr = new Sink();
  const io: CliIo = {
    stdout: options.stdout ?? stdout,
    stderr,
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
  };
  const status = await run(args, io);
  return { status, stdout: stdout.text(), stderr: stderr.text(), stdoutBytes: stdout.bytes() };
}

let counter = 0;
function newDir(): string {
  return join(ROOT, `db${++counter}`);
}

const BINARY_KEY = new Uint8Array([0, 1, 0x5c, 0xff, 0x41]);

/** A database with 300 keys (some in the value log, some with user meta), one binary key. */
async function makeDb(dir = newDir()): Promise<string> {
  const db = await openDb({ dir, valueThresholdBytes: 64, memTableBytes: 16 * 1024 });
  await db.update((txn) => {
    for (let i = 0; i < 300; i++) {
      txn.setEntry(`key:${String(i).padStart(3, '0')}`, i % 10 === 0 ? 'L'.repeat(100) + i : `value ${i}`, { userMeta: i % 4 });
    }
    txn.set(BINARY_KEY, new Uint8Array([0xc8, 0x0a]));
  });
  await db.flush();
  await db.update((txn) => txn.delete('key:007'));
  await db.close();
  return dir;
}

/** A database whose scan prints 3,000 lines (about 141 KiB): more than one 64 KiB output chunk. */
async function makeLargeDb(): Promise<string> {
  const dir = newDir();
  const db = await openDb({ dir });
  await db.update((txn) => {
    for (let i = 0; i < 3000; i++) txn.set(`k${String(i).padStart(5, '0')}`, 'x'.repeat(40));
  });
  await db.close();
  return dir;
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text.trim().split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The scan as (key, value, userMeta, expiresAt): versions differ between a store and its restore. */
async function scanRows(dir: string): Promise<unknown[]> {
  const result = await lsm(['scan', dir, '--json', '--hex']);
  expect(result.status).toBe(0);
  return jsonLines(result.stdout).map(({ key, value, userMeta, expiresAt }) => ({ key, value, userMeta, expiresAt }));
}

/** A minimal stdout whose write() calls `behave` (to emit errors, or refuse with backpressure). */
class FakeOut extends EventEmitter {
  readonly written: string[] = [];
  private readonly behave: (out: FakeOut) => boolean;

  constructor(behave: (out: FakeOut) => boolean) {
    super();
    this.behave = behave;
  }

  write(text: string): boolean {
    this.written.push(text);
    return this.behave(this);
  }

  asStream(): NodeJS.WritableStream {
    return this as unknown as NodeJS.WritableStream;
  }
}

describe('lsm run(argv, io): usage', () => {
  it('no command prints the usage to stderr and exits 2; help, --help, -h print it to stdout and exit 0', async () => {
    const none = await lsm([]);
    expect(none).toMatchObject({ status: ExitCode.USAGE, stdout: '', stderr: `${USAGE}\n` });
    for (const help of ['help', '--help', '-h']) {
      expect(await lsm([help]), help).toMatchObject({ status: ExitCode.OK, stdout: `${USAGE}\n`, stderr: '' });
    }
    expect(await lsm(['scan', '--help'])).toMatchObject({ status: 0, stdout: `${USAGE}\n` });
    expect(await lsm(['--debug'])).toMatchObject({ status: 2, stderr: `${USAGE}\n` });
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await lsm(['--version'])).toMatchObject({ status: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('without io, writes to the process streams', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await run(['--version'])).toBe(0);
      expect(write).toHaveBeenCalledWith(expect.stringMatching(/^\d+\.\d+\.\d+\n$/));
    } finally {
      write.mockRestore();
    }
  });

  it('bad command lines exit 2 with one message line and a hint', async () => {
    const cases: [string[], string][] = [
      [['frobnicate', 'x'], 'unknown command "frobnicate"'],
      [['scan'], 'scan takes <dir>; got 0 arguments'],
      [['get', 'x'], 'get takes <dir> <key>; got 1 argument'],
      [['info', 'a', 'b'], 'info takes <dir>; got 2 arguments'],
      [['scan', 'x', '--bogus'], 'unknown option --bogus'],
      [['scan', 'x', '-r'], 'unknown option -r'],
      [['scan', 'x', '--limit'], 'option --limit needs a value'],
      [['scan', 'x', '--limit', '-1'], '--limit must be an integer >= 0; got "-1"'],
      [['scan', 'x', '--limit=1.5'], '--limit must be an integer >= 0; got "1.5"'],
      [['scan', 'x', '--limit', '99999999999999999999'], '--limit must be an integer >= 0; got "99999999999999999999"'],
      [['scan', 'x', '--reverse=yes'], 'option --reverse takes no value'],
      [['scan', 'x', '--reverse', '--reverse'], 'option --reverse given twice'],
      [['info', 'x', '--hex'], 'unknown option --hex'],
    ];
    for (const [args, message] of cases) {
      const result = await lsm(args);
      expect(result.status, args.join(' ')).toBe(ExitCode.USAGE);
      expect(result.stderr, args.join(' ')).toBe(`lsm: ${message}\nrun 'lsm --help' for usage\n`);
      expect(result.stdout).toBe('');
    }
  });

  it('with --json an error is one JSON line; --debug adds the stack', async () => {
    const usage = await lsm(['scan', '--json']);
    expect(usage.status).toBe(2);
    expect(JSON.parse(usage.stderr)).toEqual({ error: { code: 'USAGE', message: 'scan takes <dir>; got 0 arguments', exitCode: 2 } });
    const missing = await lsm(['info', join(ROOT, 'nothing-here'), '--json']);
    expect(JSON.parse(missing.stderr)).toEqual({ error: { code: 'NOT_FOUND', message: `no database at ${join(ROOT, 'nothing-here')}`, exitCode: 1 } });
    const debug = await lsm(['frobnicate', '--debug']);
    expect(debug.status).toBe(2);
    expect(debug.stderr).toMatch(/^lsm: unknown command "frobnicate"\nrun 'lsm --help' for usage\n.*\n\s+at /);
  });

  it('`--` ends the options: what follows is an argument even when it starts with -', async () => {
    const dir = newDir();
    const db = await openDb({ dir });
    await db.update((txn) => txn.set('--odd', 'dashes'));
    await db.close();
    expect(await lsm(['get', dir, '--', '--odd'])).toMatchObject({ status: 0, stdout: 'dashes\n' });
    expect(await lsm(['get', dir, '--odd'])).toMatchObject({ status: 2, stderr: expect.stringContaining('unknown option --odd') as unknown });
  });
});

describe('lsm run(argv, io): commands', () => {
  it('a directory without a database is "not found" (exit 1) and is not created', async () => {
    const dir = newDir();
    for (const command of ['info', 'scan', 'verify', 'flatten', 'gc']) {
      const result = await lsm([command, dir]);
      expect(result.status, command).toBe(ExitCode.NOT_FOUND);
      expect(result.stderr).toBe(`lsm: no database at ${dir}\n`);
    }
    expect((await lsm(['get', dir, 'k'])).status).toBe(1);
    expect((await lsm(['backup', dir, join(ROOT, 'never.lsmbak')])).status).toBe(1);
    expect(() => readdirSync(dir)).toThrow();
    // A plain file, and a directory without CURRENT, are not databases either.
    const file = join(ROOT, 'plain-file');
    writeFileSync(file, 'x');
    expect(await lsm(['info', file])).toMatchObject({ status: 1, stderr: `lsm: no database at ${file}\n` });
    const empty = newDir();
    mkdirSync(empty);
    expect(await lsm(['scan', empty])).toMatchObject({ status: 1, stderr: `lsm: no database at ${empty}\n` });
  });

  it('info, human and --json', async () => {
    const dir = await makeDb();
    const human = await lsm(['info', dir]);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/^database {4}.*\ntimestamp {3}2\ntables {6}\d+ \(\d+\.\d KiB\)\n {2}L\d+ {8}\d+ tables, .*\nvalue log {3}\d+ files, .*\nmemtable {4}\d+ B, 0 immutable\n$/);
    const json = JSON.parse((await lsm(['info', dir, '--json'])).stdout) as { dir: string; timestamp: number; stats: { levels: { tables: number }[] } };
    expect(json.dir).toBe(dir);
    expect(json.timestamp).toBe(2);
    expect(json.stats.levels.reduce((n, l) => n + l.tables, 0)).toBeGreaterThan(0);
  });

  it('info lists value-log garbage and sizes in MiB; gc rewrites the files holding it', async () => {
    const dir = newDir();
    const db = await openDb({ dir, valueThresholdBytes: 64 });
    const big = 'v'.repeat(1024);
    for (let round = 0; round < 2; round++) {
      await db.update((txn) => {
        for (let i = 0; i < 1200; i++) txn.set(`big:${String(i).padStart(4, '0')}`, `${round}${big}`);
      });
      await db.flush();
    }
    await db.flatten();
    await db.close();
    const human = await lsm(['info', dir]);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/\nvalue log {3}\d+ files, \d+\.\d MiB\n {2}\S+\.vlog {2}\d+\.\d (KiB|MiB) garbage\n/);
    const garbage = async (): Promise<number> => {
      const info = JSON.parse((await lsm(['info', dir, '--json'])).stdout) as { stats: { vlog: { garbageBytes: Record<string, number> } } };
      return Object.values(info.stats.vlog.garbageBytes).reduce((n, g) => n + g, 0);
    };
    const before = await garbage();
    expect(before).toBeGreaterThan(1200 * 1024);
    const gc = await lsm(['gc', dir, '--discard-ratio', '0.3']);
    expect(gc.status).toBe(0);
    expect(gc.stdout).toMatch(/^value-log gc: filesRewritten \[\d+(,\d+)*\], valuesMoved 1200, /);
    expect(await scanRows(dir)).toHaveLength(1200);
  });

  it('scan with --prefix, --limit, --reverse, --json and --hex; binary keys round-trip through get', async () => {
    const dir = await makeDb();
    const all = await lsm(['scan', dir]);
    expect(all.status).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(300); // 299 keys left + the binary key
    expect(lines[0]).toBe('\\x00\\x01\\\\\\xffA\t\\xc8\\x0a');
    expect(lines[1]).toBe('key:000\t' + 'L'.repeat(100) + '0');
    expect((await lsm(['scan', dir, '--prefix', 'key:00', '--limit', '3'])).stdout).toBe('key:000\t' + 'L'.repeat(100) + '0\nkey:001\tvalue 1\nkey:002\tvalue 2\n');
    expect((await lsm(['scan', dir, '--prefix=key:1', '--reverse', '--limit=1'])).stdout).toBe('key:199\tvalue 199\n');
    expect(await lsm(['scan', dir, '--limit', '0'])).toMatchObject({ status: 0, stdout: '' });
    expect((await lsm(['scan', dir, '--prefix', '6b65793a303130', '--hex'])).stdout).toBe(`6b65793a303130\t${Buffer.from('L'.repeat(100) + '10').toString('hex')}\n`);
    const rows = jsonLines((await lsm(['scan', dir, '--prefix', 'key:01', '--json'])).stdout);
    expect(rows).toHaveLength(10);
    expect(rows[3]).toEqual({ key: 'key:013', value: 'value 13', version: 1, userMeta: 1, expiresAt: 0 });
    const hex = jsonLines((await lsm(['scan', dir, '--hex', '--json', '--limit', '1'])).stdout)[0];
    expect(hex).toMatchObject({ key: '00015cff41', value: 'c80a' });
    // The printed key is a valid argument.
    const printed = (lines[0] as string).split('\t')[0] as string;
    expect((await lsm(['get', dir, printed])).stdout).toBe('\\xc8\\x0a\n');
    expect((await lsm(['get', dir, '00015cff41', '--hex'])).stdout).toBe('c80a\n');
    expect((await lsm(['get', dir, 'key:042', '--json'])).stdout).toBe(`${JSON.stringify({ key: 'key:042', value: 'value 42', version: 1, userMeta: 2, expiresAt: 0 })}\n`);
    expect(await lsm(['get', dir, 'key:007'])).toMatchObject({ status: 1, stdout: '', stderr: 'lsm: key not found: key:007\n' });
    expect(JSON.parse((await lsm(['get', dir, 'nope', '--json'])).stderr)).toEqual({ error: { code: 'NOT_FOUND', message: 'key not found: nope', exitCode: 1 } });
  });

  it('bad key arguments exit 2: not hexadecimal, a bad escape, an empty key', async () => {
    const dir = await makeDb();
    expect(await lsm(['get', dir, 'xyz', '--hex'])).toMatchObject({ status: 2, stderr: 'lsm: <key> is not hexadecimal: "xyz"\nrun \'lsm --help\' for usage\n' });
    expect(await lsm(['scan', dir, '--prefix', 'abc', '--hex'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/^lsm: --prefix is not hexadecimal: "abc"\n/) as unknown });
    expect(await lsm(['get', dir, 'a\\qb'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/^lsm: bad escape in "a\\\\qb": use \\\\ or \\xNN\n/) as unknown });
    expect(await lsm(['get', dir, ''])).toMatchObject({ status: 2, stderr: expect.stringMatching(/^lsm: <key> is empty\n/) as unknown });
  });

  it('escaping is lossless and keeps printable UTF-8 as it is', () => {
    const samples = [
      BINARY_KEY,
      new TextEncoder().encode('plain ünïcode ✓ \\x41 😀'),
      new TextEncoder().encode('tab\there\u007f\u0085'),
      new Uint8Array([0xe2, 0x82]),
      new Uint8Array(256).map((_, i) => i),
    ];
    for (const bytes of samples) expect(unescapeBytes(escapeBytes(bytes))).toEqual(bytes);
    expect(escapeBytes(new TextEncoder().encode('a\\b\tc ✓'))).toBe('a\\\\b\\x09c ✓');
    expect(escapeBytes(new TextEncoder().encode('\u0085'))).toBe('\\xc2\\x85');
    expect(escapeBytes(new Uint8Array([0x41, 0x5c, 0xff]))).toBe('A\\\\\\xff');
    expect(unescapeBytes('😀\\x41')).toEqual(Uint8Array.from([0xf0, 0x9f, 0x98, 0x80, 0x41]));
    expect(() => unescapeBytes('trailing\\')).toThrow(/bad escape/);
    expect(() => unescapeBytes('\\x4')).toThrow(/bad escape/);
  });

  it('scan stops quietly when the reader goes away (EPIPE)', async () => {
    const dir = await makeLargeDb();
    const epipe = new FakeOut((out) => {
      const error = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      queueMicrotask(() => out.emit('error', error));
      return false;
    });
    const stderr = new Sink();
    const status = await run(['scan', dir], { stdout: epipe.asStream(), stderr, stdin: Readable.from([]) });
    expect(status).toBe(0);
    expect(stderr.text()).toBe('');
    expect(epipe.written).toHaveLength(1); // the first 64 KiB chunk, then nothing more
    expect(epipe.written[0]).toMatch(/^k00000\tx{40}\n/);
    expect(epipe.listenerCount('error')).toBe(0);
  });

  it('a stdout error reported after a write was accepted fails the next write (exit 4)', async () => {
    const dir = await makeLargeDb();
    const late = new FakeOut((out) => {
      if (out.written.length === 1) queueMicrotask(() => out.emit('error', new Error('device gone')));
      return true;
    });
    const stderr = new Sink();
    expect(await run(['scan', dir], { stdout: late.asStream(), stderr, stdin: Readable.from([]) })).toBe(ExitCode.FAILURE);
    expect(stderr.text()).toBe('lsm: device gone\n');
    expect(late.written).toHaveLength(1);
  });

  it('a failing stdout (not EPIPE) exits 4 with its message, and the database is closed', async () => {
    const dir = await makeDb();
    const failing = new FakeOut((out) => {
      queueMicrotask(() => out.emit('error', Object.assign(new Error('disk quota exceeded'), { code: 'EDQUOT' })));
      return false;
    });
    const stderr = new Sink();
    const status = await run(['scan', dir, '--json'], { stdout: failing.asStream(), stderr, stdin: Readable.from([]) });
    expect(status).toBe(ExitCode.FAILURE);
    expect(JSON.parse(stderr.text())).toEqual({ error: { code: 'ERROR', message: 'disk quota exceeded', exitCode: 4 } });
    // An error that is not an Error object still gives one line.
    const odd = new FakeOut((out) => {
      out.emit('error', 'something odd');
      return true;
    });
    const stderr2 = new Sink();
    expect(await run(['info', dir, '--debug'], { stdout: odd.asStream(), stderr: stderr2, stdin: Readable.from([]) })).toBe(4);
    expect(stderr2.text()).toBe('lsm: something odd\n');
    // The database was closed both times: the LOCK is free.
    expect((await lsm(['info', dir])).status).toBe(0);
  });

  it('large output waits for drain (backpressure) and loses nothing', async () => {
    const dir = await makeLargeDb();
    const result = await lsm(['scan', dir]);
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3000);
    expect(lines[2999]).toBe(`k02999\t${'x'.repeat(40)}`);
  });

  it('verify: ok exits 0; a torn MANIFEST tail is a warning; a flipped table byte exits 4 naming file and offset', async () => {
    const dir = await makeDb();
    const ok = await lsm(['verify', dir]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^ok: checked \d+ tables \(\d+ blocks, \d+ entries\), \d+ value pointers, \d+ value-log files \(\d+ entries\), \d+ WAL files \(\d+ batches\), \d+ MANIFEST edits\n$/);
    const manifest = readdirSync(dir).find((name) => name.startsWith('MANIFEST-')) as string;
    appendFileSync(join(dir, manifest), Buffer.from([1, 2, 3]));
    const torn = await lsm(['verify', dir]);
    expect(torn.status).toBe(0);
    expect(torn.stdout).toMatch(new RegExp(`^warning: ${manifest} at offset \\d+: torn tail: 3 bytes after the last complete edit\nok: `));
    const table = readdirSync(dir).find((name) => name.endsWith('.sst')) as string;
    const bytes = readFileSync(join(dir, table));
    bytes[30] = (bytes[30] as number) ^ 0xff;
    writeFileSync(join(dir, table), bytes);
    const bad = await lsm(['verify', dir]);
    expect(bad.status).toBe(4);
    expect(bad.stdout).toContain(`problem: ${table} at offset 0: block checksum mismatch`);
    expect(bad.stdout).toMatch(/\n1 problem: checked /);
    const json = JSON.parse((await lsm(['verify', dir, '--json'])).stdout) as { dir: string; ok: boolean; problems: { file: string; offset: number }[]; warnings: unknown[] };
    expect(json).toMatchObject({ dir, ok: false });
    expect(json.problems[0]).toMatchObject({ file: table, offset: 0 });
    expect(json.warnings).toHaveLength(1);
    // Two damaged tables: the count is plural.
    const second = newDir();
    await makeDb(second);
    for (const name of readdirSync(second).filter((n) => n.endsWith('.sst') || n.endsWith('.vlog'))) {
      const content = readFileSync(join(second, name));
      content[30] = (content[30] as number) ^ 0xff;
      writeFileSync(join(second, name), content);
    }
    expect((await lsm(['verify', second])).stdout).toMatch(/\n[2-9]\d* problems: checked /);
  });

  it('backup to a file and restore into a new directory give the same scan; incremental and pipes work', async () => {
    const source = await makeDb();
    const file = join(ROOT, 'full.lsmbak');
    const full = await lsm(['backup', source, file, '--json']);
    expect(full.status).toBe(0);
    const report = JSON.parse(full.stdout) as { file: string; records: number; until: number; since: number };
    expect(report).toMatchObject({ file, records: 300, since: 0, until: 2 });
    expect(readdirSync(ROOT).filter((n) => n.endsWith('.partial'))).toEqual([]);
    const human = await lsm(['backup', source, join(ROOT, 'full2.lsmbak')]);
    expect(human.stdout).toMatch(new RegExp(`^backed up 300 records changed in \\(0, 2\\] to ${join(ROOT, 'full2.lsmbak')} \\(\\d+\\.\\d KiB\\); next incremental: --since 2\n$`));
    const target = newDir();
    const restored = await lsm(['restore', target, file]);
    expect(restored.status).toBe(0);
    expect(restored.stdout).toBe(`restored 300 records (300 values, 0 deletions) from ${file}, a backup of (0, 2]\n`);
    expect(await scanRows(target)).toEqual(await scanRows(source));

    // Incremental: change two keys and delete one, back up through stdout, restore from stdin.
    const db = await openDb({ dir: source });
    await db.update((txn) => {
      txn.set('key:001', 'changed');
      txn.set('key:999', 'new');
      txn.delete('key:002');
    });
    await db.close();
    const incremental = await lsm(['backup', source, '-', '--since', String(report.until)]);
    expect(incremental.status).toBe(0);
    expect(incremental.stderr).toMatch(/^backed up 3 records \(1 deletions\) changed in \(2, 3\] to stdout \(\d+ B\); next incremental: --since 3\n$/);
    const applied = await lsm(['restore', target, '-', '--json'], { stdin: incremental.stdoutBytes });
    expect(applied.status).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ dir: target, file: '-', records: 3, values: 2, deletes: 1 });
    expect(await scanRows(target)).toEqual(await scanRows(source));
    const again = await lsm(['backup', source, '-', '--since', '3', '--json']);
    expect(JSON.parse(again.stderr)).toMatchObject({ file: '-', records: 0, since: 3, until: 3 });
    const fromStdin = await lsm(['restore', newDir(), '-'], { stdin: again.stdoutBytes });
    expect(fromStdin.stdout).toBe('restored 0 records (0 values, 0 deletions) from stdin, a backup of (3, 3]\n');
  });

  it('regression: a backup refused before its file opened left <file>.partial behind', async () => {
    // db.backup rejected (INVALID_ARGUMENT) before the write stream had opened its file; the
    // cleanup unlinked nothing and the stream then created the file. Now the cleanup waits for the
    // stream to close.
    const source = await makeDb();
    for (let i = 0; i < 5; i++) {
      expect((await lsm(['backup', source, join(ROOT, `refused${i}.lsmbak`), '--since', '99'])).status).toBe(ExitCode.USAGE);
    }
    expect(readdirSync(ROOT).filter((n) => n.startsWith('refused'))).toEqual([]);
  });

  it('backup errors: a --since after the current timestamp exits 2; an unwritable file exits 4 and leaves no .partial', async () => {
    const source = await makeDb();
    const future = await lsm(['backup', source, join(ROOT, 'future.lsmbak'), '--since', '99']);
    expect(future.status).toBe(ExitCode.USAGE);
    expect(future.stderr).toMatch(/^lsm: since 99 is after this database's current timestamp 2/);
    expect(future.stderr).not.toContain('--help'); // an engine error, not a command-line one
    expect(JSON.parse((await lsm(['backup', source, join(ROOT, 'future.lsmbak'), '--since', '99', '--json'])).stderr)).toMatchObject({
      error: { code: 'INVALID_ARGUMENT', exitCode: 2 },
    });
    const unwritable = join(ROOT, 'no-such-dir', 'x.lsmbak');
    const failed = await lsm(['backup', source, unwritable]);
    expect(failed.status).toBe(ExitCode.FAILURE);
    expect(failed.stderr).toMatch(/^lsm: .*ENOENT/);
    expect(readdirSync(ROOT).filter((n) => n.endsWith('.partial'))).toEqual([]);
    expect((await lsm(['info', source])).status).toBe(0); // closed and unlocked
  });

  it('a corrupted or truncated backup file is rejected (exit 4) and restores nothing', async () => {
    const source = await makeDb();
    const file = join(ROOT, 'to-damage.lsmbak');
    expect((await lsm(['backup', source, file])).status).toBe(0);
    const bytes = readFileSync(file);
    const damaged = Buffer.from(bytes);
    damaged[Math.floor(bytes.length / 2)] = (damaged[Math.floor(bytes.length / 2)] as number) ^ 1;
    for (const [name, content] of [['flipped', damaged], ['truncated', bytes.subarray(0, bytes.length - 40)]] as const) {
      const path = join(ROOT, `${name}.lsmbak`);
      writeFileSync(path, content);
      const target = newDir();
      const result = await lsm(['restore', target, path]);
      expect(result.status, name).toBe(4);
      expect(result.stderr).toMatch(/^lsm: corruption in backup at offset \d+: .*\n$/);
      expect((await lsm(['scan', target])).stdout).toBe('');
    }
    const json = await lsm(['restore', newDir(), join(ROOT, 'flipped.lsmbak'), '--json']);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'CORRUPTION', exitCode: 4 } });
  });

  it('restore: a missing backup file exits 1, a target that is a file exits 2', async () => {
    const target = newDir();
    expect(await lsm(['restore', target, join(ROOT, 'missing.lsmbak')])).toMatchObject({ status: 1, stderr: `lsm: no backup file ${join(ROOT, 'missing.lsmbak')}\n` });
    expect(() => readdirSync(target)).toThrow();
    const file = join(ROOT, 'a-file');
    writeFileSync(file, 'x');
    expect(await lsm(['restore', file, '-'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/^lsm: .* is not a directory\n/) as unknown });
  });

  it('a database open elsewhere is LOCKED (exit 3), in text and --json', async () => {
    const dir = await makeDb();
    const db = await openDb({ dir });
    try {
      const result = await lsm(['info', dir]);
      expect(result.status).toBe(ExitCode.LOCKED);
      expect(result.stderr).toMatch(/^lsm: database .* is locked by process \d+\n$/);
      expect((await lsm(['verify', dir])).status).toBe(3);
      expect(JSON.parse((await lsm(['scan', dir, '--json'])).stderr)).toMatchObject({ error: { code: 'LOCKED', exitCode: 3 } });
    } finally {
      await db.close();
    }
  });

  it('flatten and gc run; an empty database flattens to no tables; bad options exit 2', async () => {
    const dir = await makeDb();
    const before = await scanRows(dir);
    const flat = await lsm(['flatten', dir]);
    expect(flat.status).toBe(0);
    expect(flat.stdout).toMatch(/^flattened: L\d+ 1 tables \d+\.\d KiB\n$/);
    expect(await scanRows(dir)).toEqual(before);
    const flatJson = JSON.parse((await lsm(['flatten', dir, '--json'])).stdout) as { dir: string; levels: { tables: number }[] };
    expect(flatJson.dir).toBe(dir);
    expect(flatJson.levels).toEqual([expect.objectContaining({ tables: 1 })]);
    const gc = await lsm(['gc', dir, '--discard-ratio', '0.5', '--json']);
    expect(gc.status).toBe(0);
    expect(JSON.parse(gc.stdout)).toHaveProperty('dir', dir);
    expect(await lsm(['gc', dir])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^value-log gc: /) as unknown });
    for (const ratio of ['1.5', '0', '1', '', ' ', 'abc', 'NaN', '-0.5']) {
      const bad = await lsm(['gc', dir, `--discard-ratio=${ratio}`]);
      expect(bad.status, ratio).toBe(2);
      expect(bad.stderr).toBe(`lsm: --discard-ratio must be a number between 0 and 1; got ${JSON.stringify(ratio)}\nrun 'lsm --help' for usage\n`);
    }
    expect((await lsm(['verify', dir])).status).toBe(0);
    const empty = newDir();
    await (await openDb({ dir: empty })).close();
    expect(await lsm(['flatten', empty])).toMatchObject({ status: 0, stdout: 'flattened: no tables\n' });
  });

  it('an unreadable store exits 4 with one line; --debug adds the stack', async () => {
    const dir = await makeDb();
    writeFileSync(join(dir, 'CURRENT'), 'MANIFEST-999999\n');
    const plain = await lsm(['info', dir]);
    expect(plain.status).toBe(4);
    expect(plain.stderr.trimEnd().split('\n')).toHaveLength(1);
    const debug = await lsm(['info', dir, '--debug']);
    expect(debug.status).toBe(4);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});
