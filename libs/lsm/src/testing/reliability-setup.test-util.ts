/**
 * vitest globalSetup of the REL tier (vitest.reliability.config.ts): clears the figures file
 * before the run and prints it after, so that every suite's figures (crash states, kill cycles,
 * corruption cases, injected faults, ...) end up together at the bottom of the CI log.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { figuresFile } from './tier.test-util.js';

export default function setup(): () => void {
  const FIGURES = figuresFile();
  rmSync(FIGURES, { force: true });
  const started = Date.now();
  return () => {
    const lines = existsSync(FIGURES) ? readFileSync(FIGURES, 'utf8').trimEnd().split('\n').sort() : [];
    console.log(`\n==== reliability figures (${lines.length} lines, ${((Date.now() - started) / 60_000).toFixed(1)} min) ====`);
    for (const line of lines) console.log(line);
    console.log('==== end of reliability figures (coverage summary follows) ====\n');
  };
}
