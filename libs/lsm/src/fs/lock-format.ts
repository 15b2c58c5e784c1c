/**
 * The LOCK file's content (fs/lock.ts; docs/fs.md "LOCK"). One line of UTF-8 JSON with the keys
 * in this order, then "\n":
 *
 *   {"format":"lsm-lock","version":1,"pid":<int>,"startedAt":<string|null>,"host":<string>,
 *    "nonce":<hex>,"createdAtMs":<int>}
 *
 *   format       constant "lsm-lock" (the magic)
 *   version      LOCK_FORMAT_VERSION
 *   pid          owner process id, 1 <= pid <= 2^31-1
 *   startedAt    opaque identity of the owner's start, compared for equality only; Linux:
 *                "linux:<boot_id>:<starttime in clock ticks, /proc/<pid>/stat field 22>";
 *                null where the platform gives none (then only liveness of pid is checked)
 *   host         os.hostname() of the owner; locks of another host are never judged stale
 *   nonce        16-64 lowercase hex digits, fresh per acquisition: the lock's identity
 *   createdAtMs  wall clock when written (diagnostics only)
 *
 * No checksum: a torn or garbled LOCK fails to parse, and fs/lock.ts has a rule for that.
 * Lengths: startedAt and host at most 255 UTF-16 units; the whole file at most 4 KiB.
 */

import { CorruptionError } from '../errors.js';
import { fromUtf8, utf8 } from '../codec/bytes.js';

/** Written to disk; never change or reuse. */
export const LockFormat = {
  magic: 'lsm-lock',
  version: 1,
} as const;

export const LOCK_FILE_BYTES_MAX = 4096;
const TEXT_LENGTH_MAX = 255;
const NONCE_PATTERN = /^[0-9a-f]{16,64}$/;

export interface LockRecord {
  readonly pid: number;
  readonly startedAt: string | null;
  readonly host: string;
  readonly nonce: string;
  readonly createdAtMs: number;
}

export function encodeLockRecord(record: LockRecord): Uint8Array {
  const json = JSON.stringify({
    format: LockFormat.magic,
    version: LockFormat.version,
    pid: record.pid,
    startedAt: record.startedAt,
    host: record.host,
    nonce: record.nonce,
    createdAtMs: record.createdAtMs,
  });
  return utf8(json + '\n');
}

function fail(file: string, reason: string): never {
  throw new CorruptionError(file, 0, reason);
}

function field(object: Record<string, unknown>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, name) ? object[name] : undefined;
}

function checkText(file: string, value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length > TEXT_LENGTH_MAX) fail(file, `bad LOCK ${name}`);
  return value;
}

/** Decodes a LOCK file; throws CorruptionError(file, 0, reason) for anything else. */
export function decodeLockRecord(bytes: Uint8Array, file = 'LOCK'): LockRecord {
  if (bytes.length === 0) fail(file, 'empty LOCK file');
  if (bytes.length > LOCK_FILE_BYTES_MAX) fail(file, `LOCK file of ${bytes.length} bytes is too long`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromUtf8(bytes));
  } catch {
    fail(file, 'LOCK file is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail(file, 'LOCK is not an object');
  const object = parsed as Record<string, unknown>;
  if (field(object, 'format') !== LockFormat.magic) fail(file, 'bad LOCK magic');
  if (field(object, 'version') !== LockFormat.version) fail(file, 'unknown LOCK format version');
  const pid = field(object, 'pid');
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 1 || pid > 0x7fffffff) fail(file, 'bad LOCK pid');
  const startedAtValue = field(object, 'startedAt');
  const startedAt = startedAtValue === null ? null : checkText(file, startedAtValue, 'startedAt');
  const host = checkText(file, field(object, 'host'), 'host');
  const nonce = field(object, 'nonce');
  if (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce)) fail(file, 'bad LOCK nonce');
  const createdAtMs = field(object, 'createdAtMs');
  if (typeof createdAtMs !== 'number' || !Number.isSafeInteger(createdAtMs) || createdAtMs < 0) {
    fail(file, 'bad LOCK createdAtMs');
  }
  return { pid, startedAt, host, nonce, createdAtMs };
}
