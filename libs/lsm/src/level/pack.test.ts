/**
 * @progress/lsm as a package outside this repository: build, `npm pack`, install the tarball into
 * an empty temp project without network, and run plain JavaScript programs there (no build step):
 * one on the main entry point (with abstract-level absent, proving it needs nothing else), then
 * one on `@progress/lsm/level` after installing abstract-level from the npm cache; finally a strict
 * TypeScript consumer type-checks against the shipped declarations.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const repoRoot = resolve(packageDir, '../..');
const work = mkdtempSync(join(tmpdir(), 'lsm-pack-'));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The environment minus what `npm test` sets for its own package (lifecycle, workspace). */
function childEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig', 'npm_config_globalconfig']);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.toLowerCase().startsWith('npm_') || keep.has(name.toLowerCase())) env[name] = value;
  }
  return env;
}

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, env: childEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const MAIN_PROGRAM = `
import { openDb, isLsmError } from '@progress/lsm';
const db = await openDb({ dir: process.argv[2] });
await db.update((txn) => {
  txn.set('fruit:apple', 'red');
  txn.set('fruit:banana', 'yellow');
  txn.set('veg:leek', 'green');
});
const banana = new TextDecoder().decode(await db.get('fruit:banana'));
const fruit = await db.view((txn) => [...txn.iterate({ prefix: 'fruit:' })].map((item) => new TextDecoder().decode(item.key)));
let missing = '';
await db.view((txn) => { try { txn.get('nope'); } catch (error) { missing = isLsmError(error, 'KEY_NOT_FOUND') ? error.code : 'other'; } });
await db.close();
console.log(JSON.stringify({ banana, fruit, missing }));
`;

const LEVEL_PROGRAM = `
import { LsmLevel } from '@progress/lsm/level';
const db = new LsmLevel(process.argv[2], { valueEncoding: 'json' });
const users = db.sublevel('users', { valueEncoding: 'json' });
await users.batch([{ type: 'put', key: 'ada', value: { born: 1815 } }, { type: 'put', key: 'alan', value: { born: 1912 } }]);
await db.put('count', 2);
const entries = await users.iterator({ gte: 'a', lt: 'b' }).all();
const count = await db.get('count');
await db.close();
console.log(JSON.stringify({ entries, count }));
`;

const TYPES_PROGRAM = `
import { openDb, type Db } from '@progress/lsm';
import { LsmLevel } from '@progress/lsm/level';
import { MemFs } from '@progress/lsm/testing';

const db: Db = await openDb({ inMemory: true, fs: new MemFs() });
await db.close();
const level = new LsmLevel<string, { n: number }>({ inMemory: true, valueEncoding: 'json' });
await level.put('x', { n: 1 });
const value: { n: number } | undefined = await level.get('x');
console.log(value?.n);
await level.close();
`;

it('packs, installs into an empty project offline and runs there', { timeout: 180_000 }, () => {
  // The lsm test target does not build first: build (incrementally; a no-op when dist is current,
  // as after `npm ci`) so that dist matches src.
  run(process.execPath, [tsc, '-b', 'libs/lsm/tsconfig.lib.json'], repoRoot);

  const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], packageDir)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  const tarball = join(work, packed[0]?.filename ?? '');
  const files = (packed[0]?.files ?? []).map((file) => file.path);
  expect(files).toEqual(expect.arrayContaining([
    'package.json', 'LICENSE', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/level/index.js', 'dist/level/index.d.ts',
    'dist/testing/index.js',
  ]));
  expect(files.filter((path) => /\.test\.|\.test-util\.|tsbuildinfo|^src\//.test(path))).toEqual([]);

  const project = join(work, 'consumer');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  run('npm', ['install', tarball, '--no-audit', '--no-fund', '--offline', '--ignore-scripts'], project);
  // No runtime dependencies; the optional peer abstract-level is not installed.
  expect(existsSync(join(project, 'node_modules/abstract-level'))).toBe(false);
  const installed = JSON.parse(readFileSync(join(project, 'node_modules/@progress/lsm/package.json'), 'utf8')) as { dependencies?: object };
  expect(installed.dependencies).toBeUndefined();

  writeFileSync(join(project, 'main.mjs'), MAIN_PROGRAM);
  const main = JSON.parse(run('node', ['main.mjs', join(work, 'store')], project)) as unknown;
  expect(main).toEqual({ banana: 'yellow', fruit: ['fruit:apple', 'fruit:banana'], missing: 'KEY_NOT_FOUND' });

  // The level entry point with its peer dependency, from the npm cache (the monorepo installed it).
  run('npm', ['install', 'abstract-level@^3.1.1', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], project);
  writeFileSync(join(project, 'level.mjs'), LEVEL_PROGRAM);
  const level = JSON.parse(run('node', ['level.mjs', join(work, 'level-store')], project)) as unknown;
  expect(level).toEqual({ entries: [['ada', { born: 1815 }], ['alan', { born: 1912 }]], count: 2 });

  // The declared types resolve through `exports` for a strict TypeScript consumer (all three entry
  // points, library declarations checked too). Uses this repository's compiler and @types/node.
  writeFileSync(join(project, 'check.ts'), TYPES_PROGRAM);
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2023', 'esnext.disposable'], strict: true,
      noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(repoRoot, 'node_modules/@types')],
    },
    files: ['check.ts'],
  }));
  run(process.execPath, [tsc, '-p', '.'], project);
});
