// The V8 code cache of bin/progress.js: written after a run, used by the next, and never a reason
// to fail. A damaged cache file counts as absent (and is rewritten), an unwritable bundle
// directory sends the cache to $XDG_CACHE_HOME/progress, PROGRESS_CODE_CACHE=0 turns it off, and
// the output is the same either way. Method: a private copy of bin/ and dist/bundle/cli.js (so the
// repository's own cache is not touched), PROGRESS_TIMING=1 to see which way the script was
// compiled (labels only: no timing decides a pass).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, sandbox } from './helpers.js';

const box = sandbox('code-cache');
const app = join(box.root, 'app');
const bin = join(app, 'bin', 'progress.js');
const cacheDir = join(app, 'dist', 'bundle', 'v8-cache');
const userCache = join(box.root, 'cache', 'progress');

function progress(args: readonly string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; compiled: string } {
  const result = spawnSync(process.execPath, [bin, ...args], {
    env: { ...box.env, XDG_CACHE_HOME: join(box.root, 'cache'), PROGRESS_TIMING: '1', ...env }, encoding: 'utf8',
  });
  const compiled = /compiled \(([^)]*)\)/.exec(result.stderr)?.[1] ?? 'not compiled';
  return { code: result.status, stdout: result.stdout, compiled };
}

const files = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.bin')) : []);

beforeAll(() => {
  mkdirSync(join(app, 'dist', 'bundle'), { recursive: true });
  cpSync(join(REPO, 'apps/progress-cli/bin'), join(app, 'bin'), { recursive: true });
  cpSync(join(REPO, 'apps/progress-cli/dist/bundle/cli.js'), join(app, 'dist', 'bundle', 'cli.js'));
});

afterAll(() => rmSync(box.root, { recursive: true, force: true }));

describe('code cache', () => {
  it('is written after a run, used by the next, and rebuilt when damaged', () => {
    const first = progress(['log', 'running', '5', 'km', '--at', '2026-03-01']);
    expect(first.code).toBe(0);
    expect(first.compiled).toBe('no code cache');
    expect(files(cacheDir)).toHaveLength(1);
    const second = progress(['history', '--json']);
    expect(second.compiled).toBe('code cache');
    const reference = progress(['history', '--json'], { PROGRESS_CODE_CACHE: '0' });
    expect(reference.compiled).toBe('no code cache');
    expect(second.stdout).toBe(reference.stdout);

    const file = join(cacheDir, files(cacheDir)[0] as string);
    const bytes = readFileSync(file);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff; // one flipped byte in V8's data
    writeFileSync(file, bytes);
    const damaged = progress(['history', '--json']);
    expect(damaged.compiled).toBe('no code cache');
    expect(damaged.stdout).toBe(reference.stdout);
    expect(progress(['history', '--json']).compiled).toBe('code cache'); // rewritten

    writeFileSync(file, bytes.subarray(0, 100)); // torn
    expect(progress(['history', '--json']).compiled).toBe('no code cache');
    expect(progress(['status', '--json']).compiled).toBe('code cache');
  });

  it('goes to $XDG_CACHE_HOME/progress when the bundle directory cannot take it', () => {
    rmSync(cacheDir, { recursive: true, force: true });
    writeFileSync(cacheDir, 'not a directory'); // mkdir fails as it would on a read-only install
    try {
      expect(progress(['history', '--json']).compiled).toBe('no code cache');
      expect(files(userCache)).toHaveLength(1);
      expect(progress(['history', '--json']).compiled).toBe('code cache');
    } finally {
      rmSync(cacheDir, { force: true });
    }
  });

  it('PROGRESS_CODE_CACHE=0 neither reads nor writes a cache', () => {
    rmSync(userCache, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
    const run = progress(['status', '--json'], { PROGRESS_CODE_CACHE: '0' });
    expect(run.code).toBe(0);
    expect(run.compiled).toBe('no code cache');
    expect(files(cacheDir)).toEqual([]);
    expect(files(userCache)).toEqual([]);
  });
});
