/**
 * Key layout of the event store (DESIGN.md section "Key layout" has the byte-by-byte table).
 *
 *   $meta:format                                  {"formatVersion":1}
 *   dir:<kind>:<id>                               stream directory entry, written by the first append
 *   <kind>:<id>                                   summary projection row (user-summary / team-summary)
 *   <kind>:<id>:ev:<version, 12 digits>           event record (stored-event.ts)
 *   <kind>:<id>:head                              stream head {"version":n,"lastEventId":...}
 *   <kind>:<id>:idem:<idempotency key>            idempotency record
 *   <kind>:<id>:snap                              stream snapshot (snapshot.ts), a disposable cache
 *   proj:daily-totals:cp:<userId>                 daily-totals checkpoint for one user stream
 *   proj:daily-totals:row:<userId>:<metric>:<YYYY-MM-DD>   daily total row
 *
 * <kind> is `user` or `team`. Ids, metric names and dates never contain ':' (ids.ts), so every
 * prefix scan ends in ':' and `user:1:` never matches `user:10:`. Versions are zero-padded to 12
 * digits so byte order is numeric order. All keys are ASCII. Written to disk: never change.
 */
import { assert } from '../assert.js';
import type { MetricName, TeamId, UserId } from '../ids.js';
import { prefixRange } from '../ports/kv-store.js';
import type { StreamRef } from '../streams.js';
import type { LocalDate } from '../time.js';

export const FORMAT_VERSION = 1;
export const FORMAT_KEY = '$meta:format';
export const VERSION_DIGITS = 12;
export const MAX_STREAM_VERSION = 10 ** VERSION_DIGITS - 1;

export function padVersion(version: number): string {
  assert(Number.isSafeInteger(version) && version >= 0 && version <= MAX_STREAM_VERSION, `bad stream version ${version}`);
  return String(version).padStart(VERSION_DIGITS, '0');
}

const base = (stream: StreamRef): string => `${stream.kind}:${stream.id}`;

export const summaryKey = (stream: StreamRef): string => base(stream);
export const headKey = (stream: StreamRef): string => `${base(stream)}:head`;
export const eventKey = (stream: StreamRef, version: number): string => `${base(stream)}:ev:${padVersion(version)}`;
export const idempotencyKeyFor = (stream: StreamRef, key: string): string => `${base(stream)}:idem:${key}`;
export const directoryKey = (stream: StreamRef): string => `dir:${base(stream)}`;
export const snapshotKey = (stream: StreamRef): string => `${base(stream)}:snap`;

/** Events with versions in `[fromVersion, untilVersion)`; open-ended when untilVersion is omitted. */
export function eventRange(stream: StreamRef, fromVersion = 1, untilVersion?: number): { start: string; end: string } {
  const start = eventKey(stream, fromVersion);
  const end = untilVersion === undefined ? `${base(stream)}:ev;` : eventKey(stream, untilVersion);
  return { start, end };
}

export function directoryRange(kind: StreamRef['kind']): { start: string; end: string } {
  return prefixRange(`dir:${kind}:`);
}

export function parseDirectoryKey(key: string): StreamRef | null {
  const match = /^dir:(user|team):([^:]+)$/.exec(key);
  if (match === null) return null;
  return match[1] === 'user'
    ? { kind: 'user', id: match[2] as UserId }
    : { kind: 'team', id: match[2] as TeamId };
}

export function parseEventVersion(key: string): number | null {
  const match = /:ev:(\d{12})$/.exec(key);
  return match === null ? null : Number(match[1]);
}

export const DAILY_PREFIX = 'proj:daily-totals:';
export const dailyCheckpointKey = (userId: UserId): string => `${DAILY_PREFIX}cp:${userId}`;
export const dailyRowKey = (userId: UserId, metric: MetricName, date: LocalDate): string =>
  `${DAILY_PREFIX}row:${userId}:${metric}:${date}`;

/** A user's daily rows: all metrics, or one metric, optionally dates in `[from, until)`. */
export function dailyRowRange(userId: UserId, metric?: MetricName, from?: LocalDate, until?: LocalDate): { start: string; end: string } {
  if (metric === undefined) return prefixRange(`${DAILY_PREFIX}row:${userId}:`);
  const prefix = `${DAILY_PREFIX}row:${userId}:${metric}:`;
  return {
    start: from === undefined ? prefix : `${prefix}${from}`,
    end: until === undefined ? prefixRange(prefix).end : `${prefix}${until}`,
  };
}

export function parseDailyRowKey(key: string): { userId: UserId; metric: MetricName; date: LocalDate } | null {
  const match = /^proj:daily-totals:row:([^:]+):([^:]+):(\d{4}-\d{2}-\d{2})$/.exec(key);
  if (match === null) return null;
  return { userId: match[1] as UserId, metric: match[2] as MetricName, date: match[3] as LocalDate };
}
