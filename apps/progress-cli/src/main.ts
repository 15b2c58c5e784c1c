import yargs from 'yargs';
import { ExitCode } from './cli/exit-codes.js';

export const VERSION = '0.1.0';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs the CLI with the given arguments and resolves to the process exit code. */
export async function run(argv: readonly string[], io: Io = processIo): Promise<number> {
  let exitCode: number = ExitCode.OK;
  let usageError: string | undefined;
  const parser = yargs([...argv])
    .scriptName('progress')
    .usage('$0 <command> [options]\n\nTrack progress against goals from the terminal.')
    .version(VERSION)
    .strict()
    .recommendCommands()
    .help()
    .exitProcess(false)
    .fail((message, error) => {
      usageError = message ?? error?.message ?? 'invalid arguments';
    });
  let output = '';
  await parser.parseAsync([...argv], {}, (_error, _argv, text) => {
    output = text;
  });
  if (usageError !== undefined) {
    io.stderr(`error: ${usageError}\n`);
    exitCode = ExitCode.USAGE;
  } else if (output !== '') {
    io.stdout(`${output}\n`);
  }
  return exitCode;
}
