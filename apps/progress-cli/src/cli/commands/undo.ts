/** `progress undo` and `progress redo`: compensate the newest command (shown first with --dry-run). */
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../command-kit.js';
import { handle, single, track } from '../command-kit.js';
import type { Context } from '../context.js';

function undoLike(ctx: Context, redo: boolean) {
  const name = redo ? 'redo' : 'undo';
  return {
    command: name,
    describe: redo ? 'redo the newest undone command' : 'undo your newest command (log, amend, retract, goal…)',
    builder: (y: Argv<GlobalArgs>) =>
      track(ctx, name, y)
        .option('dry-run', { type: 'boolean', describe: `show what ${name} would do, change nothing` })
        .option('user', { alias: 'u', type: 'string', describe: 'whose command (default: you)' })
        .option('team', { type: 'string', describe: `${name} the newest change to a team instead` })
        .option('json', { type: 'boolean' })
        .example(`$0 ${name} --dry-run`, 'see first')
        .example(`$0 ${name}`, redo ? 'bring it back' : 'reverse it (the history keeps both)'),
    handler: handle(ctx, async (args: GlobalArgs & Record<string, unknown>) => {
      const { runUndo } = await import('../../app/undo.js');
      await runUndo(ctx, { db: args.db, user: single(args.user), team: single(args.team), dryRun: args['dry-run'] === true, json: args.json === true }, redo);
    }),
  };
}

export const undoCommand = (ctx: Context) => undoLike(ctx, false);
export const redoCommand = (ctx: Context) => undoLike(ctx, true);
