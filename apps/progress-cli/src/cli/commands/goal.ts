/** `progress goal set|list|clear`. */
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../command-kit.js';
import { handle, single, track } from '../command-kit.js';
import type { Context } from '../context.js';

type Args = GlobalArgs & Record<string, unknown>;

export function goalCommand(ctx: Context) {
  return {
    command: 'goal <command>',
    describe: 'set, list or clear goals (a target per day, week or month)',
    builder: (y: Argv<GlobalArgs>) =>
      track(ctx, 'goal <set|list|clear>', y)
        .command({
          command: 'set <metric> <target>',
          describe: 'set a goal for a metric you have logged',
          builder: (z: Argv<GlobalArgs>) =>
            track(ctx, 'goal set <metric> <target> --per day|week|month', z)
              .positional('metric', { type: 'string', demandOption: true })
              .positional('target', { type: 'string', demandOption: true, describe: 'amount per period' })
              .option('per', { type: 'string', choices: ['day', 'week', 'month'], demandOption: true, describe: 'the period' })
              .option('from', { type: 'string', describe: 'first day the goal applies (inclusive)' })
              .option('to', { type: 'string', describe: 'last day the goal applies (inclusive)' })
              .option('user', { alias: 'u', type: 'string' })
              .option('json', { type: 'boolean' })
              .example('$0 goal set running 20 --per week', '20 km a week')
              .example('$0 goal set reading 300 --per month --from 2026-03-01', 'starting on a date'),
          handler: handle(ctx, async (args: Args) => {
            const { runGoalSet, checkPer } = await import('../../app/goals.js');
            await runGoalSet(ctx, {
              db: args.db, user: single(args.user), metric: String(args.metric), target: String(args.target), per: checkPer(single(args.per)),
              from: single(args.from), to: single(args.to), json: args.json === true,
            });
          }),
        })
        .command({
          command: 'list',
          describe: 'your goals and how this period is going',
          builder: (z: Argv<GlobalArgs>) =>
            track(ctx, 'goal list', z).option('user', { alias: 'u', type: 'string' }).option('json', { type: 'boolean' }).example('$0 goal list', ''),
          handler: handle(ctx, async (args: Args) => {
            const { runGoalList } = await import('../../app/goals.js');
            await runGoalList(ctx, { db: args.db, user: single(args.user), json: args.json === true });
          }),
        })
        .command({
          command: 'clear <metric>',
          describe: 'remove the goal of a metric',
          builder: (z: Argv<GlobalArgs>) =>
            track(ctx, 'goal clear <metric>', z)
              .positional('metric', { type: 'string', demandOption: true })
              .option('user', { alias: 'u', type: 'string' })
              .option('json', { type: 'boolean' })
              .example('$0 goal clear running', ''),
          handler: handle(ctx, async (args: Args) => {
            const { runGoalClear } = await import('../../app/goals.js');
            await runGoalClear(ctx, { db: args.db, user: single(args.user), metric: String(args.metric), json: args.json === true });
          }),
        })
        .demandCommand(1, 'missing command'),
    handler: () => undefined,
  };
}
