// Goal: the CLI entry point prints help and version and maps usage errors to exit code 2.
import { describe, expect, it } from 'vitest';
import { run, VERSION, type Io } from './main.js';

function capture(): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

describe('progress entry point', () => {
  it('prints the version', async () => {
    const io = capture();
    expect(await run(['--version'], io)).toBe(0);
    expect(io.out.join('')).toBe(`${VERSION}\n`);
  });

  it('prints usage with --help', async () => {
    const io = capture();
    expect(await run(['--help'], io)).toBe(0);
    expect(io.out.join('')).toContain('progress <command> [options]');
  });

  it('rejects an unknown flag with exit code 2 and a one-line message', async () => {
    const io = capture();
    expect(await run(['--bogus-flag'], io)).toBe(2);
    expect(io.err.join('')).toMatch(/^error: .*bogus-flag/);
    expect(io.out).toEqual([]);
  });
});
