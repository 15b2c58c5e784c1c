/** `progress amend <entry-id>`: correct an entry (a new event; the original stays in the log). */
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../command-kit.js';
import { handle, list, single, track } from '../command-kit.js';
import type { Context } from '../context.js';

const USAGE = 'amend <entry-id>';

export function amendCommand(ctx: Context) {
  return {
    command: USAGE,
    describe: 'correct an entry: amount, metric, unit, note, tags or time',
    builder: (y: Argv<GlobalArgs>) =>
      track(ctx, USAGE, y)
        .positional('entry-id', { type: 'string', demandOption: true, describe: 'the id from "progress history", e.g. e12' })
        .option('amount', { alias: 'a', type: 'string', describe: 'new amount' })
        .option('metric', { alias: 'm', type: 'string', describe: 'move the entry to another metric' })
        .option('unit', { type: 'string', describe: 'new unit' })
        .option('note', { alias: 'n', type: 'string', describe: 'new note ("" removes it)' })
        .option('tag', { alias: 't', type: 'string', describe: 'replace the tags; repeat for several' })
        .option('clear-tags', { type: 'boolean', describe: 'remove all tags' })
        .option('at', { type: 'string', describe: 'new time (as for "progress log --at")' })
        .option('user', { alias: 'u', type: 'string' })
        .option('json', { type: 'boolean' })
        .example('$0 amend e12 --amount 6.5', 'fix a typo in the amount')
        .example('$0 amend e12 --at yesterday --note ""', 'move it to yesterday and drop the note'),
    handler: handle(ctx, async (args: GlobalArgs & Record<string, unknown>) => {
      const { runAmend } = await import('../../app/entries.js');
      await runAmend(ctx, {
        db: args.db, user: single(args.user), entryId: String(args['entry-id']), amount: single(args.amount), metric: single(args.metric),
        unit: single(args.unit), note: single(args.note), tags: list(args.tag), clearTags: args['clear-tags'] === true, at: single(args.at),
        json: args.json === true,
      });
    }),
  };
}
