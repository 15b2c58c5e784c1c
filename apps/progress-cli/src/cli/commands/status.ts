/** `progress status`: today, this week and this month against goals, streaks, last 30 days. */
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../command-kit.js';
import { handle, single, track } from '../command-kit.js';
import type { Context } from '../context.js';

const USAGE = 'status';

export function statusCommand(ctx: Context) {
  return {
    command: USAGE,
    describe: 'today, this week and this month against your goals, with streaks',
    builder: (y: Argv<GlobalArgs>) =>
      track(ctx, USAGE, y)
        .option('user', { alias: 'u', type: 'string', describe: 'whose status (default: you)' })
        .option('json', { type: 'boolean', describe: 'print JSON' })
        .example('$0 status', 'your metrics at a glance')
        .example('$0 status --user grace --json', 'for scripts'),
    handler: handle(ctx, async (args: GlobalArgs & Record<string, unknown>) => {
      const { runStatus } = await import('../../app/status.js');
      await runStatus(ctx, { db: args.db, user: single(args.user), json: args.json === true });
    }),
  };
}
