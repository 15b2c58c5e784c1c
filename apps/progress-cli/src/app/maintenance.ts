/**
 * `progress rebuild` (projections from the log) and `progress db stats|compact|verify|backup|restore`
 * (the engine's own stats, compaction, checksum verification and backup stream format).
 */
import { createReadStream, createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, join, resolve } from 'node:path';
import { rebuildAll } from '@progress/domain';
import type { Context } from '../cli/context.js';
import { StorageError, UsageError } from '../cli/errors.js';
import { plural, table, toJson } from '../cli/output.js';
import { emitJson, prepare } from './common.js';
import { ProgressBar } from './progress-bar.js';
import { withSession } from './session.js';
import { requireEmbedded } from './store.js';

const ON_ETCD = 'on etcd use etcdctl (endpoint status, defrag, snapshot save), and progress export for a portable copy';

interface Base {
  readonly db: string | undefined;
  readonly json: boolean;
}

export async function runRebuild(ctx: Context, input: Base): Promise<void> {
  const env = prepare(ctx, input.db);
  const progress = new ProgressBar(ctx, 'rebuilding projections');
  progress.phase('rebuilding projections');
  const report = await withSession(ctx, env.dir, env.settings, (session) => rebuildAll(session.store)).finally(() => progress.finish());
  if (input.json) return emitJson(ctx, report);
  ctx.io.stdout(`${env.paint('green', 'rebuilt')} projections of ${plural(report.streams, 'stream')}: ${plural(report.rowsWritten, 'row')} written, ${plural(report.rowsDeleted, 'row')} deleted, ${plural(report.commits, 'commit')}\n`);
}

function bytes(value: number): string {
  if (value < 1024) return `${value} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value / 1024;
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${scaled.toFixed(1)} ${units[unit] ?? 'TiB'}`;
}

export async function runDbStats(ctx: Context, input: Base): Promise<void> {
  const env = prepare(ctx, input.db);
  await withSession(ctx, env.dir, env.settings, async (session) => {
    const stats = requireEmbedded(session.opened, 'db stats', ON_ETCD).db.stats();
    const users = (await session.store.listStreams('user')).length;
    const teams = (await session.store.listStreams('team')).length;
    if (input.json) return emitJson(ctx, { dir: env.dir, users, teams, engine: stats });
    const levels = stats.levels.filter((level) => level.tables > 0 || level.level === 0);
    ctx.io.stdout(
      `store ${env.dir}\n${plural(users, 'user')}, ${plural(teams, 'team')}\n\n` +
      table([{ header: 'level' }, { header: 'tables', align: 'right' }, { header: 'size', align: 'right' }],
        levels.map((level) => [`L${level.level}`, String(level.tables), bytes(level.bytes)]), env.paint) +
      `\nvalue log: ${plural(stats.vlog.files, 'file')}, ${bytes(stats.vlog.bytes)}\n` +
      `memtable: ${bytes(stats.memtableBytes)}; block cache hit rate ${(stats.blockCache.hitRate * 100).toFixed(0)}%\n` +
      `write amplification ${stats.writeAmplification.toFixed(2)}; flushes ${stats.flushes}; compactions ${stats.compactions}; last sequence ${stats.lastSeq}\n`,
    );
  });
}

export async function runDbCompact(ctx: Context, input: Base): Promise<void> {
  const env = prepare(ctx, input.db);
  const progress = new ProgressBar(ctx, 'compacting');
  await withSession(ctx, env.dir, env.settings, async (session) => {
    const db = requireEmbedded(session.opened, 'db compact', ON_ETCD).db;
    const before = db.stats();
    progress.phase('flushing and compacting');
    try {
      await db.flush();
      await db.waitForCompactions();
    } finally {
      progress.finish();
    }
    const after = db.stats();
    const size = (stats: typeof before): number => stats.levels.reduce((sum, level) => sum + level.bytes, 0);
    if (input.json) return emitJson(ctx, { before: { tableBytes: size(before), compactions: before.compactions }, after: { tableBytes: size(after), compactions: after.compactions } });
    ctx.io.stdout(`${env.paint('green', 'compacted')}: tables ${bytes(size(before))} → ${bytes(size(after))}, ${plural(after.compactions - before.compactions, 'compaction')} run\n`);
  });
}

/** `db verify`: every checksum of the store; exit 4 when corruption is found. */
export async function runDbVerify(ctx: Context, input: Base): Promise<void> {
  const env = prepare(ctx, input.db);
  const progress = new ProgressBar(ctx, 'verifying');
  progress.phase('verifying');
  const report = await withSession(ctx, env.dir, env.settings, (session) => requireEmbedded(session.opened, 'db verify', ON_ETCD).db.verify()).finally(() => progress.finish());
  if (input.json) ctx.io.stdout(toJson(report));
  else {
    const checked = report.checked;
    ctx.io.stdout(
      `${report.ok ? env.paint('green', 'ok') : env.paint('red', 'CORRUPT')}: ${plural(checked.tables, 'table')}, ${plural(checked.blocks, 'block')}, ` +
      `${plural(checked.tableEntries + checked.memtableEntries, 'entry', 'entries')}, ${plural(checked.vlogEntries, 'value-log entry', 'value-log entries')} checked\n` +
      report.warnings.map((warning) => `warning: ${warning.file} at offset ${warning.offset}: ${warning.reason}\n`).join(''),
    );
  }
  if (!report.ok) {
    const first = report.problems[0];
    throw new StorageError(
      `store corrupted (${first === undefined ? 'unknown file' : `${first.file} at offset ${first.offset}: ${first.reason}`}${report.problems.length > 1 ? `; ${report.problems.length} problems` : ''}) in ${env.dir}; no data was changed`,
      'leave the directory as it is; restore from a "progress db backup" or a "progress export"',
    );
  }
}

/** `db backup <file>`: one consistent snapshot, written to a temp file and renamed into place. */
export async function runDbBackup(ctx: Context, input: Base & { path: string; since: number | undefined }): Promise<void> {
  const env = prepare(ctx, input.db);
  const target = resolve(input.path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  let stream: WriteStream;
  try {
    stream = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
    await once(stream, 'open');
  } catch (error) {
    throw new UsageError(`cannot write ${target}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (error as Error).message}`);
  }
  const progress = new ProgressBar(ctx, 'backing up');
  progress.phase('backing up');
  try {
    const result = await withSession(ctx, env.dir, env.settings, (session) =>
      requireEmbedded(session.opened, 'db backup', ON_ETCD).db.backup(stream, input.since === undefined ? {} : { since: input.since }));
    await new Promise<void>((done, fail) => stream.end((error?: Error | null) => (error ? fail(error) : done())));
    renameSync(temp, target);
    progress.finish();
    if (input.json) return emitJson(ctx, { path: target, ...result });
    ctx.io.stdout(`${env.paint('green', 'backed up')} ${plural(result.records, 'record')} (${bytes(result.bytes)}) to ${target}; next incremental: --since ${result.until}\n`);
  } catch (error) {
    progress.finish();
    stream.destroy();
    rmSync(temp, { force: true });
    throw error;
  }
}

/** `db restore <file>`: loads a backup into an empty store (verified completely before applying). */
export async function runDbRestore(ctx: Context, input: Base & { path: string }): Promise<void> {
  const env = prepare(ctx, input.db);
  const source = resolve(input.path);
  if (!existsSync(source)) throw new UsageError(`cannot read ${source}: no such file`, 'give the path of a file written by "progress db backup"');
  const progress = new ProgressBar(ctx, 'restoring');
  progress.phase('restoring');
  const result = await withSession(ctx, env.dir, env.settings, async (session) => {
    if ((await session.store.listStreams('user')).length > 0 || (await session.store.listStreams('team')).length > 0) {
      throw new UsageError(`store ${env.dir} already has data; restore needs an empty store`, 'give --db a new directory, then point PROGRESS_DB at it');
    }
    return requireEmbedded(session.opened, 'db restore', ON_ETCD).db.load(createReadStream(source));
  }).finally(() => progress.finish());
  if (input.json) return emitJson(ctx, { path: source, ...result });
  ctx.io.stdout(`${env.paint('green', 'restored')} ${plural(result.records, 'record')} from ${source} into ${env.dir}\n`);
}
