/**
 * Every failure becomes one exit code and a short message on stderr that says what happened,
 * where, and what to do next. Library errors are recognised by their stable `code` (never by
 * class identity, so this module imports no library and costs nothing at start-up).
 *
 *   CliError                         its own code (1, 2, 3 or 4)
 *   INVALID_STORE_URL (a malformed etcd:// address)               2 usage
 *   LOCKED, CONFLICT, APPEND_CONFLICT, TXN_TIMEOUT                 3 busy
 *   STORE_UNAVAILABLE (etcd cluster unreachable, nothing applied)  3 busy
 *   CORRUPTION, IO_ERROR, READ_ONLY, STREAM_CORRUPTED, FORMAT_MISMATCH,
 *   EVENT_DECODE_FAILED, COMMIT_OUTCOME_UNKNOWN, errno (ENOSPC, EIO…)   4 storage
 *   CLOSE_FAILED (the command completed, closing the store failed; its changes are saved)  4 storage
 *   IMPORT_REJECTED, LIMIT_EXCEEDED, TXN_TOO_BIG, KEY/VALUE_TOO_LARGE                      1 rejected
 *   anything else (BugError, TypeError, …)                                                70 bug
 *
 * A stack trace is printed only with --debug.
 */
import type { Context } from './context.js';
import { CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';

export interface Rendered {
  readonly exitCode: ExitCode;
  readonly lines: readonly string[];
}

const BUSY = new Set(['LOCKED', 'CONFLICT', 'APPEND_CONFLICT', 'TXN_TIMEOUT']);
const STORAGE = new Set([
  'CORRUPTION', 'IO_ERROR', 'READ_ONLY', 'STREAM_CORRUPTED', 'FORMAT_MISMATCH', 'EVENT_DECODE_FAILED', 'COMMIT_OUTCOME_UNKNOWN',
]);
const TOO_BIG = new Set(['LIMIT_EXCEEDED', 'TXN_TOO_BIG', 'KEY_TOO_LARGE', 'VALUE_TOO_LARGE']);
const ERRNO_STORAGE = new Set(['ENOSPC', 'EIO', 'EROFS', 'EDQUOT', 'EMFILE', 'ENFILE', 'EACCES', 'EPERM', 'ENOTDIR', 'EEXIST', 'EISDIR', 'ENOENT']);

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null && name in error ? (error as Record<string, unknown>)[name] : undefined;
}

/**
 * ENOSPC/EDQUOT, from the engine's IoError (`errno: 'ENOSPC'`) or a raw Node error, whose `errno`
 * is the number -28 and whose `code` is the name (regression: the raw error was reported as a
 * generic storage fault, found by test/reliability/cli-disk-full.rel.test.ts).
 */
function diskFull(error: unknown): boolean {
  const names = [field(error, 'errno'), field(field(error, 'cause'), 'code'), field(error, 'code')];
  return names.some((name) => name === 'ENOSPC' || name === 'EDQUOT');
}

function closeFailed(error: unknown, where: string): Rendered {
  const cause = field(error, 'cause');
  const what = diskFull(cause) ? 'disk full' : `storage fault (${messageOf(cause)})`;
  return {
    exitCode: ExitCode.STORAGE,
    lines: [
      `error: ${what} while closing ${where} after the command completed; its changes are saved and the next progress command finishes writing them`,
      diskFull(cause) ? 'hint: free some space; do not run the command again' : 'hint: check the disk; do not run the command again',
    ],
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const NO_CHANGE = 'no data was changed';

function storage(error: unknown, code: string, where: string): Rendered {
  if (code === 'CORRUPTION') {
    const file = field(error, 'file');
    const offset = field(error, 'offset');
    const reason = field(error, 'reason');
    const location = typeof file === 'string'
      ? `${file} at offset ${String(offset)}${typeof reason === 'string' && reason !== '' ? `: ${reason}` : ''}`
      : 'unknown file';
    return {
      exitCode: ExitCode.STORAGE,
      lines: [
        `error: store corrupted (${location}) in ${where}; ${NO_CHANGE}`,
        'hint: leave the directory as it is (progress never repairs files on its own); copy it somewhere safe and restore from your last "progress export"',
      ],
    };
  }
  if (diskFull(error)) {
    return { exitCode: ExitCode.STORAGE, lines: [`error: disk full while writing ${where}; ${NO_CHANGE}`, 'hint: free some space and run the command again'] };
  }
  if (code === 'FORMAT_MISMATCH') {
    return { exitCode: ExitCode.STORAGE, lines: [`error: ${messageOf(error)} (${where})`, 'hint: use the progress version that wrote this store, or point --db elsewhere'] };
  }
  return {
    exitCode: ExitCode.STORAGE,
    lines: [`error: storage fault in ${where}: ${messageOf(error)}`, 'hint: check the disk and file permissions, then run the command again; progress never deletes or repairs files on its own'],
  };
}

/** Classifies an error thrown anywhere below the entry point. `where` names the store directory. */
export function renderError(error: unknown, where: string): Rendered {
  if (error instanceof CliError) {
    return { exitCode: error.exitCode, lines: [`error: ${error.message}`, ...(error.hint === undefined ? [] : [`hint: ${error.hint}`])] };
  }
  const code = field(error, 'code');
  if (typeof code === 'string') {
    if (BUSY.has(code)) {
      return {
        exitCode: ExitCode.BUSY,
        lines: [`error: store ${where} is busy: ${messageOf(error)}`, 'hint: another progress process is writing; retry in a moment'],
      };
    }
    if (code === 'STORE_UNAVAILABLE') {
      return { exitCode: ExitCode.BUSY, lines: [`error: ${messageOf(error)}`, `hint: ${NO_CHANGE}; run the command again when the store is reachable`] };
    }
    if (code === 'INVALID_STORE_URL') {
      return { exitCode: ExitCode.USAGE, lines: [`error: ${messageOf(error)}`, 'hint: e.g. --store etcd://10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379 (or set PROGRESS_STORE)'] };
    }
    if (STORAGE.has(code)) return storage(error, code, where);
    if (code === 'CLOSE_FAILED') return closeFailed(error, where);
    if (code === 'IMPORT_REJECTED') return importRejected(error);
    if (TOO_BIG.has(code)) {
      return { exitCode: ExitCode.REJECTED, lines: [`error: too large for one commit: ${messageOf(error)}; ${NO_CHANGE}`, 'hint: split the input into smaller files'] };
    }
    if (ERRNO_STORAGE.has(code)) {
      const path = field(error, 'path');
      return storage(error, 'IO_ERROR', typeof path === 'string' ? path : where);
    }
  }
  return {
    exitCode: ExitCode.INTERNAL,
    lines: [`internal error: ${messageOf(error)}`, 'hint: this is a bug in progress; please report it with the output of the same command run with --debug'],
  };
}

function importRejected(error: unknown): Rendered {
  const problems = field(error, 'problems');
  const list = Array.isArray(problems) ? (problems as { line: number; message: string }[]) : [];
  const shown = list.slice(0, 10).map((problem) => `  line ${problem.line}: ${problem.message}`);
  const more = list.length > 10 ? [`  … and ${list.length - 10} more`] : [];
  return {
    exitCode: ExitCode.REJECTED,
    lines: [`error: import rejected, nothing was imported (${list.length} problem${list.length === 1 ? '' : 's'}):`, ...shown, ...more, 'hint: fix those lines and run the import again'],
  };
}

export function reportError(ctx: Context, error: unknown, where: string): number {
  const rendered = renderError(error, where);
  ctx.io.stderr(`${rendered.lines.join('\n')}\n`);
  if (ctx.debug && error instanceof Error && error.stack !== undefined) ctx.io.stderr(`${error.stack}\n`);
  else if (ctx.debug) ctx.io.stderr(`${String(error)}\n`);
  return rendered.exitCode;
}
