#!/usr/bin/env node
// CLI latency: median wall time of `progress log`, `progress status` and a one-month
// `progress report` on a store with 100,000 events, against bare `node -e ''`, measured in the
// same run on the same machine (interleaved rounds, so background load hits all alike). Each child
// also reports its own CPU time (user + system: `progress` with PROGRESS_TIMING=1, node through
// process.cpuUsage()), which a loaded machine inflates much less than wall time.
//
//   node test/bench/cli-latency.mjs [--runs 15] [--users 100] [--events-per-user 1000] [--fresh]
//
// Needs the built CLI (npx nx run @progress/cli:build). The store is generated once (events made
// directly as JSON Lines, imported with `progress import`) and cached in $TMPDIR.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const RUNS = option('runs', 15);
const USERS = option('users', 100);
const PER_USER = option('events-per-user', 1000);
const TOTAL = USERS * PER_USER;
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(repo, 'apps/progress-cli/bin/progress.js');
const root = join(tmpdir(), `progress-bench-${USERS}x${PER_USER}`);
const db = join(root, 'store');
const env = { ...process.env, PROGRESS_TIMING: '1', PROGRESS_DB: db, XDG_CONFIG_HOME: join(root, 'config'), XDG_DATA_HOME: join(root, 'data'), TZ: 'UTC', NO_COLOR: '1', PROGRESS_LOCK_TIMEOUT_MS: '60000' };

function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function generate(file) {
  const start = Date.UTC(2025, 0, 1, 7);
  const lines = [];
  for (let user = 0; user < USERS; user += 1) {
    const userId = `u${String(user).padStart(3, '0')}`;
    const at = (ms) => new Date(ms).toISOString();
    const envelope = (type, ms, data) => ({ actor: userId, commandId: randomUUID(), data, eventId: randomUUID(), occurredAt: at(ms), recordedAt: at(ms + 1000), schemaVersion: type === 'ProgressRecorded' ? 2 : 1, timeZone: 'UTC', type });
    lines.push(canonical({ event: envelope('UserRegistered', start - 86_400_000, { displayName: `User ${user}`, userId }), stream: `user:${userId}`, version: 1 }));
    for (let index = 1; index < PER_USER; index += 1) {
      const ms = start + Math.floor((index * 365 * 86_400_000) / PER_USER);
      const data = { amount: 1 + (index % 9), entryId: `e${index}`, metric: index % 3 === 0 ? 'reading' : 'running', note: null, tags: [], unit: index % 3 === 0 ? 'pages' : 'km' };
      lines.push(canonical({ event: envelope('ProgressRecorded', ms, data), stream: `user:${userId}`, version: index + 1 }));
    }
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

function timed(argv) {
  const before = process.hrtime.bigint();
  const result = spawnSync(process.execPath, argv, { env, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - before) / 1e6;
  return { result, wall };
}

const cpuOf = (stderr) => Number(/total: ([\d.]+) ms cpu/.exec(stderr)?.[1] ?? NaN);

function cli(argv) {
  const { result, wall } = timed([bin, ...argv]);
  if (result.status !== 0) throw new Error(`progress ${argv.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { wall, cpu: cpuOf(result.stderr) };
}

function bare() {
  const { result, wall } = timed(['-e', "const u = process.cpuUsage(); process.stderr.write(`total: ${(u.user + u.system) / 1000} ms cpu`)"]);
  return { wall, cpu: cpuOf(result.stderr) };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

if (args.includes('--fresh')) rmSync(root, { recursive: true, force: true });
if (!existsSync(join(db, 'CURRENT'))) {
  mkdirSync(root, { recursive: true });
  const file = join(root, 'events.jsonl');
  console.log(`generating ${TOTAL} events (${USERS} users x ${PER_USER}) in ${file}`);
  generate(file);
  const importMs = cli(['import', file]).wall;
  console.log(`imported in ${(importMs / 1000).toFixed(1)} s`);
  cli(['db', 'compact']);
}

// The month of the generated data with the most entries of u000 (the generator spreads 1,000
// entries over 2025): a one-month report reads that month's projection rows.
const REPORT = ['report', '--user', 'u000', '--from', '2025-03-01', '--to', '2025-03-31'];
const commands = { status: ['status', '--user', 'u000'], log: ['log', 'running', '1', '--user', 'u000'], report: REPORT };
for (const argv of Object.values(commands)) cli(argv); // warm-up (and the code cache, bin/progress.js)
const times = { node: [], status: [], log: [], report: [] };
const cpu = { node: [], status: [], log: [], report: [] };
for (let run = 0; run < RUNS; run += 1) {
  const node = bare();
  times.node.push(node.wall);
  cpu.node.push(node.cpu);
  for (const [name, argv] of Object.entries(commands)) {
    const measured = cli(argv);
    times[name].push(measured.wall);
    cpu[name].push(measured.cpu);
  }
}
const base = median(times.node);
const cpuBase = median(cpu.node);
console.log(`store: ${TOTAL} events (${USERS} users x ${PER_USER}), ${RUNS} interleaved runs, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (const [name, values] of Object.entries(times)) {
  const label = name === 'node' ? "node -e ''" : name === 'report' ? 'progress report (1 month)' : `progress ${name}`;
  const ratio = (value, of) => (name === 'node' ? '' : `${(value / of).toFixed(2)}x node`);
  console.log(
    `${label.padEnd(26)} wall median ${median(values).toFixed(0).padStart(5)} ms  min ${Math.min(...values).toFixed(0).padStart(5)} ms  ${ratio(median(values), base).padEnd(9)}` +
      `   cpu median ${median(cpu[name]).toFixed(0).padStart(4)} ms  ${ratio(median(cpu[name]), cpuBase)}`,
  );
}
