/** `progress log <metric> <amount> [unit]`: record progress. */
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../command-kit.js';
import { handle, list, single, track } from '../command-kit.js';
import type { Context } from '../context.js';

const USAGE = 'log <metric> <amount> [unit]';

export function logCommand(ctx: Context) {
  return {
    command: USAGE,
    describe: 'record an amount of a metric (e.g. running 5 km)',
    builder: (y: Argv<GlobalArgs>) =>
      track(ctx, USAGE, y)
        .positional('metric', { type: 'string', demandOption: true, describe: 'what you measure: running, reading, pushups…' })
        .positional('amount', { type: 'string', demandOption: true, describe: 'how much: 5, 2.5 (greater than 0, up to 3 decimals)' })
        .positional('unit', { type: 'string', describe: 'unit, fixed by the metric\'s first entry (default: count)' })
        .option('note', { alias: 'n', type: 'string', describe: 'a note (up to 500 characters)' })
        .option('tag', { alias: 't', type: 'string', describe: 'a tag; repeat for several' })
        .option('at', { type: 'string', describe: 'when: now, today, yesterday, 2026-03-01, "2026-03-01 07:30", 07:30, or ISO' })
        .option('user', { alias: 'u', type: 'string', describe: 'whose entry (default: you)' })
        .option('idempotency-key', { type: 'string', describe: 'a key that makes retries safe: the same key is saved once' })
        .option('json', { type: 'boolean', describe: 'print the result as JSON' })
        .example('$0 log running 5 km', 'the unit is remembered; next time just "progress log running 3"')
        .example('$0 log reading 30 pages --note "Dune, ch. 3" --tag fiction', 'with a note and a tag')
        .example('$0 log pushups 20 --at yesterday', 'backdate an entry'),
    handler: handle(ctx, async (args: GlobalArgs & Record<string, unknown>) => {
      const { runLog } = await import('../../app/log.js');
      await runLog(ctx, {
        db: args.db,
        metric: String(args.metric),
        amount: String(args.amount),
        unit: single(args.unit),
        note: single(args.note),
        tags: list(args.tag),
        at: single(args.at),
        user: single(args.user),
        idempotencyKey: single(args['idempotency-key']),
        json: args.json === true,
      });
    }),
  };
}
