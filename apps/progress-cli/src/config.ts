/**
 * Where things live, and the user's settings.
 *
 * - Store: `--db <dir>` or `--store <dir|etcd://...>`, else `PROGRESS_STORE` (a directory or an
 *   etcd address), else `PROGRESS_DB`, else `$XDG_DATA_HOME/progress` (default
 *   `~/.local/share/progress`). An address with another scheme is a usage error.
 * - Config: `$XDG_CONFIG_HOME/progress/config.json` (default `~/.config/progress`), holding the
 *   default user, time zone and week start. Written atomically (temp file + rename).
 * - Default user: `--user`, else `PROGRESS_USER`, else config `user`, else the OS user name
 *   (made into a valid id).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Env } from './cli/context.js';
import { UsageError } from './cli/errors.js';

export type WeekStartName = 'monday' | 'sunday';

export interface Config {
  user?: string;
  timeZone?: string;
  weekStart?: WeekStartName;
}

/** User-facing key names (`progress config set time-zone Europe/Berlin`). */
export const CONFIG_KEYS = { user: 'user', 'time-zone': 'timeZone', 'week-start': 'weekStart' } as const;
export type ConfigKey = keyof typeof CONFIG_KEYS;

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function home(env: Env): string {
  return env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir();
}

function xdg(env: Env, name: 'XDG_DATA_HOME' | 'XDG_CONFIG_HOME', fallback: string): string {
  const value = env[name];
  return value !== undefined && value.startsWith('/') ? value : join(home(env), fallback);
}

export function storeDir(flag: string | undefined, env: Env): string {
  if (flag !== undefined) {
    if (flag.trim() === '') throw new UsageError('--db needs a directory', 'e.g. --db ~/progress-data');
    return resolve(flag);
  }
  const fromEnv = env.PROGRESS_DB;
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  return join(xdg(env, 'XDG_DATA_HOME', '.local/share'), 'progress');
}

/** True for a store address (`etcd://...`); any other `scheme://` is rejected by storeLocation. */
export function isStoreUrl(location: string): boolean {
  return /^etcd:\/\//i.test(location.trim());
}

/**
 * The store for this command: a directory (resolved) or an etcd address (kept as given; parsed
 * when opened). `--db` and `--store` are the same setting; giving both is a usage error.
 */
export function storeLocation(dbFlag: string | undefined, storeFlag: string | undefined, env: Env): string {
  if (dbFlag !== undefined && storeFlag !== undefined) throw new UsageError('give either --db or --store, not both');
  const flag = storeFlag ?? dbFlag;
  const name = storeFlag !== undefined ? '--store' : '--db';
  if (flag !== undefined) return checkedLocation(flag, name, () => storeDir(flag, env));
  const fromEnv = env.PROGRESS_STORE;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return checkedLocation(fromEnv, 'PROGRESS_STORE', () => resolve(fromEnv));
  return storeDir(undefined, env);
}

function checkedLocation(value: string, name: string, dir: () => string): string {
  if (value.trim() === '') throw new UsageError(`${name} needs a directory or an etcd address`, 'e.g. --store ~/progress-data or --store etcd://10.0.0.1:2379');
  if (isStoreUrl(value)) return value.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value.trim());
  if (scheme !== null) {
    throw new UsageError(`${name} ${value}: unknown store address scheme "${scheme[1] ?? ''}://"`, 'use a directory, or etcd://host:port[,host:port...] for an etcd cluster');
  }
  return dir();
}

export function configPath(env: Env): string {
  return join(xdg(env, 'XDG_CONFIG_HOME', '.config'), 'progress', 'config.json');
}

export function loadConfig(env: Env): Config {
  const path = configPath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UsageError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError(`config file ${path} is not valid JSON`, `fix it, or delete it to start over`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UsageError(`config file ${path} must hold a JSON object`, `fix it, or delete it to start over`);
  }
  const record = raw as Record<string, unknown>;
  const config: Config = {};
  for (const [key, value] of Object.entries(record)) {
    const problem = checkConfigValue(key, value);
    if (problem !== null) throw new UsageError(`config file ${path}: ${problem}`, `fix it with "progress config set", or edit the file`);
  }
  if (typeof record.user === 'string') config.user = record.user;
  if (typeof record.timeZone === 'string') config.timeZone = record.timeZone;
  if (record.weekStart === 'monday' || record.weekStart === 'sunday') config.weekStart = record.weekStart;
  return config;
}

/** Null when `value` is acceptable for the stored key `key`. */
export function checkConfigValue(key: string, value: unknown): string | null {
  switch (key) {
    case 'user':
      return typeof value === 'string' && ID_PATTERN.test(value)
        ? null
        : `user must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`;
    case 'timeZone':
      return typeof value === 'string' && isTimeZone(value) ? null : `unknown time zone ${JSON.stringify(value)}; use an IANA name such as Europe/Berlin`;
    case 'weekStart':
      return value === 'monday' || value === 'sunday' ? null : 'week-start must be monday or sunday';
    default:
      return `unknown setting ${JSON.stringify(key)}`;
  }
}

/** Fixed-offset-0 zones every Intl knows: checked without Intl, whose first use costs ~30 ms. */
const UTC_ZONES: ReadonlySet<string> = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT']);

export function isTimeZone(name: string): boolean {
  if (UTC_ZONES.has(name)) return true;
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name) || name.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export function saveConfig(env: Env, config: Config): string {
  const path = configPath(env);
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644 });
  renameSync(temp, path);
  return path;
}

/** The OS user name as a valid user id ("Jane Doe" -> "Jane-Doe"), or "me". */
export function osUserId(env: Env): string {
  let name = env.USER ?? env.LOGNAME ?? '';
  if (name === '') {
    try {
      name = userInfo().username;
    } catch {
      name = '';
    }
  }
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return cleaned === '' ? 'me' : cleaned;
}

export interface Settings {
  readonly defaultUser: string;
  /** True when the user came from the config/env/OS rather than --user: auto-registered on first use. */
  readonly timeZone: string;
  readonly weekStartsOn: 0 | 1;
}

export function systemTimeZone(env: Env): string {
  const tz = env.TZ;
  if (tz !== undefined && tz !== '' && isTimeZone(tz)) return tz;
  const resolved = new Intl.DateTimeFormat().resolvedOptions().timeZone;
  return isTimeZone(resolved) ? resolved : 'UTC';
}

export function resolveSettings(env: Env, config: Config = loadConfig(env)): Settings {
  const fromEnv = env.PROGRESS_USER;
  const defaultUser = fromEnv !== undefined && fromEnv !== '' ? fromEnv : (config.user ?? osUserId(env));
  return {
    defaultUser,
    timeZone: config.timeZone ?? systemTimeZone(env),
    weekStartsOn: config.weekStart === 'sunday' ? 0 : 1,
  };
}
