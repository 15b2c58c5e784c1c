/**
 * Helpers for the end-to-end suites: isolated sandboxes (own XDG dirs, HOME, store, zone), the
 * built `progress` binary spawned as a user would run it, and a full key/value scan of a store
 * (opened read-only with the engine itself) to prove failed commands change nothing.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '@progress/lsm';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(REPO, 'apps/progress-cli/bin/progress.js');

export interface Sandbox {
  readonly root: string;
  readonly db: string;
  readonly env: NodeJS.ProcessEnv;
}

export function sandbox(name = 'e2e'): Sandbox {
  const root = mkdtempSync(join(tmpdir(), `progress-${name}-`));
  const db = join(root, 'store');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: root,
    USER: 'tester',
    TZ: 'UTC',
    NO_COLOR: '1',
    XDG_DATA_HOME: join(root, 'data'),
    XDG_CONFIG_HOME: join(root, 'config'),
    PROGRESS_DB: db,
  };
  return { root, db, env };
}

/** A copy of a sandbox with its store (and config) copied, for cases that must not share state. */
export function cloneSandbox(source: Sandbox, name = 'clone'): Sandbox {
  const target = sandbox(name);
  if (existsSync(source.db)) cpSync(source.db, target.db, { recursive: true });
  if (existsSync(join(source.root, 'config'))) cpSync(join(source.root, 'config'), join(target.root, 'config'), { recursive: true });
  return target;
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  readonly timeoutMs?: number;
  /** Called with the child right after spawn (e.g. to kill it). */
  readonly onSpawn?: (child: ReturnType<typeof spawn>) => void;
}

/** Runs the built binary: `node apps/progress-cli/bin/progress.js ...args`. */
export function runCli(args: readonly string[], box: Sandbox, options: RunOptions = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...box.env, ...options.env }, cwd: box.root, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
    options.onSpawn?.(child);
  });
}

/** Runs and expects exit 0; returns stdout. */
export async function ok(args: readonly string[], box: Sandbox, options: RunOptions = {}): Promise<string> {
  const result = await runCli(args, box, options);
  if (result.code !== 0) throw new Error(`progress ${args.join(' ')} exited ${String(result.code)}: ${result.stderr}`);
  return result.stdout;
}

export interface StoreScan {
  readonly entries: number;
  readonly digest: string;
}

/**
 * Every key, value and version in the store, in key order, as a count and a SHA-256 digest
 * (opened read-only: no lock, no writes). A missing store scans as zero entries.
 */
export async function scanStore(dir: string): Promise<StoreScan> {
  if (!existsSync(join(dir, 'CURRENT'))) return { entries: 0, digest: 'absent' };
  const db = await openDb({ dir, readOnly: true });
  try {
    return await db.view((txn) => {
      const hash = createHash('sha256');
      let entries = 0;
      for (const item of txn.iterate({})) {
        entries += 1;
        hash.update(`${item.key.length}:`).update(item.key).update(`${item.value.length}:`).update(item.value).update(`@${item.version};`);
      }
      return { entries, digest: hash.digest('hex') };
    });
  } finally {
    await db.close();
  }
}

/** Runs `tasks` with at most `limit` at once. */
export async function pool<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  });
  await Promise.all(workers);
  return results;
}

export const STACK_TRACE = /\n\s+at [^\n]+\(|\n\s+at [^\n]+:\d+:\d+/;
