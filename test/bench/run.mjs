#!/usr/bin/env node
// The benchmark of @progress/lsm against classic-level, lmdb, better-sqlite3 and a Map
// (`npm run bench` from the repo root). Not part of `npm test`. See README.md here.
//
// Builds @progress/lsm (nx, cached), probes each engine in a child process (one that does not
// install or load is skipped), then for each run and each phase starts one child per engine
// (worker.mjs), engines interleaved and their order rotated from run to run. Writes the table to
// stdout and results.json, RESULTS.md and ratios.svg to --out (default: this folder).

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Buffer } from 'node:buffer';
import { clearTimeout, setTimeout } from 'node:timers';
import { ENGINE_ORDER, PHASES, renderMarkdown, renderSvg, renderTable, summarize } from './report.mjs';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(benchDir, '../..');
const workerPath = join(benchDir, 'worker.mjs');

const HELP = `Usage: node test/bench/run.mjs [options]   (npm run bench -- [options])

  --keys N              keys in the main data set (default 1000000)
  --key-bytes N         key size (default 16)          --value-bytes N   value size (default 100)
  --batch N             entries per write batch (default 1000)
  --runs N              runs, medians over them (default: env RUNS or 2)
  --engines a,b         subset of ${ENGINE_ORDER.join(',')} (default all)
  --phases a,b          subset of ${PHASES.join(',')} (default all)
  --sync-keys N         durable puts in fillsync and in each syncN workload (default min(2000, keys/10))
  --writers a,b         concurrent synced writers (default 1,8,64)
  --large-keys N        large-value fill count (default keys/5, 200000 at the default size)
  --large-value-bytes N (default 4096)
  --mixed-ops N         tracker-like mixed ops (default keys/5)     --mixed-users N (default 1000)
  --prefixes N          prefix scans of 100 keys (default 1000)
  --dir DIR             where the engines' data goes (default test/bench/.data; deleted after each phase)
  --out DIR             where results.json, RESULTS.md and ratios.svg go (default test/bench)
  --timeout-min N       a phase process running longer is killed and reported as hung (default 45)
  --seed N              data seed (default 1)
  --no-build            do not build @progress/lsm first (its dist must exist)
  --render FILE         measure nothing: re-render the table, RESULTS.md and ratios.svg from a results.json
`;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      keys: { type: 'string' }, 'key-bytes': { type: 'string' }, 'value-bytes': { type: 'string' }, batch: { type: 'string' },
      runs: { type: 'string' }, engines: { type: 'string' }, phases: { type: 'string' }, 'sync-keys': { type: 'string' },
      writers: { type: 'string' }, 'large-keys': { type: 'string' }, 'large-value-bytes': { type: 'string' },
      'mixed-ops': { type: 'string' }, 'mixed-users': { type: 'string' }, prefixes: { type: 'string' }, dir: { type: 'string' },
      out: { type: 'string' }, 'timeout-min': { type: 'string' }, seed: { type: 'string' }, 'no-build': { type: 'boolean' },
      render: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const int = (name, fallback, min = 1) => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const v = Number(String(raw).replace(/[_,]/g, ''));
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer >= ${min}; got ${raw}`);
    return v;
  };
  const list = (name, all) => {
    if (values[name] === undefined) return all;
    const items = String(values[name]).split(',').map((s) => s.trim()).filter(Boolean);
    for (const item of items) if (!all.includes(item)) throw new Error(`--${name}: unknown ${item} (known: ${all.join(', ')})`);
    return all.filter((x) => items.includes(x));
  };
  const keys = int('keys', 1_000_000, 100);
  const envRuns = process.env.RUNS === undefined || process.env.RUNS === '' ? 2 : Number(process.env.RUNS);
  const config = {
    keys,
    keyBytes: int('key-bytes', 16, 8),
    valueBytes: int('value-bytes', 100),
    batch: int('batch', 1000),
    runs: int('runs', Number.isInteger(envRuns) && envRuns > 0 ? envRuns : 2),
    engines: list('engines', ENGINE_ORDER),
    phases: list('phases', PHASES),
    syncKeys: int('sync-keys', Math.max(10, Math.min(2000, Math.floor(keys / 10)))),
    writers: values.writers === undefined ? [1, 8, 64] : String(values.writers).split(',').map((s) => Number(s)),
    largeKeys: int('large-keys', Math.max(100, Math.floor(keys / 5))),
    largeValueBytes: int('large-value-bytes', 4096),
    mixedOps: int('mixed-ops', Math.max(100, Math.floor(keys / 5))),
    mixedUsers: int('mixed-users', 1000),
    prefixes: int('prefixes', 1000),
    seed: int('seed', 1, 0),
    timeoutMs: int('timeout-min', 45) * 60_000,
    dir: resolve(values.dir ?? join(benchDir, '.data')),
    out: resolve(values.out ?? benchDir),
    build: !values['no-build'],
    render: values.render === undefined ? undefined : resolve(values.render),
  };
  if (config.writers.some((w) => !Number.isInteger(w) || w < 1)) throw new Error('--writers must be positive integers');
  return config;
}

function log(message) {
  process.stderr.write(`bench: ${message}\n`);
}

/** Builds @progress/lsm with nx (a cache hit when nothing changed). */
function buildOurs() {
  log('building @progress/lsm (npx nx run @progress/lsm:build)');
  const t0 = performance.now();
  const r = spawnSync('npx', ['nx', 'run', '@progress/lsm:build', '--output-style=static'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout}\n${r.stderr}\n`);
    throw new Error('building @progress/lsm failed; fix the build or pass --no-build to measure the existing dist');
  }
  log(`built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** Starts worker.mjs for one engine and phase; resolves to its result or to a failure record. */
function runWorker(workerConfig, timeoutMs) {
  return new Promise((resolvePromise) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // no loaders or conditions from a parent test runner
    const child = spawn(process.execPath, [workerPath, JSON.stringify(workerConfig)], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderrTail = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => {
      process.stderr.write(d);
      stderrTail = (stderrTail + d).slice(-4000);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').reverse().find((l) => l.startsWith('RESULT '));
      if (line !== undefined && code === 0) {
        resolvePromise(JSON.parse(line.slice('RESULT '.length)));
        return;
      }
      const how = timedOut
        ? `hung: killed after ${Math.round(timeoutMs / 60_000)} min`
        : signal !== null ? `crashed with ${signal}` : `exited with code ${code}`;
      resolvePromise({
        engine: workerConfig.engine,
        phase: workerConfig.phase,
        failed: true,
        error: `${how}; last output: ${stderrTail.trim().split('\n').slice(-12).join('\n')}`,
        workloads: {},
        problems: [],
      });
    });
  });
}

/** fdatasync rate of 4 KiB appends in `dir`: the floor under every durable-write number. */
function fsyncRate(dir) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'fsync-probe');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 1);
  const t0 = performance.now();
  let n = 0;
  try {
    while (n < 200 && performance.now() - t0 < 3000) {
      writeSync(fd, block);
      fdatasyncSync(fd);
      n++;
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  return n / ((performance.now() - t0) / 1000);
}

function gitDescription() {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' });
  if (head.status !== 0) return undefined;
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'libs/lsm/src'], { cwd: repoRoot, encoding: 'utf8' });
  const changed = dirty.stdout.trim() === '' ? '' : ` + uncommitted changes in libs/lsm/src (${dirty.stdout.trim().split('\n').length} files)`;
  return `commit ${head.stdout.trim()}${changed}`;
}

/** Writes results.json, ratios.svg and RESULTS.md to `out` and prints the table. */
async function writeOutputs(record, out, writeJson) {
  const summary = summarize(record);
  mkdirSync(out, { recursive: true });
  const files = { json: 'results.json', md: 'RESULTS.md', svg: 'ratios.svg' };
  if (writeJson) await writeFile(join(out, files.json), JSON.stringify({ ...record, summary }, null, 2) + '\n');
  await writeFile(join(out, files.svg), renderSvg(record, summary));
  await writeFile(join(out, files.md), renderMarkdown(record, summary, files));
  process.stdout.write(`\n${renderTable(record, summary)}\n`);
  if (record.problems.length > 0) {
    process.stdout.write(`\nPROBLEMS (${record.problems.length}):\n`);
    for (const p of record.problems) process.stdout.write(`- ${p.engine} ${p.phase} run ${p.run}: ${p.message.split('\n')[0]}\n`);
  }
  const written = (writeJson ? Object.values(files) : [files.md, files.svg]).map((f) => join(relative(process.cwd(), out) || '.', f));
  process.stdout.write(`\nwrote ${written.join(', ')}\n`);
}

async function main() {
  const config = parseOptions(process.argv.slice(2));
  if (config.render !== undefined) {
    const record = JSON.parse(readFileSync(config.render, 'utf8'));
    delete record.summary; // recomputed
    await writeOutputs(record, config.out === resolve(benchDir) ? dirname(config.render) : config.out, false);
    return;
  }
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadStart = loadavg()[0];
  if (config.build && config.engines.includes('ours')) buildOurs();

  const workerBase = {
    dir: config.dir, keys: config.keys, keyBytes: config.keyBytes, valueBytes: config.valueBytes, batch: config.batch,
    syncKeys: config.syncKeys, writers: config.writers, largeKeys: config.largeKeys, largeValueBytes: config.largeValueBytes,
    mixedOps: config.mixedOps, mixedUsers: config.mixedUsers, prefixes: config.prefixes, seed: config.seed,
  };

  // Probe: an engine that does not install, load or pass a tiny round trip is skipped.
  /** @type {Record<string, { status: string, version?: string, settings?: string, reason?: string }>} */
  const engines = {};
  for (const engine of ENGINE_ORDER) {
    if (!config.engines.includes(engine)) {
      engines[engine] = { status: 'skipped', reason: 'not selected (--engines)' };
      continue;
    }
    const r = await runWorker({ ...workerBase, engine, phase: 'probe' }, 120_000);
    if (r.failed || r.error) {
      const reason = (r.error ?? 'failed').split('\n')[0].replace(/^Error: /, '');
      engines[engine] = { status: 'skipped', reason: r.failed ? r.error.split('\n').slice(0, 3).join(' ') : reason, ...(r.version ? { version: r.version } : {}) };
      log(`${engine}: SKIPPED (${engines[engine].reason})`);
    } else {
      engines[engine] = { status: 'ok', version: r.version, settings: r.settings };
      log(`${engine} ${r.version}: ok`);
    }
  }
  const active = ENGINE_ORDER.filter((e) => engines[e].status === 'ok');
  if (active.length === 0) throw new Error('no engine loaded');

  const fsyncsPerSec = fsyncRate(config.dir);
  log(`fdatasync rate in ${config.dir}: ${Math.round(fsyncsPerSec)}/s`);

  const phaseResults = [];
  const problems = [];
  for (let run = 1; run <= config.runs; run++) {
    for (const phase of config.phases) {
      const shift = (run - 1) % active.length;
      const order = [...active.slice(shift), ...active.slice(0, shift)];
      for (const engine of order) {
        log(`run ${run}/${config.runs}, phase ${phase}, ${engine}`);
        const loadAtStart = loadavg()[0];
        const r = await runWorker({ ...workerBase, engine, phase }, config.timeoutMs);
        r.run = run;
        r.loadAvg1 = [loadAtStart, loadavg()[0]];
        phaseResults.push(r);
        for (const message of r.problems ?? []) problems.push({ engine, phase, run, message });
        if (r.error) problems.push({ engine, phase, run, message: r.error.split('\n').slice(0, 8).join('\n') });
      }
    }
  }
  rmSync(config.dir, { recursive: true, force: true });

  const record = {
    schema: 1,
    startedAt,
    wallSeconds: (performance.now() - started) / 1000,
    commandLine: `node ${relative(repoRoot, join(benchDir, 'run.mjs'))} ${process.argv.slice(2).join(' ')}`.trim(),
    config: { ...config, dir: undefined, out: undefined },
    machine: {
      cpuModel: cpus()[0]?.model ?? 'unknown',
      cpus: cpus().length,
      memoryBytes: totalmem(),
      freeMemoryBytesAtStart: freemem(),
      platform: platform(),
      release: release(),
      dataDirDisplay: relative(repoRoot, config.dir) || config.dir,
      fsyncsPerSec,
      loadStart,
      loadEnd: loadavg()[0],
    },
    versions: { node: process.versions.node, git: gitDescription() },
    engineOrder: ENGINE_ORDER,
    engines,
    phaseResults,
    problems,
  };
  await writeOutputs(record, config.out, true);
  process.stdout.write(`(${Math.round(record.wallSeconds)} s)\n`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
