/**
 * The run context every command gets: the I/O seam (so tests run the CLI in-process), the
 * environment, and the outcome the entry point turns into an exit code.
 *
 * Invariants:
 * - data goes to `io.stdout`, diagnostics (errors, warnings, progress bars) to `io.stderr`;
 * - `failure` holds the first error a handler raised; main.ts maps it to an exit code.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Defaults to process.env. */
  readonly env?: Env;
  readonly stdoutIsTTY?: boolean;
  readonly stderrIsTTY?: boolean;
  /** Reads all of stdin (for `import -`); defaults to process.stdin. */
  readonly readStdin?: () => Promise<string>;
}

export interface Context {
  readonly io: Io;
  readonly env: Env;
  readonly debug: boolean;
  /** Colour on stdout: a TTY and no NO_COLOR. */
  readonly color: boolean;
  readonly stderrIsTTY: boolean;
  failure: unknown;
  exitCode: number;
  /** The command yargs is parsing (set by its builder): its usage line and yargs instance. */
  current: { readonly usage: string; readonly instance: unknown } | undefined;
  /** The store directory (or etcd address) once resolved (named in storage error messages). */
  storeDir: string | undefined;
  /** The global `--store` flag (set while parsing; commands pass `--db` themselves). */
  storeFlag: string | undefined;
  /** The raw arguments (yargs reads a lone "-" as an empty string). */
  readonly argv: readonly string[];
}

/** NO_COLOR: "when present and not an empty string" (no-color.org). */
export function colorEnabled(isTTY: boolean, env: Env): boolean {
  const noColor = env.NO_COLOR;
  return isTTY && (noColor === undefined || noColor === '') && env.TERM !== 'dumb';
}

export function createContext(io: Io, argv: readonly string[]): Context {
  const env = io.env ?? process.env;
  const stdoutIsTTY = io.stdoutIsTTY ?? false;
  return {
    io,
    env,
    debug: argv.includes('--debug') || env.PROGRESS_DEBUG === '1',
    color: colorEnabled(stdoutIsTTY, env),
    stderrIsTTY: io.stderrIsTTY ?? false,
    failure: undefined,
    exitCode: 0,
    current: undefined,
    storeDir: undefined,
    storeFlag: undefined,
    argv,
  };
}
