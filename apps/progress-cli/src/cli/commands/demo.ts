/** `progress demo`: 90 realistic days in a temporary store, then a status and a report. */
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../command-kit.js';
import { handle, single, track } from '../command-kit.js';
import type { Context } from '../context.js';
import { parseCount } from '../parse-number.js';

export function demoCommand(ctx: Context) {
  return {
    command: 'demo',
    describe: 'try progress on 90 days of demo data (a temporary store unless --db is given)',
    builder: (y: Argv<GlobalArgs>) =>
      track(ctx, 'demo', y)
        .option('days', { type: 'string', describe: 'how many days of history (default 90)' })
        .option('seed', { type: 'string', describe: 'random seed, for reproducible data (default 7)' })
        .option('json', { type: 'boolean' })
        .example('$0 demo', 'see status and a team report')
        .example('$0 demo --db /tmp/progress-demo', 'keep the store somewhere known'),
    handler: handle(ctx, async (args: GlobalArgs & Record<string, unknown>) => {
      const daysText = single(args.days);
      const seedText = single(args.seed);
      const days = daysText === undefined ? 90 : parseCount(daysText, '--days', { min: 1, max: 3650 });
      const seed = seedText === undefined ? 7 : parseCount(seedText, '--seed', { min: 0, max: 2 ** 32 - 1 });
      const { runDemo } = await import('../../app/demo.js');
      await runDemo(ctx, { db: args.db, days, seed, json: args.json === true });
    }),
  };
}
