/**
 * The start-up fast path for the commands typed all day (`log`, `status`, `report`): a plain
 * argument vector is parsed here, without loading yargs (whose evaluation and set-up cost more
 * than the rest of start-up together), and handed to the same handler yargs would call.
 *
 * Invariant: for every argv this accepts, the handler receives exactly what yargs would give it
 * (fast-path.test.ts compares the two on generated argument vectors). Anything unusual returns
 * undefined and yargs parses from scratch: help and version flags, unknown or misspelled flags,
 * short-flag groups, `--`, `--no-*`, values that start with '-', empty values, a boolean followed
 * by true/false, a repeated global or choice option, a value outside an option's choices, and the
 * wrong number of positionals. So every usage error is still yargs' (and main.ts's wording).
 */

export interface FastSpec {
  readonly positionals: readonly string[];
  readonly required: number;
  /** string options, by long name; the value is the one-letter alias, if any */
  readonly strings: Readonly<Record<string, string | undefined>>;
  readonly booleans: readonly string[];
  readonly choices: Readonly<Record<string, readonly string[]>>;
}

const PERIODS = ['day', 'week', 'month'];

export const FAST_SPECS: Readonly<Record<string, FastSpec>> = {
  log: {
    positionals: ['metric', 'amount', 'unit'], required: 2,
    strings: { note: 'n', tag: 't', at: undefined, user: 'u', 'idempotency-key': undefined }, booleans: ['json'], choices: {},
  },
  status: { positionals: [], required: 0, strings: { user: 'u' }, booleans: ['json'], choices: {} },
  report: {
    positionals: [], required: 0,
    strings: { user: 'u', team: undefined, period: 'p', ago: undefined, from: undefined, to: undefined, 'as-of': undefined, out: 'o', format: 'f' },
    booleans: ['json'],
    choices: { period: PERIODS, format: ['table', 'json', 'csv', 'md', 'html'] },
  },
};

const GLOBAL_STRINGS = ['db', 'store'];
const GLOBAL_BOOLEANS = ['debug'];

export type FastArgs = Record<string, string | string[] | boolean>;

/** The handler arguments for `argv`, or undefined when yargs must parse it. */
export function fastParse(argv: readonly string[]): { command: string; args: FastArgs } | undefined {
  const command = argv[0];
  if (command === undefined || !Object.hasOwn(FAST_SPECS, command)) return undefined;
  const spec = FAST_SPECS[command] as FastSpec;
  const aliases = new Map(Object.entries(spec.strings).filter((entry): entry is [string, string] => entry[1] !== undefined).map(([name, alias]) => [alias, name]));
  const args: FastArgs = {};
  const positionals: string[] = [];
  for (let i = 1; i < argv.length; i += 1) {
    const token = argv[i] as string;
    if (token === '' || token === '-' || token === '--') return undefined;
    if (!token.startsWith('-')) {
      positionals.push(token);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      name = eq < 0 ? token.slice(2) : token.slice(2, eq);
      inline = eq < 0 ? undefined : token.slice(eq + 1);
    } else {
      if (token.length !== 2) return undefined; // -nt, -n=x, -5: yargs' rules
      const long = aliases.get(token.slice(1));
      if (long === undefined) return undefined;
      name = long;
    }
    if (spec.booleans.includes(name) || GLOBAL_BOOLEANS.includes(name)) {
      const next = argv[i + 1];
      if (inline !== undefined || next === 'true' || next === 'false' || args[name] !== undefined) return undefined;
      args[name] = true;
      continue;
    }
    const isGlobal = GLOBAL_STRINGS.includes(name);
    if (!isGlobal && !Object.hasOwn(spec.strings, name)) return undefined;
    let value = inline;
    if (value === undefined) {
      value = argv[i + 1];
      i += 1;
    }
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    const choices = spec.choices[name];
    if (choices !== undefined && !choices.includes(value)) return undefined;
    const previous = args[name];
    if (previous === undefined) args[name] = value;
    else if (isGlobal || choices !== undefined || typeof previous === 'boolean') return undefined;
    else args[name] = Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  if (positionals.length < spec.required || positionals.length > spec.positionals.length) return undefined;
  positionals.forEach((value, index) => {
    args[spec.positionals[index] as string] = value;
  });
  return { command, args };
}
