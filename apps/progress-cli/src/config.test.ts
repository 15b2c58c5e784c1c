// Goal: store and config locations follow flag > env > XDG > home; the config file is validated
// and written atomically. Method: temp directories as HOME/XDG roots.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configPath, isStoreUrl, loadConfig, osUserId, resolveSettings, saveConfig, storeDir, storeLocation } from './config.js';

const temp = (): string => mkdtempSync(join(tmpdir(), 'progress-config-'));

describe('locations', () => {
  it('prefers --db, then PROGRESS_DB, then XDG_DATA_HOME, then HOME', () => {
    expect(storeDir('/x/db', { PROGRESS_DB: '/y' })).toBe('/x/db');
    expect(storeDir(undefined, { PROGRESS_DB: '/y', XDG_DATA_HOME: '/z' })).toBe('/y');
    expect(storeDir(undefined, { XDG_DATA_HOME: '/z' })).toBe('/z/progress');
    expect(storeDir(undefined, { HOME: '/home/a' })).toBe('/home/a/.local/share/progress');
    expect(() => storeDir('', {})).toThrow(/--db needs a directory/);
  });

  it('takes --db or --store, then PROGRESS_STORE, then PROGRESS_DB; etcd addresses are kept, other schemes refused', () => {
    const etcd = 'etcd://10.0.0.1:2379,10.0.0.2:2379/team-a';
    expect(storeLocation('/x', undefined, { PROGRESS_STORE: etcd })).toBe('/x');
    expect(storeLocation(undefined, etcd, { PROGRESS_DB: '/y' })).toBe(etcd);
    expect(storeLocation(undefined, '/s', { PROGRESS_STORE: etcd })).toBe('/s');
    expect(storeLocation(undefined, undefined, { PROGRESS_STORE: ` ${etcd} `, PROGRESS_DB: '/y' })).toBe(etcd);
    expect(storeLocation(undefined, undefined, { PROGRESS_STORE: '/p', PROGRESS_DB: '/y' })).toBe('/p');
    expect(storeLocation(undefined, undefined, { PROGRESS_STORE: '', PROGRESS_DB: '/y' })).toBe('/y');
    expect(() => storeLocation('/x', etcd, {})).toThrow(/either --db or --store/);
    expect(() => storeLocation(undefined, 'http://h:1', {})).toThrow(/--store http:\/\/h:1: unknown store address scheme "http:\/\/"/);
    expect(() => storeLocation(undefined, undefined, { PROGRESS_STORE: 'redis://h' })).toThrow(/PROGRESS_STORE redis:\/\/h/);
    expect(() => storeLocation(undefined, ' ', {})).toThrow(/--store needs a directory or an etcd address/);
    expect(isStoreUrl('ETCD://h')).toBe(true);
    expect(isStoreUrl('./etcd')).toBe(false);
  });

  it('puts the config under XDG_CONFIG_HOME', () => {
    expect(configPath({ XDG_CONFIG_HOME: '/c' })).toBe('/c/progress/config.json');
    expect(configPath({ HOME: '/h', XDG_CONFIG_HOME: 'relative' })).toBe('/h/.config/progress/config.json');
  });
});

describe('config file', () => {
  it('round-trips and resolves settings', () => {
    const env = { XDG_CONFIG_HOME: temp(), USER: 'Jane Doe' };
    expect(loadConfig(env)).toEqual({});
    expect(resolveSettings(env).defaultUser).toBe('Jane-Doe');
    saveConfig(env, { user: 'ada', timeZone: 'Europe/Berlin', weekStart: 'sunday' });
    expect(JSON.parse(readFileSync(configPath(env), 'utf8'))).toEqual({ user: 'ada', timeZone: 'Europe/Berlin', weekStart: 'sunday' });
    expect(resolveSettings(env)).toEqual({ defaultUser: 'ada', timeZone: 'Europe/Berlin', weekStartsOn: 0 });
    expect(resolveSettings({ ...env, PROGRESS_USER: 'bob' }).defaultUser).toBe('bob');
  });

  it('rejects a broken file with a usage error naming it', () => {
    const env = { XDG_CONFIG_HOME: temp() };
    mkdirSync(join(env.XDG_CONFIG_HOME, 'progress'));
    writeFileSync(configPath(env), '{oops');
    expect(() => loadConfig(env)).toThrow(/is not valid JSON/);
    writeFileSync(configPath(env), '{"timeZone":"Mars/Base"}');
    expect(() => loadConfig(env)).toThrow(/unknown time zone/);
  });

  it('makes a valid id from the OS user name', () => {
    expect(osUserId({ USER: 'root' })).toBe('root');
    expect(osUserId({ USER: '  --x y' })).toBe('x-y');
    expect(osUserId({ USER: '@@@', LOGNAME: 'z' })).toBe('me');
  });
});
