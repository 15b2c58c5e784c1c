/** `progress retract <entry-id>`: take an entry back (it stays in the log; undo restores it). */
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../command-kit.js';
import { handle, single, track } from '../command-kit.js';
import type { Context } from '../context.js';

const USAGE = 'retract <entry-id>';

export function retractCommand(ctx: Context) {
  return {
    command: USAGE,
    describe: 'take an entry back so it no longer counts',
    builder: (y: Argv<GlobalArgs>) =>
      track(ctx, USAGE, y)
        .positional('entry-id', { type: 'string', demandOption: true, describe: 'the id from "progress history", e.g. e12' })
        .option('reason', { alias: 'r', type: 'string', describe: 'why (up to 200 characters)' })
        .option('user', { alias: 'u', type: 'string' })
        .option('json', { type: 'boolean' })
        .example('$0 retract e12 --reason "logged twice"', ''),
    handler: handle(ctx, async (args: GlobalArgs & Record<string, unknown>) => {
      const { runRetract } = await import('../../app/entries.js');
      await runRetract(ctx, { db: args.db, user: single(args.user), entryId: String(args['entry-id']), reason: single(args.reason), json: args.json === true });
    }),
  };
}
