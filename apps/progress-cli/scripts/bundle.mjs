// Bundles the CLI for start-up speed: one ESM entry (dist/bundle/main.js) plus lazily loaded
// chunks for each command's heavy modules (code splitting keeps the dynamic import() boundaries).
// Workspace libraries are bundled from their TypeScript sources (the @progress/source condition),
// so tree-shaking drops what the CLI never calls (e.g. most of date-fns).
import { build } from 'esbuild';
import { renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'dist', 'bundle');
const outdir = join(root, 'dist', `bundle.${process.pid}.tmp`);
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'src', 'main.ts')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  conditions: ['@progress/source'],
  minify: true,
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  legalComments: 'none',
});
// swap in the new bundle at once (a running `progress` keeps the chunks it already loaded)
rmSync(`${target}.old`, { recursive: true, force: true });
try {
  renameSync(target, `${target}.old`);
} catch (error) {
  if (error.code !== 'ENOENT') throw error;
}
renameSync(outdir, target);
rmSync(`${target}.old`, { recursive: true, force: true });
