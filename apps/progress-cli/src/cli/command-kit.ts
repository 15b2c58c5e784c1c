/**
 * Helpers every command file uses: the global options, the handler wrapper (errors are stored on
 * the context, never thrown into yargs), and usage tracking for "did you mean" messages.
 */
import type { Argv } from 'yargs';
import type { Context } from './context.js';

export interface GlobalArgs {
  readonly db: string | undefined;
  readonly debug: boolean | undefined;
}

/** Records the command being parsed, so a usage error can show its usage and suggest its flags. */
export function track<T>(ctx: Context, usage: string, y: Argv<T>): Argv<T> {
  ctx.current = { usage, instance: y };
  return y;
}

/** Wraps an async handler: a thrown error becomes ctx.failure (mapped to an exit code by main). */
export function handle<A>(ctx: Context, fn: (args: A) => Promise<void> | void): (args: A) => Promise<void> {
  return async (args: A) => {
    try {
      await fn(args);
    } catch (error) {
      ctx.failure ??= error;
    }
  };
}

/** Known option names of a yargs instance (yargs 18 has getOptions(), untyped in @types/yargs 17). */
export function optionNames(instance: unknown): string[] {
  const getOptions = (instance as { getOptions?: () => { key?: Record<string, unknown> } } | undefined)?.getOptions;
  if (typeof getOptions !== 'function') return [];
  const keys = Object.keys(getOptions.call(instance).key ?? {});
  return keys.filter((key) => key !== '$0' && key.length > 1 && !/[A-Z]/.test(key));
}

/** Levenshtein distance, for suggestions. */
export function distance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = previous[j] ?? 0;
      previous[j] = Math.min(above + 1, (previous[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length] ?? 0;
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Repeatable string option as a list (yargs gives a string, an array, or undefined). */
export function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((item) => String(item));
}

/** The last value of an option given more than once (`--note a --note b` -> "b"). */
export function single(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : String(value[value.length - 1]);
  return String(value);
}
