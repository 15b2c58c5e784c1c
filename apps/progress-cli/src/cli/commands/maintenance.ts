/** `progress rebuild` and `progress db stats|compact|verify|backup|restore`. */
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../command-kit.js';
import { handle, single, track } from '../command-kit.js';
import type { Context } from '../context.js';
import { parseCount } from '../parse-number.js';

type Args = GlobalArgs & Record<string, unknown>;

export function rebuildCommand(ctx: Context) {
  return {
    command: 'rebuild',
    describe: 'rebuild every projection (summaries, daily totals) from the event log',
    builder: (y: Argv<GlobalArgs>) => track(ctx, 'rebuild', y).option('json', { type: 'boolean' }).example('$0 rebuild', 'safe at any time; the log is the truth'),
    handler: handle(ctx, async (args: Args) => {
      const { runRebuild } = await import('../../app/maintenance.js');
      await runRebuild(ctx, { db: args.db, json: args.json === true });
    }),
  };
}

function verifyCommand(ctx: Context) {
  return {
    command: 'verify',
    describe: 'check every checksum of the store (exit 4 when corruption is found)',
    builder: (z: Argv<GlobalArgs>) => track(ctx, 'db verify', z).option('json', { type: 'boolean' }).example('$0 db verify', ''),
    handler: handle(ctx, async (args: Args) => {
      const { runDbVerify } = await import('../../app/maintenance.js');
      await runDbVerify(ctx, { db: args.db, json: args.json === true });
    }),
  };
}

function backupCommand(ctx: Context) {
  return {
    command: 'backup <file>',
    describe: 'write a consistent backup of the store to a file (full, or incremental with --since)',
    builder: (z: Argv<GlobalArgs>) =>
      track(ctx, 'db backup <file>', z)
        .positional('file', { type: 'string', demandOption: true })
        .option('since', { type: 'string', describe: 'only changes after this point (printed by the previous backup)' })
        .option('json', { type: 'boolean' })
        .example('$0 db backup ~/progress-2026-03-01.backup', ''),
    handler: handle(ctx, async (args: Args) => {
      const since = single(args.since);
      const { runDbBackup } = await import('../../app/maintenance.js');
      await runDbBackup(ctx, {
        db: args.db, json: args.json === true, path: String(args.file),
        since: since === undefined ? undefined : parseCount(since, '--since', { min: 0, max: Number.MAX_SAFE_INTEGER }),
      });
    }),
  };
}

function restoreCommand(ctx: Context) {
  return {
    command: 'restore <file>',
    describe: 'load a backup into an empty store (checked completely before anything is applied)',
    builder: (z: Argv<GlobalArgs>) =>
      track(ctx, 'db restore <file>', z)
        .positional('file', { type: 'string', demandOption: true })
        .option('json', { type: 'boolean' })
        .example('$0 --db ~/new-store db restore ~/progress-2026-03-01.backup', ''),
    handler: handle(ctx, async (args: Args) => {
      const { runDbRestore } = await import('../../app/maintenance.js');
      await runDbRestore(ctx, { db: args.db, json: args.json === true, path: String(args.file) });
    }),
  };
}

export function dbCommand(ctx: Context) {
  return {
    command: 'db <command>',
    describe: 'the storage engine: stats, compact, verify, backup, restore',
    builder: (y: Argv<GlobalArgs>) =>
      track(ctx, 'db <stats|compact|verify|backup|restore>', y)
        .command({
          command: 'stats',
          describe: 'levels, sizes and counters of the store',
          builder: (z: Argv<GlobalArgs>) => track(ctx, 'db stats', z).option('json', { type: 'boolean' }).example('$0 db stats', ''),
          handler: handle(ctx, async (args: Args) => {
            const { runDbStats } = await import('../../app/maintenance.js');
            await runDbStats(ctx, { db: args.db, json: args.json === true });
          }),
        })
        .command({
          command: 'compact',
          describe: 'flush and run pending compactions now',
          builder: (z: Argv<GlobalArgs>) => track(ctx, 'db compact', z).option('json', { type: 'boolean' }).example('$0 db compact', ''),
          handler: handle(ctx, async (args: Args) => {
            const { runDbCompact } = await import('../../app/maintenance.js');
            await runDbCompact(ctx, { db: args.db, json: args.json === true });
          }),
        })
        .command(verifyCommand(ctx))
        .command(backupCommand(ctx))
        .command(restoreCommand(ctx))
        .demandCommand(1, 'missing command'),
    handler: () => undefined,
  };
}
