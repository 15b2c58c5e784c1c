// The benchmark harness (test/bench/run.mjs) at a tiny size: it runs end to end, prints a table
// with a ratio per workload, and writes results.json / RESULTS.md / ratios.svg of the expected
// shape. Timing values are never asserted (the bench is not part of pass/fail); the read and
// reopen checks the harness makes are (no problems reported for our engine or the Map).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const WORKLOADS = [
  'fillseq', 'fillrandom', 'overwrite', 'readrandom', 'readmissing', 'readseq', 'prefixscan',
  'fillsync', 'sync1', 'sync8', 'sync64', 'largefill', 'mixed',
];

interface EngineSummary { median: number; min: number; max: number; runs: number[]; unit: string }
interface WorkloadSummary { engines: Record<string, EngineSummary>; vs: Record<string, number>; bestPeer: { engine: string; ratio: number } | null; unit: string }
interface Results {
  schema: number;
  config: { keys: number; runs: number; engines: string[]; phases: string[] };
  machine: { cpus: number; cpuModel: string; memoryBytes: number };
  versions: { node: string };
  engines: Record<string, { status: string; version?: string; reason?: string }>;
  phaseResults: Array<{ engine: string; phase: string; peakRssBytes: number; workloads: Record<string, { opsPerSec: number }> }>;
  problems: unknown[];
  summary: {
    engines: string[];
    workloads: Record<string, WorkloadSummary>;
    resources: Record<string, { peakRssBytes: Record<string, EngineSummary>; fills: Record<string, Record<string, EngineSummary>> }>;
    targets: Array<{ target: string; met: boolean | undefined }>;
  };
}

describe('bench harness (tiny size)', () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-harness-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs ours and the Map through every workload and reports a ratio per workload', () => {
    const r = spawnSync(
      process.execPath,
      ['test/bench/run.mjs', '--keys', '2000', '--runs', '1', '--engines', 'ours,map', '--sync-keys', '40', '--prefixes', '100',
        '--no-build', '--out', out, '--dir', join(out, 'data')],
      { cwd: repoRoot, encoding: 'utf8', timeout: 280_000 },
    );
    expect(r.stderr).not.toContain('bench failed');
    expect(r.status).toBe(0);

    // the stdout table: a header with the ratio column, then one row per workload with a ratio
    const lines = r.stdout.split('\n');
    const header = lines.find((l) => l.startsWith('workload'));
    expect(header).toBeDefined();
    expect(header).toContain('ours/map');
    for (const name of WORKLOADS) {
      const row = lines.find((l) => l.startsWith(`${name} `));
      expect(row, `table row for ${name}`).toBeDefined();
      expect(row).toMatch(/\d+(\.\d+)?x/);
    }

    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(results.schema).toBe(1);
    expect(results.config).toMatchObject({ keys: 2000, runs: 1, engines: ['ours', 'map'] });
    expect(results.engines.ours?.status).toBe('ok');
    expect(results.engines.map?.status).toBe('ok');
    expect(results.engines.lmdb?.status).toBe('skipped');
    expect(results.machine.cpus).toBeGreaterThan(0);
    expect(typeof results.versions.node).toBe('string');
    expect(results.phaseResults).toHaveLength(results.config.phases.length * 2);
    expect(results.problems).toEqual([]);
    expect(Object.keys(results.summary.workloads).sort()).toEqual([...WORKLOADS].sort());
    for (const name of WORKLOADS) {
      const w = results.summary.workloads[name];
      expect(w?.engines.ours?.median, name).toBeGreaterThan(0);
      expect(w?.engines.map?.median, name).toBeGreaterThan(0);
      expect(w?.vs.map, name).toBeGreaterThan(0);
      expect(w?.bestPeer).toBeNull();
    }
    for (const engine of ['ours', 'map']) {
      expect(results.summary.resources[engine]?.peakRssBytes.main?.median).toBeGreaterThan(0);
    }
    expect(results.summary.resources.ours?.fills.fillrandom?.diskBytes?.median).toBeGreaterThan(0);
    expect(results.summary.resources.ours?.fills.fillrandom?.engineWriteAmp?.median).toBeGreaterThan(0);
    expect(results.summary.resources.ours?.fills.fillrandom?.eventLoopDelayMaxMs).toBeDefined();
    expect(results.summary.targets.length).toBeGreaterThan(0);

    const markdown = readFileSync(join(out, 'RESULTS.md'), 'utf8');
    expect(markdown).toContain('# Benchmark');
    expect(markdown).toContain('](ratios.svg)');
    for (const name of WORKLOADS) expect(markdown).toContain(`| ${name} |`);
    const svg = readFileSync(join(out, 'ratios.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect /g)?.length).toBe(WORKLOADS.length + 1);
  }, 300_000);
});
