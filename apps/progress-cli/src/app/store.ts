/**
 * Opening the store: the one place the CLI touches the storage engine's lifecycle.
 *
 * - Waits for another process's lock up to PROGRESS_LOCK_TIMEOUT_MS (default 5000 ms), telling a
 *   TTY user after a second that it is waiting; a lock still held then is exit 3 (BusyError).
 * - The event store writes its format marker into a new, empty store on first open.
 */
import { EventStore, LsmKvStore } from '@progress/domain';
import type { Context } from '../cli/context.js';
import { BusyError, UsageError } from '../cli/errors.js';

export interface OpenedStore {
  readonly dir: string;
  readonly kv: LsmKvStore;
  readonly store: EventStore;
  close(): Promise<void>;
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

export async function openStore(ctx: Context, dir: string, options: { readOnly?: boolean } = {}): Promise<OpenedStore> {
  const timeoutMs = lockTimeoutMs(ctx);
  const notice = ctx.stderrIsTTY
    ? setTimeout(() => ctx.io.stderr(`waiting for another progress process to release ${dir} (up to ${timeoutMs / 1000} s)…\n`), 1000)
    : undefined;
  let kv: LsmKvStore;
  try {
    kv = await LsmKvStore.open({ dir, lockTimeoutMs: timeoutMs, ...(options.readOnly === true ? { readOnly: true } : {}) });
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
  try {
    const store = await EventStore.open(kv);
    return { dir, kv, store, close: () => kv.close() };
  } catch (error) {
    await kv.close().catch(() => undefined);
    throw error;
  }
}
