// Goal: every failure maps to its documented exit code with a one-line "error:" message and a
// next step; no stack unless --debug. Method: fake errors carrying the libraries' stable codes.
import { describe, expect, it } from 'vitest';
import { createContext } from './context.js';
import { BusyError, CloseFailedError, RejectedError, UsageError } from './errors.js';
import { renderError, reportError } from './render-error.js';

function coded(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${code} happened`), { code, ...extra });
}

describe('renderError', () => {
  it.each([
    [new UsageError('bad'), 2],
    [new RejectedError('ENTRY_NOT_FOUND', 'no e9'), 1],
    [new BusyError('locked'), 3],
    [coded('LOCKED'), 3],
    [coded('APPEND_CONFLICT'), 3],
    [coded('CORRUPTION', { file: '000012.sst', offset: 4096 }), 4],
    [coded('IO_ERROR', { errno: 'ENOSPC' }), 4],
    [coded('STREAM_CORRUPTED'), 4],
    [coded('IMPORT_REJECTED', { problems: [{ line: 3, message: 'bad' }] }), 1],
    [coded('LIMIT_EXCEEDED'), 1],
    [coded('STORE_UNAVAILABLE'), 3],
    [coded('INVALID_STORE_URL'), 2],
    [coded('DOMAIN_BUG'), 70],
    [new TypeError('x is undefined'), 70],
  ])('%s -> %d', (error, exitCode) => {
    const rendered = renderError(error, '/data/progress');
    expect(rendered.exitCode).toBe(exitCode);
    expect(rendered.lines[0]).toMatch(exitCode === 70 ? /^internal error: / : /^error: /);
  });

  it('names the corrupt file and offset and promises nothing changed', () => {
    const rendered = renderError(coded('CORRUPTION', { file: '000012.sst', offset: 4096 }), '/d');
    expect(rendered.lines[0]).toBe('error: store corrupted (000012.sst at offset 4096) in /d; no data was changed');
  });

  it('adds the reason the engine gives (a CURRENT naming a missing MANIFEST names that MANIFEST)', () => {
    const error = coded('CORRUPTION', { file: 'CURRENT', offset: 0, reason: 'CURRENT names MANIFEST-999999, which does not exist' });
    expect(renderError(error, '/d').lines[0]).toBe(
      'error: store corrupted (CURRENT at offset 0: CURRENT names MANIFEST-999999, which does not exist) in /d; no data was changed',
    );
  });

  it('says "disk full" for ENOSPC', () => {
    expect(renderError(coded('IO_ERROR', { errno: 'ENOSPC' }), '/d').lines[0]).toMatch(/disk full/);
  });

  // Regression (test/reliability/cli-disk-full.rel.test.ts): Node's own errors carry errno as the
  // number -28 and the name in `code`; such an ENOSPC was reported as a generic storage fault.
  it('regression disk-full-raw-node-error: a raw Node ENOSPC (errno -28) says "disk full", exit 4', () => {
    const raw = Object.assign(new Error('ENOSPC: no space left on device, write'), { errno: -28, code: 'ENOSPC', syscall: 'write' });
    const rendered = renderError(raw, '/d');
    expect(rendered.exitCode).toBe(4);
    expect(rendered.lines[0]).toBe('error: disk full while writing /d; no data was changed');
    const wrapped = renderError(coded('IO_ERROR', { errno: undefined, cause: raw }), '/d');
    expect(wrapped.lines[0]).toMatch(/^error: disk full/);
  });

  it('a failure while closing after the command completed says the changes are saved (exit 4)', () => {
    const full = renderError(new CloseFailedError(Object.assign(new Error('ENOSPC: no space left on device, write'), { errno: -28, code: 'ENOSPC' })), '/d');
    expect(full.exitCode).toBe(4);
    expect(full.lines[0]).toBe('error: disk full while closing /d after the command completed; its changes are saved and the next progress command finishes writing them');
    expect(full.lines[1]).toMatch(/do not run the command again/);
    const other = renderError(new CloseFailedError(coded('IO_ERROR', { errno: 'EIO' })), '/d');
    expect(other.exitCode).toBe(4);
    expect(other.lines[0]).toMatch(/^error: storage fault \(IO_ERROR happened\) while closing \/d/);
  });

  it('prints a stack only with --debug', () => {
    const quiet: string[] = [];
    reportError(createContext({ stdout: () => undefined, stderr: (t) => quiet.push(t) }, []), new TypeError('boom'), '/d');
    expect(quiet.join('')).not.toMatch(/\n\s+at /);
    const loud: string[] = [];
    reportError(createContext({ stdout: () => undefined, stderr: (t) => loud.push(t) }, ['--debug']), new TypeError('boom'), '/d');
    expect(loud.join('')).toMatch(/\n\s+at /);
  });
});
