/**
 * Runs abstract-level's own exported test suite (`abstract-level/test`, written for tape)
 * in-process: a fresh tape harness per run, its TAP output collected and summarized, so that a
 * vitest test can assert that every assertion passed and print the count.
 */
import { createRequire } from 'node:module';
import tape from 'tape';
import { expect } from 'vitest';
import type { LsmLevel, LsmLevelOptions } from './index.js';

const require = createRequire(import.meta.url);

export type Factory = (options?: LsmLevelOptions) => LsmLevel;

interface SuiteOptions {
  test: ReturnType<typeof tape.createHarness>;
  factory: Factory;
}

/** `require('abstract-level/test')(options)`: registers every test of the suite on `options.test`. */
const suite = require('abstract-level/test') as (options: SuiteOptions) => void;

export interface TapSummary {
  pass: number;
  fail: number;
  /** assertions, as tape's `# tests` line counts them */
  assertions: number;
  /** each `not ok` line with the test it belongs to and tape's diagnostics */
  failures: string[];
  output: string;
}

/** Runs the whole suite with `factory`; resolves with the TAP summary once tape is done. */
export async function runAbstractLevelSuite(factory: Factory): Promise<TapSummary> {
  const harness = tape.createHarness();
  const chunks: string[] = [];
  const stream = harness.createStream();
  const ended = new Promise<void>((resolve) => stream.on('end', () => resolve()));
  stream.on('data', (chunk: unknown) => chunks.push(String(chunk)));
  suite({ test: harness, factory });
  await ended;
  return summarize(chunks.join(''));
}

export function summarize(output: string): TapSummary {
  const count = (label: string): number => Number(new RegExp(`^# ${label}\\s+(\\d+)\\s*$`, 'm').exec(output)?.[1] ?? Number.NaN);
  const lines = output.split('\n');
  const failures: string[] = [];
  let currentTest = '';
  for (const [i, line] of lines.entries()) {
    if (line.startsWith('# ') && !/^# (tests|pass|fail|ok)\b/.test(line)) currentTest = line.slice(2);
    if (line.startsWith('not ok')) failures.push(`${currentTest}: ${line}\n${lines.slice(i + 1, i + 10).join('\n')}`);
  }
  return { pass: count('pass'), fail: count('fail') || 0, assertions: count('tests'), failures, output };
}

/** Prints the pass count and fails the vitest test unless every assertion of the suite passed. */
export function expectAllPassed(label: string, summary: TapSummary): void {
  console.log(`abstract-level suite (${label}): ${summary.pass} passed, ${summary.fail} failed, of ${summary.assertions} assertions`);
  if (summary.failures.length > 0) console.log(summary.failures.join('\n\n'));
  expect(summary.failures).toEqual([]);
  expect(summary.fail).toBe(0);
  expect(summary.pass).toBeGreaterThan(1000);
  expect(summary.pass).toBe(summary.assertions);
}
