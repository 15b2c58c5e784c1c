#!/usr/bin/env node
// The event store on etcd beside the embedded engine, in one run, on this machine:
//   appends/s and p50/p99 latency of `record` commands (CommandHandler.execute) with 1 and 16
//   concurrent writers (each writer its own user), import events/s (JSON Lines, chunked within
//   the store's limits), and the time of a one-month team report (16 members, 30 days).
//
//   node libs/store-etcd/scripts/bench.mjs [--seconds 5] [--writers 16] [--per-day 5] [--json out.json] [--no-build]
//
// It builds @progress/store-etcd and its dependencies first (nx, cached), starts its own 3-member
// etcd cluster on random loopback ports (scripts/etcd-cluster.sh; etcd-server is installed with
// apt-get when missing), and stops it and removes every temporary directory at the end.
// Both stores are durable: the embedded engine fsyncs each commit (syncWrites), etcd answers
// after a majority has fsynced its log. On one machine the 3 etcd members, the client and the
// benchmark share the CPU: the etcd figures are a floor, good for comparison.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    writers: { type: 'string', default: '16' },
    'per-day': { type: 'string', default: '5' },
    json: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});
const SECONDS = Number(args.seconds);
const WRITERS = Number(args.writers);
const PER_DAY = Number(args['per-day']);

if (!args['no-build']) {
  process.stderr.write('building @progress/store-etcd and its dependencies (nx, cached)…\n');
  execFileSync('npx', ['nx', 'run', '@progress/store-etcd:build', '--output-style=static'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

const domain = await import('@progress/domain');
const { EtcdKvStore } = await import('@progress/store-etcd');
const { startEtcdCluster } = await import('@progress/store-etcd/testing');
const {
  CommandHandler, EventStore, LsmKvStore, decide, eventToJsonlLine, evolveAll, importJsonl, initialTeamState, initialUserState,
  instantFromEpochMs, parseInstant, parseMetricName, parseTeamId, parseUserId, randomIds, sequentialIds, systemClock, teamReport,
  unwrap, userReport,
} = domain;

const log = (line) => process.stderr.write(`${line}\n`);
let commandCounter = 0;
const commandId = () => `bench-${process.pid}-${(commandCounter += 1)}`;
const user = (id) => unwrap(parseUserId(id));
const team = (id) => unwrap(parseTeamId(id));
const running = unwrap(parseMetricName('running'));
const register = (id) => ({ kind: 'RegisterUser', commandId: commandId(), actor: user(id), userId: user(id), displayName: id, timeZone: 'Europe/Berlin' });
const record = (id, amount, occurredAt) => ({
  kind: 'RecordProgress', commandId: commandId(), actor: user(id), userId: user(id), metric: running, amount, unit: 'km',
  ...(occurredAt === undefined ? {} : { occurredAt }),
});

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** `writers` loops of record commands, each on its own user, for SECONDS; one handler per writer. */
async function appends(openWriter, writers, label) {
  const handlers = [];
  for (let i = 0; i < writers; i += 1) {
    const handler = await openWriter(i);
    const name = `${label}-w${i}`;
    await handler.execute(register(name));
    handlers.push({ handler, name });
  }
  const latencies = [];
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  let failures = 0;
  await Promise.all(handlers.map(async ({ handler, name }) => {
    for (let n = 1; performance.now() < deadline; n += 1) {
      const t0 = performance.now();
      try {
        const result = await handler.execute(record(name, (n % 50) + 1));
        if (result.status !== 'accepted') throw new Error(result.status);
        latencies.push(performance.now() - t0);
      } catch (error) {
        failures += 1;
        if (failures > 100) throw error;
      }
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), count: latencies.length, failures };
}

/** A team of WRITERS members with PER_DAY entries each for 28 days (February 2026) as JSON Lines. */
function teamMonthJsonl() {
  // decided and folded in memory (the pure model), written out in the order decided
  const ids = sequentialIds(7);
  const now = unwrap(parseInstant('2026-03-10T12:00:00.000Z'));
  const lines = [];
  const states = new Map();
  const apply = (stream, state, command, context = {}) => {
    const decision = decide(state, command, now, ids, context);
    if (!decision.ok) throw new Error(`${command.kind}: ${decision.rejection.message}`);
    decision.events.forEach((event, index) => lines.push(eventToJsonlLine(stream, state.version + index + 1, event)));
    return evolveAll(state, decision.events);
  };
  const members = Array.from({ length: WRITERS }, (_, i) => `member${i}`);
  for (const id of members) states.set(id, apply({ kind: 'user', id: user(id) }, initialUserState(user(id)), register(id)));
  const crew = { kind: 'team', id: team('crew') };
  let teamState = apply(crew, initialTeamState(team('crew')), { kind: 'CreateTeam', commandId: commandId(), actor: user('member0'), teamId: team('crew'), name: 'Crew' });
  for (const id of members) {
    teamState = apply(crew, teamState, { kind: 'AddMember', commandId: commandId(), actor: user('member0'), teamId: team('crew'), userId: user(id) }, { isRegisteredUser: () => true });
  }
  const start = Date.parse('2026-02-01T06:00:00.000Z');
  for (let day = 0; day < 28; day += 1) {
    for (const id of members) {
      for (let k = 0; k < PER_DAY; k += 1) {
        const command = record(id, (k % 9) + 1, instantFromEpochMs(start + day * 86_400_000 + k * 600_000));
        states.set(id, apply({ kind: 'user', id: user(id) }, states.get(id), command));
      }
    }
  }
  return { text: lines.join(''), events: lines.length };
}

async function importAndReport(store, jsonl) {
  const t0 = performance.now();
  const report = await importJsonl(store, jsonl.text);
  const importSeconds = (performance.now() - t0) / 1000;
  const settings = { timeZone: 'Europe/Berlin', weekStartsOn: 1, now: unwrap(parseInstant('2026-03-10T12:00:00.000Z')) };
  const request = { period: { kind: 'month', containing: '2026-02-15' }, settings };
  const times = [];
  let totals;
  for (let i = 0; i < 5; i += 1) {
    const t1 = performance.now();
    const result = await teamReport(store, team('crew'), request);
    times.push(performance.now() - t1);
    totals = result;
  }
  if (totals === null || totals === undefined) throw new Error('team report missing');
  const userTimes = [];
  for (let i = 0; i < 5; i += 1) {
    const t1 = performance.now();
    await userReport(store, user('member1'), request);
    userTimes.push(performance.now() - t1);
  }
  times.sort((a, b) => a - b);
  userTimes.sort((a, b) => a - b);
  return {
    importEventsPerSecond: report.imported / importSeconds, importCommits: report.commits, atomic: report.atomic,
    teamReportMs: percentile(times, 50), userReportMs: percentile(userTimes, 50),
  };
}

const temp = [];
const tempDir = (prefix) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temp.push(dir);
  return dir;
};

const results = {};
const loadBefore = loadavg()[0];
let cluster;
try {
  log(`preparing a team month: ${WRITERS} members × 28 days × ${PER_DAY} entries…`);
  const jsonl = teamMonthJsonl();
  log(`${jsonl.events} events, ${(jsonl.text.length / 1e6).toFixed(1)} MB of JSON Lines`);

  // ---- embedded engine: one process owns the directory; all writers share the store
  {
    const open = async () => LsmKvStore.open({ dir: tempDir('bench-lsm-') });
    const row = {};
    for (const writers of [1, WRITERS]) {
      const kv = await open();
      const store = await EventStore.open(kv);
      const handler = new CommandHandler(store, { clock: systemClock, ids: randomIds });
      log(`embedded: ${writers} writer(s), ${SECONDS} s…`);
      row[`w${writers}`] = await appends(async () => handler, writers, 'lsm');
      await kv.close();
    }
    const kv = await open();
    log('embedded: import and reports…');
    Object.assign(row, await importAndReport(await EventStore.open(kv), jsonl));
    await kv.close();
    results.embedded = row;
  }

  // ---- etcd: 3 members on loopback; each writer its own client (as separate CLI processes)
  {
    log('starting a 3-member etcd cluster…');
    cluster = await startEtcdCluster();
    const row = {};
    const clients = [];
    const client = (namespace) => {
      const kv = new EtcdKvStore({ hosts: cluster.endpoints, namespace });
      clients.push(kv);
      return kv;
    };
    for (const writers of [1, WRITERS]) {
      log(`etcd: ${writers} writer(s), ${SECONDS} s…`);
      row[`w${writers}`] = await appends(async () => new CommandHandler(await EventStore.open(client(`bench-w${writers}/`)), { clock: systemClock, ids: randomIds }), writers, 'etcd');
    }
    log('etcd: import and reports…');
    Object.assign(row, await importAndReport(await EventStore.open(client('bench-import/')), jsonl));
    row.requests = clients.reduce((sum, kv) => ({
      reads: sum.reads + kv.stats.reads, commits: sum.commits + kv.stats.commits, resentUnsent: sum.resentUnsent + kv.stats.commitsResentUnsent,
      unknown: sum.unknown + kv.stats.commitsUnknown, readsRetried: sum.readsRetried + kv.stats.readsRetried,
    }), { reads: 0, commits: 0, resentUnsent: 0, unknown: 0, readsRetried: 0 });
    await Promise.all(clients.map((kv) => kv.close()));
    results.etcd = row;
  }
} finally {
  await cluster?.stop();
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
}

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-');
const table = [
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${loadBefore.toFixed(1)} before / ${loadavg()[0].toFixed(1)} after; ` +
    `${SECONDS} s per append run; team month = ${WRITERS} members × 28 days × ${PER_DAY} entries (the import file).`,
  '',
  '| store | appends/s, 1 writer | p50 / p99 ms | appends/s, ' + WRITERS + ' writers | p50 / p99 ms | import events/s (commits) | team month report ms | user month report ms |',
  '|---|---|---|---|---|---|---|---|',
  ...Object.entries(results).map(([name, r]) => {
    const one = r.w1;
    const many = r[`w${WRITERS}`];
    return `| ${name === 'etcd' ? 'etcd, 3 members (loopback)' : 'embedded (libs/lsm)'} | ${fmt(one.perSecond)} | ${fmt(one.p50, 1)} / ${fmt(one.p99, 1)} | ${fmt(many.perSecond)} | ${fmt(many.p50, 1)} / ${fmt(many.p99, 1)} | ${fmt(r.importEventsPerSecond)} (${r.importCommits}${r.atomic ? ', atomic' : ''}) | ${fmt(r.teamReportMs, 1)} | ${fmt(r.userReportMs, 1)} |`;
  }),
];
process.stdout.write(`${table.join('\n')}\n`);
if (results.etcd?.requests) log(`etcd requests during the run (all phases): ${JSON.stringify(results.etcd.requests)}`);
if (args.json) writeFileSync(args.json, `${JSON.stringify(results, null, 2)}\n`);
