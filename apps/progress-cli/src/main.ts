import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

export const VERSION = '0.1.0';

/** Runs the CLI with the given arguments and resolves to the process exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  await yargs([...argv]).scriptName('progress').version(VERSION).strict().help().parseAsync();
  return 0;
}

void hideBin;
