/** `progress config get|set|unset`: default user, time zone, week start. */
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../command-kit.js';
import { handle, single, track } from '../command-kit.js';
import type { Context } from '../context.js';

type Args = GlobalArgs & Record<string, unknown>;

export function configCommand(ctx: Context) {
  return {
    command: 'config <command>',
    describe: 'settings: user, time-zone, week-start ($XDG_CONFIG_HOME/progress/config.json)',
    builder: (y: Argv<GlobalArgs>) =>
      track(ctx, 'config <get|set|unset>', y)
        .command({
          command: 'get [key]',
          describe: 'show one setting, or all',
          builder: (z: Argv<GlobalArgs>) =>
            track(ctx, 'config get [key]', z).positional('key', { type: 'string', choices: ['user', 'time-zone', 'week-start'] }).option('json', { type: 'boolean' }).example('$0 config get', ''),
          handler: handle(ctx, async (args: Args) => {
            const { runConfigGet } = await import('../../app/settings-cmd.js');
            runConfigGet(ctx, { key: single(args.key), json: args.json === true });
          }),
        })
        .command({
          command: 'set <key> <value>',
          describe: 'change a setting',
          builder: (z: Argv<GlobalArgs>) =>
            track(ctx, 'config set <key> <value>', z)
              .positional('key', { type: 'string', demandOption: true, choices: ['user', 'time-zone', 'week-start'] })
              .positional('value', { type: 'string', demandOption: true })
              .example('$0 config set time-zone Europe/Berlin', '')
              .example('$0 config set week-start sunday', '')
              .example('$0 config set user ada', 'who "you" are by default'),
          handler: handle(ctx, async (args: Args) => {
            const { runConfigSet } = await import('../../app/settings-cmd.js');
            runConfigSet(ctx, { key: String(args.key), value: String(args.value) });
          }),
        })
        .command({
          command: 'unset <key>',
          describe: 'back to the default',
          builder: (z: Argv<GlobalArgs>) =>
            track(ctx, 'config unset <key>', z).positional('key', { type: 'string', demandOption: true, choices: ['user', 'time-zone', 'week-start'] }).example('$0 config unset time-zone', ''),
          handler: handle(ctx, async (args: Args) => {
            const { runConfigUnset } = await import('../../app/settings-cmd.js');
            runConfigUnset(ctx, { key: String(args.key) });
          }),
        })
        .demandCommand(1, 'missing command'),
    handler: () => undefined,
  };
}
