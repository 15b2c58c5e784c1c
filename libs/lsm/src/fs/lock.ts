/**
 * The single-writer LOCK (RELIABILITY D9, ARCHITECTURE 3.4). Node has no flock, so the lock is a
 * file created with O_EXCL holding the owner's identity (fs/lock-format.ts). Protocol, in full in
 * docs/fs.md:
 *
 * 1. Create `LOCK` exclusively with our record (fresh nonce); read it back; if it holds our nonce
 *    we own the lock. (A writer suspended between creating and filling LOCK can find its file
 *    broken as stale, rule 3; the read-back makes it notice and start over.)
 * 2. Otherwise read the existing LOCK and judge it:
 *    - parsable, other host: held (a foreign pid cannot be probed);
 *    - parsable, this host: held while `probe.status(pid, startedAt)` is 'alive' (the pid exists,
 *      is no zombie, and its start identity equals the recorded one, so a recycled pid does not
 *      count); 'dead' means stale;
 *    - unparsable (empty, torn, garbage): stale once its mtime is `unparsableStaleMs` old (or,
 *      without mtimes, once this caller has seen the same bytes that long); until then it may be
 *      a live writer between create and write, so held ("transient").
 * 3. Breaking a stale file F (LOCK, or a marker below) whose identity is `id` (its nonce, or
 *    "x<crc32c>-<length>" when unparsable): create `LOCK.break-<id>` exclusively (the marker); if
 *    that fails, the marker's holder is judged like a LOCK (a dead holder's marker is broken the
 *    same way, recursively, at most 3 deep). Holding the marker, re-read F: only if it still has
 *    identity `id` and is still stale, unlink it. Then remove the marker and go back to 1.
 *    Safety: while we hold the marker, only we may remove a file of identity `id`; a live
 *    owner's file never has that identity (nonces are unique), and a dead owner cannot act, so
 *    between our re-read and our unlink nothing replaces F. Two breakers of the same stale file
 *    therefore cannot both unlink, and a live LOCK is never unlinked; step 1's O_EXCL decides who
 *    owns the lock afterwards.
 * 4. Held by a live owner: poll every `pollIntervalMs` until `timeoutMs`, then throw
 *    `LockedError(dir, pid)`. Transient states (a marker being worked on, a young unparsable
 *    file) are waited out for at least `settleMs` even when `timeoutMs` is 0.
 * `release()` unlinks LOCK if it still holds our nonce. After acquiring, markers left by breakers
 * that died are broken by the same rule 3 (best effort).
 */

import { LockedError, errnoOf } from '../errors.js';
import { crc32c } from '../codec/crc32c.js';
import { joinPath } from './fs.js';
import type { Fs } from './fs.js';
import { LOCK_FILE_NAME } from './filenames.js';
import { decodeLockRecord, encodeLockRecord } from './lock-format.js';
import type { LockRecord } from './lock-format.js';
import { nodeProcessProbe } from './node-process-probe.js';

export interface ProcessIdentity {
  readonly pid: number;
  /** Opaque start identity (lock-format.ts), null when the platform gives none. */
  readonly startedAt: string | null;
  readonly host: string;
}

export type ProcessStatus = 'alive' | 'dead';

/** The OS questions the lock asks; NodeProcessProbe in production, fakes in tests. */
export interface ProcessProbe {
  self(): Promise<ProcessIdentity>;
  /** Whether the process `pid` that recorded `startedAt` on this host still runs. */
  status(pid: number, startedAt: string | null): Promise<ProcessStatus>;
}

export interface AcquireLockOptions {
  /** How long to wait for a live owner to release (default 0: fail at once). */
  timeoutMs?: number;
  /** Poll interval while waiting (default 20). */
  pollIntervalMs?: number;
  /** Minimum wait for transient states (default 1000). */
  settleMs?: number;
  /** Age after which an unparsable LOCK or marker is stale (default 5000). */
  unparsableStaleMs?: number;
  /** Default: nodeProcessProbe. */
  probe?: ProcessProbe;
  /** Default: Date.now. */
  nowMs?: () => number;
  /** Default: 16 random hex digits from crypto.getRandomValues. */
  nonce?: () => string;
  /** Default: setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

export interface LockHandle extends AsyncDisposable {
  readonly path: string;
  readonly record: LockRecord;
  readonly released: boolean;
  release(): Promise<void>;
}

export const LOCK_BREAK_PREFIX = 'LOCK.break-';
const BREAK_DEPTH_MAX = 3;
const FREE_RETRIES = 8;

type Verdict = { kind: 'held'; pid: number } | { kind: 'transient'; pid: number | undefined } | { kind: 'stale' };
type Step = { kind: 'acquired' } | { kind: 'retry' } | Exclude<Verdict, { kind: 'stale' }>;

interface Context {
  readonly fs: Fs;
  readonly dir: string;
  readonly self: ProcessIdentity;
  readonly probe: ProcessProbe;
  readonly nowMs: () => number;
  readonly nonce: () => string;
  readonly unparsableStaleMs: number;
  /** First time each unparsable identity was seen (when the Fs gives no mtime). */
  readonly firstSeenMs: Map<string, number>;
}

function randomNonce(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The identity of a LOCK or marker's content: its nonce, or a digest of unparsable bytes. */
export function lockIdentity(bytes: Uint8Array): string {
  try {
    return decodeLockRecord(bytes).nonce;
  } catch {
    return `x${crc32c(bytes).toString(16).padStart(8, '0')}-${bytes.length}`;
  }
}

async function readIfExists(fs: Fs, path: string): Promise<Uint8Array | undefined> {
  try {
    return await fs.readFile(path);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw error;
  }
}

async function removeIfExists(fs: Fs, path: string): Promise<void> {
  try {
    await fs.unlink(path);
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw error;
  }
}

function newRecord(ctx: Context): LockRecord {
  const { pid, startedAt, host } = ctx.self;
  return { pid, startedAt, host, nonce: ctx.nonce(), createdAtMs: Math.max(0, Math.floor(ctx.nowMs())) };
}

/** Judges the content of a LOCK or marker file at `path` (rule 2). */
async function judge(ctx: Context, path: string, bytes: Uint8Array): Promise<Verdict> {
  let record: LockRecord;
  try {
    record = decodeLockRecord(bytes, path);
  } catch {
    return judgeUnparsable(ctx, path, bytes);
  }
  const { self } = ctx;
  if (record.host !== self.host) return { kind: 'held', pid: record.pid };
  if (record.pid === self.pid && record.startedAt === self.startedAt) return { kind: 'held', pid: record.pid };
  const status = await ctx.probe.status(record.pid, record.startedAt);
  return status === 'dead' ? { kind: 'stale' } : { kind: 'held', pid: record.pid };
}

async function judgeUnparsable(ctx: Context, path: string, bytes: Uint8Array): Promise<Verdict> {
  const now = ctx.nowMs();
  const stat = await ctx.fs.stat(path);
  if (stat === undefined) return { kind: 'transient', pid: undefined };
  let sinceMs = stat.mtimeMs;
  if (sinceMs === undefined) {
    const id = lockIdentity(bytes);
    sinceMs = ctx.firstSeenMs.get(id) ?? now;
    ctx.firstSeenMs.set(id, sinceMs);
  }
  return now - sinceMs >= ctx.unparsableStaleMs ? { kind: 'stale' } : { kind: 'transient', pid: undefined };
}

/**
 * Rule 3: breaks the stale file `name` whose content was `bytes`. Returns 'retry' when the file
 * was removed or changed (start over at rule 1), or the verdict that blocks us.
 */
async function breakStale(ctx: Context, name: string, bytes: Uint8Array, depth: number): Promise<Step> {
  if (depth >= BREAK_DEPTH_MAX) return { kind: 'transient', pid: undefined };
  const id = lockIdentity(bytes);
  const markerPath = joinPath(ctx.dir, LOCK_BREAK_PREFIX + id);
  const created = await ctx.fs.createExclusive(markerPath, encodeLockRecord(newRecord(ctx)));
  if (!created) {
    const markerBytes = await readIfExists(ctx.fs, markerPath);
    if (markerBytes === undefined) return { kind: 'retry' };
    const verdict = await judge(ctx, markerPath, markerBytes);
    if (verdict.kind === 'stale') {
      const step = await breakStale(ctx, LOCK_BREAK_PREFIX + id, markerBytes, depth + 1);
      return step.kind === 'held' ? { kind: 'transient', pid: step.pid } : step;
    }
    return { kind: 'transient', pid: verdict.pid };
  }
  try {
    const path = joinPath(ctx.dir, name);
    const current = await readIfExists(ctx.fs, path);
    if (current === undefined || lockIdentity(current) !== id) return { kind: 'retry' };
    const verdict = await judge(ctx, path, current);
    if (verdict.kind !== 'stale') return verdict;
    await removeIfExists(ctx.fs, path);
    return { kind: 'retry' };
  } finally {
    await removeIfExists(ctx.fs, markerPath);
  }
}

/** One pass of rules 1-3. */
async function attempt(ctx: Context, lockPath: string, record: LockRecord, bytes: Uint8Array): Promise<Step> {
  if (await ctx.fs.createExclusive(lockPath, bytes)) {
    const readBack = await readIfExists(ctx.fs, lockPath);
    return readBack !== undefined && lockIdentity(readBack) === record.nonce ? { kind: 'acquired' } : { kind: 'retry' };
  }
  const current = await readIfExists(ctx.fs, lockPath);
  if (current === undefined) return { kind: 'retry' };
  const verdict = await judge(ctx, lockPath, current);
  if (verdict.kind !== 'stale') return verdict;
  return breakStale(ctx, LOCK_FILE_NAME, current, 0);
}

/** Best effort: breaks markers whose holders died (rule 3 applied to each marker). */
async function removeDeadMarkers(ctx: Context): Promise<void> {
  try {
    for (const name of await ctx.fs.readdir(ctx.dir)) {
      if (!name.startsWith(LOCK_BREAK_PREFIX)) continue;
      const bytes = await readIfExists(ctx.fs, joinPath(ctx.dir, name));
      if (bytes === undefined) continue;
      const verdict = await judge(ctx, joinPath(ctx.dir, name), bytes);
      if (verdict.kind === 'stale') await breakStale(ctx, name, bytes, 1);
    }
  } catch {
    // Leftover markers are harmless; cleaning them must not fail an open.
  }
}

/** Takes the LOCK of `dir` (which must exist), waiting up to `timeoutMs` for a live owner. */
export async function acquireLock(fs: Fs, dir: string, options: AcquireLockOptions = {}): Promise<LockHandle> {
  const probe = options.probe ?? nodeProcessProbe;
  const nowMs = options.nowMs ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const timeoutMs = Math.max(0, options.timeoutMs ?? 0);
  const pollIntervalMs = Math.max(1, options.pollIntervalMs ?? 20);
  const settleMs = Math.max(0, options.settleMs ?? 1000);
  const ctx: Context = {
    fs, dir, probe, nowMs, self: await probe.self(), nonce: options.nonce ?? randomNonce,
    unparsableStaleMs: options.unparsableStaleMs ?? 5000, firstSeenMs: new Map(),
  };
  const lockPath = joinPath(dir, LOCK_FILE_NAME);
  const startMs = nowMs();
  let retriesInARow = 0;
  for (;;) {
    const record = newRecord(ctx);
    const step = await attempt(ctx, lockPath, record, encodeLockRecord(record));
    if (step.kind === 'acquired') {
      await removeDeadMarkers(ctx);
      return new Lock(fs, lockPath, record);
    }
    const waitedMs = nowMs() - startMs;
    if (step.kind === 'retry') {
      // The state changed under us (a LOCK vanished, a stale one was broken): try again at once;
      // only a long run of such changes counts against the deadline.
      retriesInARow += 1;
      if (retriesInARow % FREE_RETRIES === 0) {
        if (waitedMs >= Math.max(timeoutMs, settleMs)) throw new LockedError(dir, undefined);
        await sleep(pollIntervalMs);
      }
      continue;
    }
    retriesInARow = 0;
    const limitMs = step.kind === 'held' ? timeoutMs : Math.max(timeoutMs, settleMs);
    if (waitedMs >= limitMs) throw new LockedError(dir, step.pid);
    await sleep(Math.min(pollIntervalMs, Math.max(1, limitMs - waitedMs)));
  }
}

class Lock implements LockHandle {
  private isReleased = false;
  constructor(
    private readonly fs: Fs,
    readonly path: string,
    readonly record: LockRecord,
  ) {}

  get released(): boolean {
    return this.isReleased;
  }

  /** Unlinks LOCK if it still holds our nonce; idempotent. */
  async release(): Promise<void> {
    if (this.isReleased) return;
    this.isReleased = true;
    const bytes = await readIfExists(this.fs, this.path);
    if (bytes !== undefined && lockIdentity(bytes) === this.record.nonce) await removeIfExists(this.fs, this.path);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}
