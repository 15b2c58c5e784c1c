/** `progress report`: a user's or team's period report, with bar charts in the terminal. */
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../command-kit.js';
import { handle, single, track } from '../command-kit.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { periodArgs, periodOptions } from './report-options.js';

const USAGE = 'report';
const FORMATS = ['table', 'json', 'csv', 'md', 'html'] as const;

export function reportCommand(ctx: Context) {
  return {
    command: USAGE,
    describe: 'totals, goals, streaks and trends over a period, as a table, JSON, CSV, Markdown or HTML',
    builder: (y: Argv<GlobalArgs>) =>
      periodOptions(track(ctx, USAGE, y))
        .option('format', { alias: 'f', type: 'string', choices: FORMATS, describe: 'output format (default: table)' })
        .option('json', { type: 'boolean', describe: 'same as --format json' })
        .example('$0 report', 'this week, with a bar per day')
        .example('$0 report --period month --ago 1', 'last month')
        .example('$0 report --team core --format html --out team.html', 'a self-contained HTML page with charts')
        .example('$0 report --from 2026-01-01 --to 2026-03-31 --format csv', 'a quarter as CSV')
        .example('$0 report --as-of "2026-03-01 09:00"', 'what the report said then, before later corrections'),
    handler: handle(ctx, async (args: GlobalArgs & Record<string, unknown>) => {
      const format = single(args.format);
      if (format !== undefined && args.json === true && format !== 'json') throw new UsageError(`--json conflicts with --format ${format}`);
      const chosen = args.json === true ? 'json' : (format ?? 'table');
      if (!(FORMATS as readonly string[]).includes(chosen)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
      const { runReport } = await import('../../app/report.js');
      await runReport(ctx, { ...periodArgs(args), format: chosen as (typeof FORMATS)[number] });
    }),
  };
}
