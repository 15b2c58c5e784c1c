/** Every command, registered on the root parser (each file: builder with examples + lazy handler). */
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../command-kit.js';
import type { Context } from '../context.js';
import { amendCommand } from './amend.js';
import { completionCommand } from './completion.js';
import { configCommand } from './config.js';
import { demoCommand } from './demo.js';
import { exportCommand } from './export.js';
import { goalCommand } from './goal.js';
import { historyCommand } from './history.js';
import { importCommand } from './import.js';
import { logCommand } from './log.js';
import { dbCommand, rebuildCommand } from './maintenance.js';
import { reportCommand } from './report.js';
import { retractCommand } from './retract.js';
import { statusCommand } from './status.js';
import { teamCommand } from './team.js';
import { redoCommand, undoCommand } from './undo.js';
import { userCommand } from './user.js';

/** The commands cli/fast-path.ts parses without yargs (their handlers take the same arguments). */
export const FAST_COMMANDS: Readonly<Record<string, typeof logCommand | typeof statusCommand | typeof reportCommand>> = {
  log: logCommand,
  status: statusCommand,
  report: reportCommand,
};

export function registerCommands(parser: Argv<GlobalArgs>, ctx: Context): void {
  parser
    .command(logCommand(ctx))
    .command(statusCommand(ctx))
    .command(goalCommand(ctx))
    .command(historyCommand(ctx))
    .command(amendCommand(ctx))
    .command(retractCommand(ctx))
    .command(undoCommand(ctx))
    .command(redoCommand(ctx))
    .command(reportCommand(ctx))
    .command(userCommand(ctx))
    .command(teamCommand(ctx))
    .command(exportCommand(ctx))
    .command(importCommand(ctx))
    .command(rebuildCommand(ctx))
    .command(dbCommand(ctx))
    .command(demoCommand(ctx))
    .command(configCommand(ctx))
    .command(completionCommand(ctx));
}
