/**
 * Entry point: `run(argv, io)` parses the command line, runs one command and resolves to the exit
 * code. The single top-level catch maps every failure to an exit code and a one-line message
 * (render-error.ts); a stack trace is printed only with --debug.
 *
 * Start-up stays lean: this module and the command files import only small helpers; yargs is
 * loaded only when the fast path (cli/fast-path.ts: plain `log`, `status`, `report` vectors) does
 * not apply, and each handler loads the domain, the store and its own heavy modules with `import()`.
 */
import { FAST_COMMANDS, registerCommands } from './cli/commands/index.js';
import { fastParse } from './cli/fast-path.js';
import type { FastArgs } from './cli/fast-path.js';
import type { GlobalArgs } from './cli/command-kit.js';
import { closest, optionNames, single } from './cli/command-kit.js';
import { createContext } from './cli/context.js';
import type { Context, Io } from './cli/context.js';
import { UsageError } from './cli/errors.js';
import { ExitCode } from './cli/exit-codes.js';
import { reportError } from './cli/render-error.js';
import { mark } from './cli/timing.js';

export type { Io } from './cli/context.js';
export const VERSION = '0.1.0';

const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
};

/** Thrown from yargs' fail callback so that no handler runs after a validation error. */
class ParseAborted extends Error {}

/** Runs the CLI with the given arguments and resolves to the process exit code. */
export async function run(argv: readonly string[], io: Io = processIo): Promise<number> {
  const args = argv.length === 0 ? ['--help'] : [...argv];
  const ctx = createContext(io, args);
  try {
    const fast = ctx.env.PROGRESS_FAST_PATH === '0' ? undefined : fastParse(args);
    if (fast !== undefined) {
      ctx.storeFlag = typeof fast.args.store === 'string' ? fast.args.store : undefined;
      mark('parsed (fast path)');
      await FAST_COMMANDS[fast.command]?.(ctx).handler(fast.args as GlobalArgs & FastArgs);
      mark('handled');
      if (ctx.failure !== undefined) throw ctx.failure;
      return ctx.exitCode;
    }
    let usage: string | undefined;
    let output = '';
    const { default: yargs } = await import('yargs');
    const parser = yargs(args)
      .scriptName('progress')
      .usage('$0 <command> [options]\n\nTrack progress against goals from the terminal: log amounts, see streaks and reports.')
      .parserConfiguration({ 'parse-numbers': false, 'parse-positional-numbers': false, 'boolean-negation': false })
      .option('db', { type: 'string', global: true, describe: 'store directory (default: $PROGRESS_STORE, $PROGRESS_DB or ~/.local/share/progress)' })
      .option('store', { type: 'string', global: true, describe: 'the store: a directory, or etcd://host:port[,host:port...] for a team cluster (default: $PROGRESS_STORE)' })
      .middleware((argv: { store?: unknown }) => {
        ctx.storeFlag = single(argv.store);
      })
      .option('debug', { type: 'boolean', global: true, describe: 'print stack traces of errors' })
      .version(VERSION)
      .help()
      .alias('help', 'h')
      .strict()
      .recommendCommands()
      .demandCommand(1, 'missing command')
      .completion('__completion', false)
      .exitProcess(false)
      .wrap(Math.min(100, process.stdout.columns ?? 100))
      .fail((message: string | null | undefined, error: Error | undefined) => {
        usage ??= message ?? error?.message ?? 'invalid arguments';
        throw new ParseAborted();
      });
    registerCommands(parser, ctx);
    skipHelpCache(parser);
    mark('yargs set up');
    try {
      await parser.parseAsync(args, {}, (_error, _argv, text) => {
        output = text;
      });
    } catch (error) {
      if (!(error instanceof ParseAborted)) throw error;
    }
    mark('parsed and handled');
    if (usage !== undefined) throw usageError(ctx, usage, args);
    if (ctx.failure !== undefined) throw ctx.failure;
    if (output !== '') io.stdout(`${output}\n`);
    return ctx.exitCode;
  } catch (error) {
    return reportError(ctx, error, ctx.storeDir ?? 'the store');
  }
}

/**
 * yargs renders and caches the full help text of every command it runs (for a later showHelp()),
 * which costs more than the rest of parsing. Handlers here never show help, and usage errors are
 * rendered by usageError(), so the cache is skipped; --help itself is unaffected.
 */
function skipHelpCache(parser: unknown): void {
  const internal = (parser as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.();
  const usage = internal?.getUsageInstance?.();
  if (usage !== undefined && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/** Rewrites a yargs validation message as "what, where, what next". */
export function usageError(ctx: Context, message: string, argv: readonly string[]): UsageError {
  const usageLine = ctx.current === undefined ? 'progress <command> [options]' : `progress ${ctx.current.usage}`;
  const help = `usage: ${usageLine}; see "${ctx.current === undefined ? 'progress --help' : `progress ${ctx.current.usage.split(' <')[0]?.split(' [')[0]} --help`}"`;
  const unknown = /^Unknown arguments?: (.*)$/s.exec(message);
  if (unknown !== null) {
    const names = (unknown[1] ?? '').split(', ');
    const first = names[0] ?? '';
    const isFlag = argv.some((arg) => arg === `--${first}` || arg.startsWith(`--${first}=`) || arg === `-${first}`);
    if (isFlag) {
      const suggestion = closest(first, optionNames(ctx.current?.instance));
      const dashes = first.length === 1 ? '-' : '--';
      return new UsageError(`unknown flag ${dashes}${first}${suggestion === undefined ? '' : ` (did you mean --${suggestion}?)`}`, help);
    }
    return new UsageError(`unexpected argument ${JSON.stringify(first)}`, help);
  }
  const didYouMean = /^Unknown command: (.*?)(?:\n|$)|Did you mean (.*)\?/s.exec(message);
  if (didYouMean !== null) {
    const wanted = /Did you mean (.*?)\?/.exec(message)?.[1];
    const words = argv.filter((arg) => !arg.startsWith('-'));
    const word = (wanted === undefined ? words[0] : closest(wanted, words) ?? words[words.length - 1]) ?? '';
    return new UsageError(`unknown command ${JSON.stringify(word)}${wanted === undefined ? '' : ` (did you mean ${wanted}?)`}`, 'see "progress --help" for the commands');
  }
  const missing = /^Not enough non-option arguments: got (\d+), need at least (\d+)$/.exec(message);
  if (missing !== null) {
    return new UsageError(ctx.current === undefined ? 'missing command' : `missing argument for "progress ${ctx.current.usage}"`, help);
  }
  const noValue = /^Not enough arguments following: (.*)$/.exec(message);
  if (noValue !== null) return new UsageError(`--${noValue[1] ?? ''} needs a value`, help);
  const choices = /Argument: (\S+), Given: "?(.*?)"?, Choices: (.*)$/s.exec(message);
  if (choices !== null) {
    return new UsageError(`--${choices[1] ?? ''} must be one of ${(choices[3] ?? '').replaceAll('"', '')} (got ${JSON.stringify(choices[2] ?? '')})`, help);
  }
  const required = /^Missing required arguments?: (.*)$/.exec(message);
  if (required !== null) return new UsageError(`missing --${(required[1] ?? '').split(', ').join(', --')}`, help);
  return new UsageError(message.split('\n')[0]?.replace(/^./, (c) => c.toLowerCase()) ?? 'invalid arguments', help);
}

void ExitCode;
