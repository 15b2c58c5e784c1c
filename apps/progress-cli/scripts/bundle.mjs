// Bundles the CLI for start-up speed (README "Start-up"): one script, dist/bundle/cli.js, that
// bin/progress.js compiles with a V8 code cache (vm.Script cachedData).
//
// - Format: CommonJS wrapped in a function expression `(function (exports, require, module,
//   __filename, __dirname) {...})`, so the loader can compile it as a vm.Script (the only kind
//   of code Node 20 can cache without flags). Modules reached only through `import()` (every
//   command's app module, the domain, the engine, zod, the etcd store) are bundled too, but esbuild
//   wraps them in lazy initialisers: they are evaluated when a handler first imports them.
// - Workspace libraries are bundled from their TypeScript sources (the @progress/source condition).
// - External: etcd3 and its retry library (etcd3 loads its .proto files from its own directory);
//   they are required at run time, only by `--store etcd://`.
// - ASCII output (esbuild's default charset), so the loader reads the file as latin1 cheaply.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'dist', 'bundle');
const outdir = join(root, 'dist', `bundle.${process.pid}.tmp`);
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const IMPORT_META_URL = '__progressImportMetaUrl';

/**
 * Lazily loaded modules are wrapped whole, so `export *` barrels are not tree-shaken: importing
 * `date-fns` would evaluate all ~250 of its modules, and zod's `z` would evaluate its 60 locales.
 * These stand-ins export only what the code uses (a new import fails the build, loudly).
 */
const slimBarrels = {
  name: 'slim-barrels',
  setup(b) {
    b.onResolve({ filter: /^date-fns$/ }, () => ({ path: 'date-fns', namespace: 'slim' }));
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'slim', pluginData: args.resolveDir } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'slim' }, (args) =>
      args.path === 'date-fns'
        ? { contents: "export { addDays } from 'date-fns/addDays';\nexport { startOfDay } from 'date-fns/startOfDay';\n", resolveDir: root }
        : { contents: "export { default as en } from '../locales/en.js';\n", resolveDir: args.pluginData });
  },
};
await build({
  entryPoints: [join(root, 'src', 'main.ts')],
  outfile: join(outdir, 'cli.js'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  conditions: ['@progress/source'],
  external: ['etcd3', 'cockatiel'],
  plugins: [slimBarrels],
  minify: process.env.PROGRESS_BUNDLE_MINIFY !== '0', // 0: readable profiles
  charset: 'ascii',
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
  // yargs' ESM build calls createRequire(import.meta.url): give it the bundle's own URL.
  define: { 'import.meta.url': IMPORT_META_URL },
  banner: {
    js: `(function (exports, require, module, __filename, __dirname) {"use strict";var ${IMPORT_META_URL} = require("node:url").pathToFileURL(__filename).href;`,
  },
  footer: { js: '})' },
});
const text = readFileSync(join(outdir, 'cli.js'), 'latin1');
// (unminified builds keep comments, which may hold non-ASCII text; latin1 only garbles those)
// eslint-disable-next-line no-control-regex
if (process.env.PROGRESS_BUNDLE_MINIFY !== '0' && /[^\x00-\x7f]/.test(text)) throw new Error('dist/bundle/cli.js is not ASCII (bin/progress.js reads it as latin1)');
// swap in the new bundle at once (a running `progress` has already read its script)
rmSync(`${target}.old`, { recursive: true, force: true });
try {
  renameSync(target, `${target}.old`);
} catch (error) {
  if (error.code !== 'ENOENT') throw error;
}
renameSync(outdir, target);
rmSync(`${target}.old`, { recursive: true, force: true });
