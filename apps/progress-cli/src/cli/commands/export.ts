/** `progress export`: raw events (JSON Lines, lossless), entries (CSV), or a report (md, html). */
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../command-kit.js';
import { handle, single, track } from '../command-kit.js';
import type { Context } from '../context.js';
import { periodArgs, periodOptions } from './report-options.js';

const USAGE = 'export';

export function exportCommand(ctx: Context) {
  return {
    command: USAGE,
    describe: 'export everything (jsonl: re-importable events; csv: entries) or a report (md, html)',
    builder: (y: Argv<GlobalArgs>) =>
      periodOptions(track(ctx, USAGE, y))
        .option('format', { alias: 'f', type: 'string', choices: ['jsonl', 'csv', 'md', 'html'], default: 'jsonl', describe: 'what to export' })
        .example('$0 export --out backup.jsonl', 'every event, lossless; "progress import backup.jsonl" restores it')
        .example('$0 export --format csv > entries.csv', 'entries for a spreadsheet')
        .example('$0 export --format html --team core --period month --out core.html', 'a report page'),
    handler: handle(ctx, async (args: GlobalArgs & Record<string, unknown>) => {
      const format = (single(args.format) ?? 'jsonl') as 'jsonl' | 'csv' | 'md' | 'html';
      const { runExport } = await import('../../app/transfer.js');
      await runExport(ctx, { ...periodArgs(args), format });
    }),
  };
}
