/**
 * Opening the store: the one place the CLI touches a storage backend's lifecycle.
 *
 * - Embedded (a directory): waits for another process's lock up to PROGRESS_LOCK_TIMEOUT_MS
 *   (default 5000 ms), telling a TTY user after a second that it is waiting; a lock still held
 *   then is exit 3 (BusyError).
 * - Read commands may ask for `readOnly: 'prefer'`: an existing embedded store is then opened
 *   read-only (no lock wait, no new WAL, no flush, no fsync); the caller falls back to a writable
 *   open when the read-only one cannot serve (session.ts).
 * - etcd (`etcd://host:port[,host:port...][/namespace]`): @progress/store-etcd is imported only
 *   here, so the embedded path never loads it; a malformed address is exit 2, an unreachable
 *   cluster exit 3 (render-error.ts).
 * - The event store writes its format marker into a new, empty store on first open.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EventStore, LsmKvStore } from '@progress/domain';
import type { KvStore } from '@progress/domain';
import type { Context } from '../cli/context.js';
import { BusyError, UsageError } from '../cli/errors.js';
import { mark } from '../cli/timing.js';
import { isStoreUrl } from '../config.js';

export interface OpenedStore {
  /** The directory, or the etcd address, named in messages. */
  readonly dir: string;
  readonly kv: KvStore;
  /** The embedded engine's store; undefined on etcd. */
  readonly embedded: LsmKvStore | undefined;
  readonly readOnly: boolean;
  readonly store: EventStore;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** true: read-only; 'prefer': read-only when the embedded store already exists. */
  readonly readOnly?: boolean | 'prefer';
}

export const DEFAULT_LOCK_TIMEOUT_MS = 5000;

export function lockTimeoutMs(ctx: Context): number {
  const raw = ctx.env.PROGRESS_LOCK_TIMEOUT_MS;
  if (raw === undefined || raw === '') return DEFAULT_LOCK_TIMEOUT_MS;
  if (!/^\d{1,9}$/.test(raw)) throw new UsageError(`PROGRESS_LOCK_TIMEOUT_MS=${raw} is not a number of milliseconds`);
  return Number(raw);
}

function lockErrorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/** The embedded engine's store, or a usage error naming what to use on etcd instead. */
export function requireEmbedded(opened: OpenedStore, what: string, instead: string): LsmKvStore {
  if (opened.embedded === undefined) throw new UsageError(`${what} works on the embedded store only, not on ${opened.dir}`, instead);
  return opened.embedded;
}

export async function openStore(ctx: Context, location: string, options: OpenOptions = {}): Promise<OpenedStore> {
  mark('store module loaded');
  if (isStoreUrl(location)) return openEtcd(location);
  const readOnly = options.readOnly === true || (options.readOnly === 'prefer' && existsSync(join(location, 'CURRENT')));
  const kv = readOnly ? await LsmKvStore.open({ dir: location, readOnly: true }) : await openLocked(ctx, location);
  mark('engine opened');
  return withEventStore(location, kv, kv, readOnly);
}

async function openLocked(ctx: Context, dir: string): Promise<LsmKvStore> {
  const timeoutMs = lockTimeoutMs(ctx);
  const notice = ctx.stderrIsTTY
    ? setTimeout(() => ctx.io.stderr(`waiting for another progress process to release ${dir} (up to ${timeoutMs / 1000} s)…\n`), 1000)
    : undefined;
  try {
    return await LsmKvStore.open({ dir, lockTimeoutMs: timeoutMs });
  } catch (error) {
    if (lockErrorCode(error) === 'LOCKED') {
      const pid = (error as { pid?: number }).pid;
      throw new BusyError(
        `store ${dir} is in use by another progress process${pid === undefined ? '' : ` (pid ${pid})`}; waited ${timeoutMs / 1000} s`,
        'retry when it has finished, or set PROGRESS_LOCK_TIMEOUT_MS to wait longer',
      );
    }
    throw error;
  } finally {
    if (notice !== undefined) clearTimeout(notice);
  }
}

async function openEtcd(url: string): Promise<OpenedStore> {
  const { openEtcdStore } = await import('@progress/store-etcd');
  mark('etcd client loaded');
  const kv = await openEtcdStore(url);
  mark('etcd cluster reached');
  return withEventStore(url, kv, undefined, false);
}

async function withEventStore(dir: string, kv: KvStore, embedded: LsmKvStore | undefined, readOnly: boolean): Promise<OpenedStore> {
  try {
    const store = await EventStore.open(kv);
    mark('event store opened');
    return { dir, kv, embedded, readOnly, store, close: () => kv.close() };
  } catch (error) {
    await kv.close().catch(() => undefined);
    throw error;
  }
}
