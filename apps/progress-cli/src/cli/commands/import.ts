/** `progress import <file>`: JSON Lines events or CSV entries, all or nothing. */
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../command-kit.js';
import { handle, single, track } from '../command-kit.js';
import type { Context } from '../context.js';

const USAGE = 'import <file>';

export function importCommand(ctx: Context) {
  return {
    command: USAGE,
    describe: 'import a JSON Lines export or a CSV of entries (all or nothing; re-importing skips what is there)',
    builder: (y: Argv<GlobalArgs>) =>
      track(ctx, USAGE, y)
        .positional('file', { type: 'string', demandOption: true, describe: 'a .jsonl or .csv file, or - for stdin' })
        .option('format', { alias: 'f', type: 'string', choices: ['jsonl', 'csv'], describe: 'default: from the file name' })
        .option('user', { alias: 'u', type: 'string', describe: 'CSV: who imports (the actor on the events)' })
        .option('json', { type: 'boolean' })
        .example('$0 import backup.jsonl', 'restore an export')
        .example('$0 import runs.csv', 'columns user_id,metric,amount,occurred_at[,unit,note,tags]'),
    handler: handle(ctx, async (args: GlobalArgs & Record<string, unknown>) => {
      const { runImport } = await import('../../app/transfer.js');
      const format = single(args.format) as 'jsonl' | 'csv' | undefined;
      const file = String(args.file) === '' && ctx.argv.includes('-') ? '-' : String(args.file);
      await runImport(ctx, { db: args.db, file, format, user: single(args.user), json: args.json === true });
    }),
  };
}
