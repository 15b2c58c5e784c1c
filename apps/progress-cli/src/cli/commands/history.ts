/** `progress history`: entries with their ids, newest first. */
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../command-kit.js';
import { handle, single, track } from '../command-kit.js';
import type { Context } from '../context.js';
import { parseCount } from '../parse-number.js';

const USAGE = 'history';

export function historyCommand(ctx: Context) {
  return {
    command: USAGE,
    describe: 'list entries with their ids (for amend and retract)',
    builder: (y: Argv<GlobalArgs>) =>
      track(ctx, USAGE, y)
        .option('user', { alias: 'u', type: 'string', describe: 'whose entries (default: you)' })
        .option('metric', { alias: 'm', type: 'string', describe: 'only this metric' })
        .option('tag', { alias: 't', type: 'string', describe: 'only entries with this tag' })
        .option('from', { type: 'string', describe: 'from this day (today, yesterday, 2026-03-01)' })
        .option('to', { type: 'string', describe: 'up to this day, inclusive' })
        .option('limit', { alias: 'l', type: 'string', describe: 'at most this many, newest first (default 20; 0 = all)' })
        .option('retracted', { type: 'boolean', describe: 'include retracted entries' })
        .option('json', { type: 'boolean', describe: 'print JSON' })
        .example('$0 history', 'your newest 20 entries')
        .example('$0 history --metric running --from 2026-03-01 --limit 0', 'every run since March'),
    handler: handle(ctx, async (args: GlobalArgs & Record<string, unknown>) => {
      const limitText = single(args.limit);
      const limit = limitText === undefined ? 20 : parseCount(limitText, '--limit', { min: 0, max: 1_000_000 });
      const { runHistory } = await import('../../app/history.js');
      await runHistory(ctx, {
        db: args.db, user: single(args.user), metric: single(args.metric), tag: single(args.tag), from: single(args.from), to: single(args.to),
        limit, retracted: args.retracted === true, json: args.json === true,
      });
    }),
  };
}
