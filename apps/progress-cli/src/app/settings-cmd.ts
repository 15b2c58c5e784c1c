/** `progress config get|set|unset|path`: the default user, time zone and week start. */
import type { Context } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { toJson } from '../cli/output.js';
import { CONFIG_KEYS, checkConfigValue, configPath, loadConfig, resolveSettings, saveConfig } from '../config.js';
import type { Config, ConfigKey } from '../config.js';
import { closest } from '../cli/command-kit.js';

function keyOf(name: string): ConfigKey {
  if (name in CONFIG_KEYS) return name as ConfigKey;
  const suggestion = closest(name, Object.keys(CONFIG_KEYS));
  throw new UsageError(`unknown setting ${JSON.stringify(name)}${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`, `settings are ${Object.keys(CONFIG_KEYS).join(', ')}`);
}

export function runConfigGet(ctx: Context, input: { key: string | undefined; json: boolean }): void {
  const config = loadConfig(ctx.env);
  const effective = resolveSettings(ctx.env, config);
  const values: Record<ConfigKey, string> = {
    user: effective.defaultUser,
    'time-zone': effective.timeZone,
    'week-start': effective.weekStartsOn === 0 ? 'sunday' : 'monday',
  };
  const source = (key: ConfigKey): string => (config[CONFIG_KEYS[key]] === undefined ? 'default' : 'config');
  if (input.key !== undefined) {
    const key = keyOf(input.key);
    ctx.io.stdout(input.json ? toJson({ key, value: values[key], source: source(key) }) : `${values[key]}\n`);
    return;
  }
  if (input.json) {
    ctx.io.stdout(toJson({ path: configPath(ctx.env), settings: values, sources: Object.fromEntries(Object.keys(values).map((key) => [key, source(key as ConfigKey)])) }));
    return;
  }
  const lines = (Object.keys(values) as ConfigKey[]).map((key) => `${key.padEnd(11)} ${values[key]}${source(key) === 'default' ? '  (default)' : ''}`);
  ctx.io.stdout(`${lines.join('\n')}\n`);
}

export function runConfigSet(ctx: Context, input: { key: string; value: string }): void {
  const key = keyOf(input.key);
  const stored = CONFIG_KEYS[key];
  const value = key === 'week-start' ? input.value.toLowerCase() : input.value;
  const problem = checkConfigValue(stored, value);
  if (problem !== null) throw new UsageError(problem);
  const config: Config = { ...loadConfig(ctx.env), [stored]: value };
  const path = saveConfig(ctx.env, config);
  ctx.io.stdout(`${key} = ${value}\n`);
  ctx.io.stderr(`saved ${path}\n`);
}

export function runConfigUnset(ctx: Context, input: { key: string }): void {
  const key = keyOf(input.key);
  const config: Config = { ...loadConfig(ctx.env) };
  delete config[CONFIG_KEYS[key]];
  const path = saveConfig(ctx.env, config);
  ctx.io.stdout(`${key} reset to its default\n`);
  ctx.io.stderr(`saved ${path}\n`);
}
