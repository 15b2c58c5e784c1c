/**
 * Small shared steps of the command implementations: settings, store location, id and time
 * parsing with usage errors, and --json/human output selection.
 */
import { instantFromEpochMs, parseEntryId, parseIdempotencyKey, parseMetricName } from '@progress/domain';
import type { EntryId, IdempotencyKey, Instant, MetricName, ReportSettings, TimeZone } from '@progress/domain';
import type { Context } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { painter, toJson } from '../cli/output.js';
import type { Paint } from '../cli/output.js';
import { parseWhen } from '../cli/parse-date.js';
import type { Now } from '../cli/parse-date.js';
import { resolveSettings, storeLocation } from '../config.js';
import { mark } from '../cli/timing.js';
import type { Settings } from '../config.js';

export interface Env0 {
  readonly ctx: Context;
  readonly settings: Settings;
  /** The store: a directory, or an etcd address (`etcd://...`). */
  readonly dir: string;
  readonly paint: Paint;
  readonly now: Now;
}

export function prepare(ctx: Context, dbFlag: string | undefined): Env0 {
  mark('command module loaded');
  const settings = resolveSettings(ctx.env);
  mark('settings resolved');
  const dir = storeLocation(dbFlag, ctx.storeFlag, ctx.env);
  ctx.storeDir = dir;
  return { ctx, settings, dir, paint: painter(ctx.color), now: { epochMs: Date.now(), timeZone: settings.timeZone } };
}

export function reportSettings(env: Env0): ReportSettings {
  return { timeZone: env.settings.timeZone as TimeZone, weekStartsOn: env.settings.weekStartsOn, now: instantFromEpochMs(env.now.epochMs) };
}

export function metricArg(text: string): MetricName {
  const parsed = parseMetricName(text);
  if (!parsed.ok) throw new UsageError(parsed.message, 'metric names are lower-case letters, digits, ".", "_" and "-", e.g. running');
  return parsed.value;
}

export function entryArg(text: string): EntryId {
  const parsed = parseEntryId(text);
  if (!parsed.ok) throw new UsageError(parsed.message, 'entry ids look like e12; see "progress history"');
  return parsed.value;
}

export function idempotencyArg(text: string): IdempotencyKey {
  const parsed = parseIdempotencyKey(text);
  if (!parsed.ok) throw new UsageError(parsed.message);
  return parsed.value;
}

export function instantArg(text: string, now: Now, what = '--at'): Instant {
  const epochMs = parseWhen(text, now);
  if (epochMs < Date.UTC(1970, 0, 1) || epochMs > Date.UTC(9999, 11, 31)) throw new UsageError(`${what} ${text} is out of range`);
  return instantFromEpochMs(epochMs);
}

export function emitJson(ctx: Context, value: unknown): void {
  ctx.io.stdout(toJson(value));
}
