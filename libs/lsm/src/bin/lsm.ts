/**
 * The `lsm` command shipped by @progress/lsm (package.json "bin" → bin/lsm.js → this module,
 * compiled): inspect and maintain a database directory.
 *
 *   lsm info <dir>                                  shape of the store (levels, value log, timestamp)
 *   lsm scan <dir> [--prefix p] [--limit n] [--reverse] [--hex]
 *   lsm get <dir> <key> [--hex]
 *   lsm verify <dir>                                offline check of every file (docs: verify/verify.ts)
 *   lsm backup <dir> <file|-> [--since ts]          '-' writes the stream to stdout
 *   lsm restore <dir> <file|->                      '-' reads the stream from stdin
 *   lsm flatten <dir>
 *   lsm gc <dir> [--discard-ratio r]
 *
 * Global flags: --json (machine output: one JSON document, or JSON Lines for `scan`), --debug
 * (stack traces), --help. Exit codes: 0 ok, 1 not found (no database, no key, no backup file),
 * 2 usage or invalid argument, 3 locked by another process, 4 corruption, I/O or any other error.
 * Errors are one line on stderr (`lsm: message`; with --json a JSON line `{"error": ...}`).
 *
 * Keys and values are printed as UTF-8 with `\` escaped as `\\` and other bytes that are not
 * printable as `\xNN` (lossless); `--hex` prints (and reads `<key>`/`--prefix` as) hexadecimal.
 * Key arguments accept the same escapes, so a printed key can be passed back to `get`.
 *
 * No runtime dependencies: argv is parsed by hand. Commands that open the database take its LOCK
 * (exit 3 while another process has it open); `verify` reads the files without replaying or
 * rewriting anything, also under the LOCK.
 */

import { closeSync, createReadStream, createWriteStream, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { openDb, type Db } from '../db.js';
import { errnoOf, isLsmError, LsmError } from '../errors.js';
import { joinPath } from '../fs/fs.js';
import { nodeFs } from '../fs/node-fs.js';
import { CURRENT_FILE_NAME } from '../fs/filenames.js';
import type { Item } from '../txn/txn.js';
import { verifyDirectory, type VerifyProblem, type VerifyReport } from '../verify/verify.js';

export const ExitCode = { OK: 0, NOT_FOUND: 1, USAGE: 2, LOCKED: 3, FAILURE: 4 } as const;

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

const USAGE = `usage: lsm <command> <dir> [arguments] [--json] [--debug]

commands:
  info <dir>                                   levels, value log, memtable and timestamp
  scan <dir> [--prefix p] [--limit n] [--reverse] [--hex]
                                               print keys and values (JSON Lines with --json)
  get <dir> <key> [--hex]                      print one value (exit 1 when absent)
  verify <dir>                                 check every table block, value pointer, value-log
                                               entry, WAL and the MANIFEST (exit 4 on problems)
  backup <dir> <file|-> [--since ts]           write a backup stream ('-' = stdout); --since takes
                                               the "until" of the previous backup (incremental)
  restore <dir> <file|->                       load a backup stream ('-' = stdin): a full backup,
                                               then its incremental backups in order
  flatten <dir>                                compact everything into the bottom level
  gc <dir> [--discard-ratio r]                 rewrite value-log files with at least r garbage

Keys and values print as UTF-8 with \\\\ and non-printable bytes escaped as \\xNN; --hex prints
and reads them as hexadecimal.
exit codes: 0 ok, 1 not found, 2 usage, 3 locked, 4 corruption or I/O error`;

class UsageError extends Error {}
class NotFoundError extends Error {}

type FlagKind = 'boolean' | 'string';

interface CommandSpec {
  args: readonly string[];
  flags: Readonly<Record<string, FlagKind>>;
  run: (ctx: Context) => Promise<number>;
}

interface Context {
  io: CliIo;
  args: string[];
  flags: Map<string, string | true>;
  json: boolean;
}

const GLOBAL_FLAGS: Readonly<Record<string, FlagKind>> = { json: 'boolean', debug: 'boolean', help: 'boolean' };

const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  info: { args: ['dir'], flags: {}, run: info },
  scan: { args: ['dir'], flags: { prefix: 'string', limit: 'string', reverse: 'boolean', hex: 'boolean' }, run: scan },
  get: { args: ['dir', 'key'], flags: { hex: 'boolean' }, run: get },
  verify: { args: ['dir'], flags: {}, run: verify },
  backup: { args: ['dir', 'file'], flags: { since: 'string' }, run: backup },
  restore: { args: ['dir', 'file'], flags: {}, run: restore },
  flatten: { args: ['dir'], flags: {}, run: flatten },
  gc: { args: ['dir'], flags: { 'discard-ratio': 'string' }, run: gc },
};

/** Runs the command line `argv` (without node and script); resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }): Promise<number> {
  const debug = argv.includes('--debug');
  const json = argv.includes('--json');
  try {
    const [name, ...rest] = argv.filter((a) => a !== '--debug');
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      (name === undefined ? io.stderr : io.stdout).write(`${USAGE}\n`);
      return name === undefined ? ExitCode.USAGE : ExitCode.OK;
    }
    if (name === '--version') {
      io.stdout.write(`${packageVersion()}\n`);
      return ExitCode.OK;
    }
    const spec = COMMANDS[name];
    if (spec === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    const { args, flags } = parseArgs(rest, { ...GLOBAL_FLAGS, ...spec.flags });
    if (flags.has('help')) {
      io.stdout.write(`${USAGE}\n`);
      return ExitCode.OK;
    }
    if (args.length !== spec.args.length) {
      throw new UsageError(`${name} takes ${spec.args.map((a) => `<${a}>`).join(' ')}; got ${args.length} argument${args.length === 1 ? '' : 's'}`);
    }
    return await spec.run({ io, args, flags, json });
  } catch (error) {
    const code = exitCodeOf(error);
    const message = oneLine(error instanceof Error ? error.message : String(error));
    if (json) {
      const errorCode = error instanceof LsmError ? error.code : code === ExitCode.USAGE ? 'USAGE' : code === ExitCode.NOT_FOUND ? 'NOT_FOUND' : 'ERROR';
      io.stderr.write(`${JSON.stringify({ error: { code: errorCode, message, exitCode: code } })}\n`);
    } else {
      io.stderr.write(`lsm: ${message}\n`);
      if (code === ExitCode.USAGE && error instanceof UsageError) io.stderr.write(`run 'lsm --help' for usage\n`);
    }
    if (debug && error instanceof Error && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
    return code;
  }
}

function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return ExitCode.USAGE;
  if (error instanceof NotFoundError) return ExitCode.NOT_FOUND;
  if (isLsmError(error, 'LOCKED')) return ExitCode.LOCKED;
  if (isLsmError(error, 'KEY_NOT_FOUND')) return ExitCode.NOT_FOUND;
  if (isLsmError(error, 'INVALID_ARGUMENT')) return ExitCode.USAGE;
  return ExitCode.FAILURE;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

// ---- argv ---------------------------------------------------------------------------------------

function parseArgs(argv: readonly string[], known: Readonly<Record<string, FlagKind>>): { args: string[]; flags: Map<string, string | true> } {
  const args: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
      args.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const kind = known[name];
    if (kind === undefined) throw new UsageError(`unknown option --${name}`);
    if (flags.has(name)) throw new UsageError(`option --${name} given twice`);
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    const value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`option --${name} needs a value`);
    flags.set(name, value);
  }
  return { args, flags };
}

function stringFlag(ctx: Context, name: string): string | undefined {
  const value = ctx.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

function integerFlag(ctx: Context, name: string, min: number): number | undefined {
  const text = stringFlag(ctx, name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < min) {
    throw new UsageError(`--${name} must be an integer >= ${min}; got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

// ---- bytes as text ------------------------------------------------------------------------------

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Lossless text: UTF-8 with `\` → `\\` and non-printable characters as `\xNN` per byte. */
export function escapeBytes(bytes: Uint8Array): string {
  let text: string | undefined;
  try {
    text = utf8.decode(bytes);
  } catch {
    text = undefined;
  }
  if (text !== undefined) {
    // eslint-disable-next-line no-control-regex
    return text.replace(/[\\\u0000-\u001f\u007f-\u009f]/gu, (c) =>
      c === '\\' ? '\\\\' : [...new TextEncoder().encode(c)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join(''));
  }
  let out = '';
  for (const byte of bytes) {
    if (byte === 0x5c) out += '\\\\';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** Inverse of escapeBytes: UTF-8 text with `\\` and `\xNN` escapes. */
export function unescapeBytes(text: string): Uint8Array {
  const out: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c !== '\\') {
      const code = text.codePointAt(i) as number;
      const char = String.fromCodePoint(code);
      out.push(...encoder.encode(char));
      i += char.length - 1;
      continue;
    }
    const next = text[i + 1];
    if (next === '\\') {
      out.push(0x5c);
      i++;
    } else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      out.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      throw new UsageError(`bad escape in ${JSON.stringify(text)}: use \\\\ or \\xNN`);
    }
  }
  return Uint8Array.from(out);
}

function keyArgument(ctx: Context, text: string, what: string): Uint8Array {
  if (ctx.flags.has('hex')) {
    if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw new UsageError(`${what} is not hexadecimal: ${JSON.stringify(text)}`);
    return Uint8Array.from(Buffer.from(text, 'hex'));
  }
  return unescapeBytes(text);
}

function showBytes(ctx: Context, bytes: Uint8Array): string {
  return ctx.flags.has('hex') ? Buffer.from(bytes).toString('hex') : escapeBytes(bytes);
}

function itemJson(ctx: Context, item: Item): string {
  return JSON.stringify({
    key: showBytes(ctx, item.key),
    value: showBytes(ctx, item.value),
    version: item.version,
    userMeta: item.userMeta,
    expiresAt: item.expiresAt,
  });
}

// ---- output -------------------------------------------------------------------------------------

/** Buffered writes to a stream with backpressure; stops quietly when the reader goes away (EPIPE). */
class Output {
  private buffer = '';
  private closed = false;
  private failure: unknown;
  private readonly stream: NodeJS.WritableStream;
  private readonly onError = (error: unknown): void => {
    if (errnoOf(error) === 'EPIPE') this.closed = true;
    else this.failure ??= error;
  };

  constructor(stream: NodeJS.WritableStream) {
    this.stream = stream;
    stream.on('error', this.onError);
  }

  get gone(): boolean {
    return this.closed;
  }

  async line(text: string): Promise<void> {
    this.buffer += `${text}\n`;
    if (this.buffer.length >= 64 * 1024) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.buffer.length === 0 || this.closed) {
      this.buffer = '';
      return;
    }
    const text = this.buffer;
    this.buffer = '';
    const more = this.stream.write(text);
    if (!more && !this.closed) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.removeListener('drain', done);
          this.stream.removeListener('error', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('error', done);
      });
    }
    if (this.failure !== undefined) throw this.failure;
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.removeListener('error', this.onError);
  }
}

// ---- opening ------------------------------------------------------------------------------------

function requireDatabase(dir: string): void {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir || !existsSync(joinPath(dir, CURRENT_FILE_NAME))) throw new NotFoundError(`no database at ${dir}`);
}

async function withDb<T>(dir: string, body: (db: Db) => Promise<T>, create = false): Promise<T> {
  if (!create) requireDatabase(dir);
  const db = await openDb({ dir });
  let result: T;
  try {
    result = await body(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  await db.close();
  return result;
}

function dirArg(ctx: Context): string {
  return ctx.args[0] as string;
}

// ---- commands -----------------------------------------------------------------------------------

async function info(ctx: Context): Promise<number> {
  const dir = dirArg(ctx);
  const { timestamp, stats } = await withDb(dir, async (db) => ({ timestamp: db.currentTimestamp(), stats: db.stats() }));
  const out = new Output(ctx.io.stdout);
  if (ctx.json) {
    await out.line(JSON.stringify({ dir, timestamp, stats }));
  } else {
    const tableBytes = stats.levels.reduce((n, l) => n + l.bytes, 0);
    await out.line(`database    ${dir}`);
    await out.line(`timestamp   ${timestamp}`);
    await out.line(`tables      ${stats.levels.reduce((n, l) => n + l.tables, 0)} (${formatBytes(tableBytes)})`);
    for (const level of stats.levels) {
      if (level.tables > 0) await out.line(`  L${level.level}        ${level.tables} tables, ${formatBytes(level.bytes)}`);
    }
    await out.line(`value log   ${stats.vlog.files} files, ${formatBytes(stats.vlog.bytes)}`);
    for (const [file, garbage] of Object.entries(stats.vlog.garbageBytes)) {
      if (garbage > 0) await out.line(`  ${file}  ${formatBytes(garbage)} garbage`);
    }
    await out.line(`memtable    ${formatBytes(stats.memtableBytes)}, ${stats.immutableMemtables} immutable`);
  }
  await out.close();
  return ExitCode.OK;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit] as string}`;
}

async function scan(ctx: Context): Promise<number> {
  const dir = dirArg(ctx);
  const prefixText = stringFlag(ctx, 'prefix');
  const prefix = prefixText === undefined ? undefined : keyArgument(ctx, prefixText, '--prefix');
  const limit = integerFlag(ctx, 'limit', 0);
  const reverse = ctx.flags.has('reverse');
  const out = new Output(ctx.io.stdout);
  await withDb(dir, async (db) => {
    const txn = db.newTransaction({ update: false, timeoutMs: 2 ** 31 - 1 });
    try {
      let count = 0;
      for (const item of txn.iterate({ ...(prefix === undefined ? {} : { prefix }), reverse })) {
        if (limit !== undefined && count >= limit) break;
        count++;
        await out.line(ctx.json ? itemJson(ctx, item) : `${showBytes(ctx, item.key)}\t${showBytes(ctx, item.value)}`);
        if (out.gone) break;
      }
    } finally {
      txn.discard();
    }
  });
  await out.close();
  return ExitCode.OK;
}

async function get(ctx: Context): Promise<number> {
  const dir = dirArg(ctx);
  const key = keyArgument(ctx, ctx.args[1] as string, '<key>');
  if (key.length === 0) throw new UsageError('<key> is empty');
  const item = await withDb(dir, (db) => db.view((txn) => txn.getItem(key)));
  if (item === undefined) throw new NotFoundError(`key not found: ${ctx.args[1] as string}`);
  const out = new Output(ctx.io.stdout);
  await out.line(ctx.json ? itemJson(ctx, item) : showBytes(ctx, item.value));
  await out.close();
  return ExitCode.OK;
}

async function verify(ctx: Context): Promise<number> {
  const dir = dirArg(ctx);
  requireDatabase(dir);
  const report: VerifyReport = await verifyDirectory(nodeFs, dir);
  const out = new Output(ctx.io.stdout);
  if (ctx.json) {
    await out.line(JSON.stringify({ dir, ...report }));
  } else {
    const describe = (p: VerifyProblem): string => `${p.file} at offset ${p.offset}: ${p.reason}`;
    for (const problem of report.problems) await out.line(`problem: ${describe(problem)}`);
    for (const warning of report.warnings) await out.line(`warning: ${describe(warning)}`);
    const c = report.checked;
    await out.line(
      `${report.ok ? 'ok' : `${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}`}: ` +
        `checked ${c.tables} tables (${c.blocks} blocks, ${c.tableEntries} entries), ${c.pointers} value pointers, ` +
        `${c.vlogFiles} value-log files (${c.vlogEntries} entries), ${c.walFiles} WAL files (${c.walBatches} batches), ` +
        `${c.manifestEdits} MANIFEST edits`,
    );
  }
  await out.close();
  return report.ok ? ExitCode.OK : ExitCode.FAILURE;
}

async function backup(ctx: Context): Promise<number> {
  const dir = dirArg(ctx);
  const file = ctx.args[1] as string;
  const since = integerFlag(ctx, 'since', 0) ?? 0;
  const toStdout = file === '-';
  const temp = `${file}.partial`;
  requireDatabase(dir);
  const result = await withDb(dir, async (db) => {
    if (toStdout) return db.backup(ctx.io.stdout, { since });
    const stream = createWriteStream(temp, { flags: 'w' });
    try {
      const done = await db.backup(stream, { since });
      stream.end();
      await finished(stream);
      const fd = openSync(temp, 'r+');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, file);
      return done;
    } catch (error) {
      // The stream opens its file asynchronously: wait until it is closed, or a file opened after
      // the failure (db.backup can reject before the open completes) would be left behind.
      stream.destroy();
      await finished(stream).catch(() => undefined);
      try {
        unlinkSync(temp);
      } catch {
        // already gone
      }
      throw error;
    }
  });
  const report = { file, ...result };
  const out = new Output(toStdout ? ctx.io.stderr : ctx.io.stdout);
  if (ctx.json) await out.line(JSON.stringify(report));
  else {
    await out.line(
      `backed up ${result.records} records${result.deletes > 0 ? ` (${result.deletes} deletions)` : ''} ` +
        `changed in (${result.since}, ${result.until}] to ${toStdout ? 'stdout' : file} (${formatBytes(result.bytes)}); ` +
        `next incremental: --since ${result.until}`,
    );
  }
  await out.close();
  return ExitCode.OK;
}

async function restore(ctx: Context): Promise<number> {
  const dir = dirArg(ctx);
  const file = ctx.args[1] as string;
  const fromStdin = file === '-';
  if (!fromStdin && !existsSync(file)) throw new NotFoundError(`no backup file ${file}`);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a directory`);
  const result = await withDb(dir, (db) => db.load(fromStdin ? ctx.io.stdin : createReadStream(file)), true);
  const out = new Output(ctx.io.stdout);
  if (ctx.json) await out.line(JSON.stringify({ dir, file, ...result }));
  else {
    await out.line(
      `restored ${result.records} records (${result.values} values, ${result.deletes} deletions) ` +
        `from ${fromStdin ? 'stdin' : file}, a backup of (${result.since}, ${result.until}]`,
    );
  }
  await out.close();
  return ExitCode.OK;
}

async function flatten(ctx: Context): Promise<number> {
  const dir = dirArg(ctx);
  const stats = await withDb(dir, async (db) => {
    await db.flatten();
    return db.stats();
  });
  const out = new Output(ctx.io.stdout);
  const levels = stats.levels.filter((l) => l.tables > 0).map((l) => ({ level: l.level, tables: l.tables, bytes: l.bytes }));
  if (ctx.json) await out.line(JSON.stringify({ dir, levels }));
  else await out.line(`flattened: ${levels.map((l) => `L${l.level} ${l.tables} tables ${formatBytes(l.bytes)}`).join(', ') || 'no tables'}`);
  await out.close();
  return ExitCode.OK;
}

async function gc(ctx: Context): Promise<number> {
  const dir = dirArg(ctx);
  const text = stringFlag(ctx, 'discard-ratio');
  let discardRatio: number | undefined;
  if (text !== undefined) {
    discardRatio = Number(text);
    if (text.trim() === '' || !Number.isFinite(discardRatio) || discardRatio <= 0 || discardRatio >= 1) {
      throw new UsageError(`--discard-ratio must be a number between 0 and 1; got ${JSON.stringify(text)}`);
    }
  }
  const result = await withDb(dir, (db) => db.runValueLogGC(discardRatio === undefined ? {} : { discardRatio }));
  const out = new Output(ctx.io.stdout);
  if (ctx.json) await out.line(JSON.stringify({ dir, ...result }));
  else await out.line(`value-log gc: ${Object.entries(result).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')}`);
  await out.close();
  return ExitCode.OK;
}

export { USAGE };

