/** Period and subject options shared by `report` and `export`. */
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../command-kit.js';
import { single } from '../command-kit.js';
import { UsageError } from '../errors.js';
import { parseCount } from '../parse-number.js';

export function periodOptions<T extends GlobalArgs>(y: Argv<T>) {
  return y
    .option('user', { alias: 'u', type: 'string', describe: 'whose report (default: you)' })
    .option('team', { type: 'string', describe: 'a team report instead' })
    .option('period', { alias: 'p', type: 'string', choices: ['day', 'week', 'month'], describe: 'the current day, week or month (default: week)' })
    .option('ago', { type: 'string', describe: 'that many periods back (1 = last week with --period week)' })
    .option('from', { type: 'string', describe: 'first day of a custom range (today, yesterday, 2026-03-01)' })
    .option('to', { type: 'string', describe: 'last day of a custom range (default: today)' })
    .option('as-of', { type: 'string', describe: 'the report as it looked at that moment (replays the log)' })
    .option('out', { alias: 'o', type: 'string', describe: 'write to this file instead of stdout' });
}

export interface PeriodArgs {
  db: string | undefined;
  user: string | undefined;
  team: string | undefined;
  period: 'day' | 'week' | 'month' | undefined;
  ago: number | undefined;
  from: string | undefined;
  to: string | undefined;
  asOf: string | undefined;
  out: string | undefined;
}

export function periodArgs(args: GlobalArgs & Record<string, unknown>): PeriodArgs {
  const period = single(args.period);
  if (period !== undefined && period !== 'day' && period !== 'week' && period !== 'month') throw new UsageError(`--period must be day, week or month`);
  const ago = single(args.ago);
  return {
    db: args.db, user: single(args.user), team: single(args.team), period, from: single(args.from), to: single(args.to),
    ago: ago === undefined ? undefined : parseCount(ago, '--ago', { min: 0, max: 1200 }), asOf: single(args['as-of']), out: single(args.out),
  };
}
