/**
 * Bundles a TypeScript entry point of this package into one ESM file in a temp directory, so a
 * test can run it in a real child process (kill -9 tests) without a build step.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

export async function bundleForChild(entry: string): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), 'lsm-child-'));
  const outfile = join(outdir, 'child.mjs');
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}
