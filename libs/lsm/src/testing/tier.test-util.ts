/**
 * Test sizes per tier (RELIABILITY.md section 3): PR (`npm test`, the default), REL
 * (`npm run test:reliability`, vitest.reliability.config.ts sets LSM_TIER=rel) and SOAK
 * (LSM_TIER=soak, manual). A test names its size once per tier; an explicit environment variable
 * (e.g. CYCLES=500) still overrides the tier's size, so a failure can be rerun at any size.
 */

import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Tier = 'pr' | 'rel' | 'soak';

export function currentTier(): Tier {
  const raw = process.env['LSM_TIER'] ?? (process.env['SOAK'] === '1' ? 'soak' : process.env['REL'] === '1' ? 'rel' : 'pr');
  if (raw !== 'pr' && raw !== 'rel' && raw !== 'soak') throw new Error(`LSM_TIER must be pr, rel or soak; got ${raw}`);
  return raw;
}

export interface TierSizes {
  pr: number;
  rel: number;
  /** Defaults to `rel`. */
  soak?: number;
}

/** The size for the current tier, or the non-negative number in `process.env[envName]` when set. */
export function tierSize(envName: string | undefined, sizes: TierSizes): number {
  const raw = envName === undefined ? undefined : process.env[envName];
  if (raw !== undefined && raw !== '') {
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${envName} must be a non-negative number; got ${raw}`);
    return value;
  }
  const tier = currentTier();
  return tier === 'pr' ? sizes.pr : tier === 'rel' ? sizes.rel : (sizes.soak ?? sizes.rel);
}

/**
 * fast-check runs for a property: `pr` in the PR tier, `pr * relFactor` in REL (5: 1,000 -> 5,000;
 * the plan's 20,000 does not fit the REL budget on 2 cores), x20 of PR in SOAK.
 */
export function propertyRuns(pr: number, relFactor = 5): number {
  return tierSize('FC_RUNS', { pr, rel: pr * relFactor, soak: pr * 20 });
}

/**
 * The offsets a strided sweep visits: every `stride`-th of 1..total, starting at an offset taken
 * from the seed, so that successive CI runs (new seeds) cover every offset between them.
 */
export function strided(total: number, stride: number, seed: number): number[] {
  const out: number[] = [];
  for (let n = 1 + (seed % stride); n <= total; n += stride) out.push(n);
  return out;
}

/** The test's seed: SEED from the environment, else a fresh one (the caller prints it). */
export function seedFromEnvOrNow(): number {
  const raw = process.env['SEED'];
  if (raw !== undefined && raw !== '') {
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`SEED must be a non-negative integer; got ${raw}`);
    return value;
  }
  return Date.now() % 2 ** 31;
}

/**
 * One line a CI log reader can grep: `[REL] <suite>: <figures>`. Outside the PR tier it is also
 * appended to `.test-results/reliability-figures.txt`, which scripts/reliability.mjs prints at the
 * end of the run (vitest's own output interleaves worker logs).
 */
/** Where REL figure lines go: LSM_FIGURES, default .test-results/reliability-figures.txt. */
export function figuresFile(): string {
  const file = process.env['LSM_FIGURES'] ?? '.test-results/reliability-figures.txt';
  mkdirSync(dirname(file), { recursive: true });
  return file;
}

export function reportFigures(suite: string, figures: string): void {
  const tier = currentTier();
  const line = `[${tier.toUpperCase()}] ${suite}: ${figures}`;
  console.log(line);
  if (tier === 'pr') return;
  appendFileSync(figuresFile(), `${line}\n`);
}
