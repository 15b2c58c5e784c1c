#!/usr/bin/env node
// Scale check for @progress/domain (issue 6), on the real engine (LsmKvStore, synced commits):
//  1. load: N events over U users through the normal command path (CommandHandler.execute:
//     idempotency check, load state, decide, append with the expected version, one synced commit
//     per command), from C concurrent appenders (each owns U/C users and awaits each command, as
//     C CLI clients would; the engine's group commit lets concurrent commits share an fsync);
//  2. a one-month report for one user and a team report over all users (median of 5 each);
//  3. export to JSON Lines (a file), then import of that file into an empty store (timed), and
//     a check that exporting the imported store gives the same bytes (sha-256);
//  4. peak RSS (process maxRSS) after each phase.
//   node libs/domain/scripts/scale.mjs [--events 1000000] [--users 200] [--concurrency 50]
//        [--seed 1] [--dir /tmp/x] [--keep] [--generate]
// --generate skips step 1: the same commands are decided and folded in memory (pure decide and
// Folder, no store) into a JSON Lines file, which step 3 imports; step 2 then runs on the
// imported store (its projection rows are the ones the append path writes, tested byte for byte).
// Runs against the built package: npx nx run @progress/domain:build (builds @progress/lsm too).
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  CommandHandler, EventStore, Folder, LsmKvStore, decide, eventToJsonlLine, importJsonl, initialTeamState, initialUserState,
  jsonlLines, randomIds, systemClock, teamReport, userReport,
} from '../dist/index.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const EVENTS = Number(flag('events', 1_000_000));
const USERS = Number(flag('users', 200));
const CONCURRENCY = Math.min(USERS, Number(flag('concurrency', 50)));
const SEED = Number(flag('seed', 1));
const root = flag('dir', undefined) ?? mkdtempSync(join(tmpdir(), 'domain-scale-'));
const keep = args.includes('--keep');
const generateOnly = args.includes('--generate');
if (![EVENTS, USERS, CONCURRENCY, SEED].every(Number.isFinite) || EVENTS < 1 + 2 * USERS) throw new Error('bad flags: need --events >= 1 + 2 * --users');

const mib = (bytes) => `${(bytes / 1048576).toFixed(0)} MiB`;
const peakRss = () => process.resourceUsage().maxRSS * 1024;
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
/** CPU time (user + system) of this process since `since` (a process.cpuUsage() value): on a shared machine, wall time mostly measures the neighbours. */
const cpuSeconds = (since) => {
  const { user, system } = process.cpuUsage(since);
  return `${((user + system) / 1e6).toFixed(1)} s CPU`;
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** mulberry32: a small seeded PRNG, so a run's commands are reproducible (ids and clocks are not). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ZONES = ['Europe/Berlin', 'America/New_York', 'Pacific/Auckland', 'UTC', 'Asia/Tokyo'];
const METRICS = [['running', 'km'], ['reading', 'pages'], ['pushups', 'count']];
const DAY = 86_400_000;
const userId = (index) => `u${String(index).padStart(4, '0')}`;
const TEAM = 'everyone';

/** Commands of one user, generated as the previous ones are answered (amend/retract need entries). */
function* userCommands(index, quota, random, nowMs) {
  const id = userId(index);
  const meta = () => ({ commandId: randomIds.commandId(), actor: id });
  yield { ...meta(), kind: 'RegisterUser', userId: id, displayName: `User ${index}`, timeZone: ZONES[index % ZONES.length] };
  let entries = 0;
  const live = [];
  const amounts = new Map();
  const goals = new Set();
  for (let sent = 1; sent < quota; sent += 1) {
    const roll = random();
    if (roll < 0.06 && live.length > 0) {
      const entryId = live[Math.floor(random() * live.length)];
      const amount = (amounts.get(entryId) ?? 1) + 1;
      amounts.set(entryId, amount);
      yield { ...meta(), kind: 'AmendEntry', userId: id, entryId, changes: { amount } };
    } else if (roll < 0.09 && live.length > 0) {
      const at = Math.floor(random() * live.length);
      const [entryId] = live.splice(at, 1);
      yield { ...meta(), kind: 'RetractEntry', userId: id, entryId };
    } else if (roll < 0.1 && entries > 0) {
      const [metric] = METRICS[Math.floor(random() * METRICS.length)];
      if (goals.has(metric) || entries < 3) {
        sent -= 1;
        continue;
      }
      goals.add(metric);
      yield { ...meta(), kind: 'SetGoal', userId: id, metric, target: 10 + Math.floor(random() * 90), period: ['day', 'week', 'month'][Math.floor(random() * 3)] };
    } else {
      const [metric, unit] = METRICS[entries < 3 ? entries : Math.floor(random() * METRICS.length)];
      const amount = Math.round((1 + random() * 20) * 10) / 10;
      entries += 1;
      const entryId = `e${entries}`;
      live.push(entryId);
      amounts.set(entryId, amount);
      // spread over the last 400 days, so a month report has about 1/13 of a user's entries
      const occurredAt = new Date(nowMs - Math.floor(random() * 400 * DAY) - 60_000).toISOString();
      yield {
        ...meta(), kind: 'RecordProgress', userId: id, metric, amount, unit, occurredAt,
        ...(random() < 0.2 ? { note: 'felt good' } : {}), ...(random() < 0.1 ? { tags: ['outdoor'] } : {}),
      };
    }
  }
}

async function openStore(dir) {
  const kv = await LsmKvStore.open({ dir });
  return { kv, store: await EventStore.open(kv) };
}

async function load(store) {
  const handler = new CommandHandler(store, { clock: systemClock, ids: randomIds, maxAttempts: 10 });
  const counts = { events: 0, accepted: 0, rejected: 0, conflictsRetried: 0 };
  const nowMs = Date.now();
  const random = prng(SEED);
  // team stream: created first; members are added at the end by one admin, in sequence (all
  // appenders adding to one team stream at once only measures conflicts on that one stream)
  await handler.execute({ commandId: randomIds.commandId(), actor: userId(0), kind: 'CreateTeam', teamId: TEAM, name: 'Everyone' });
  counts.events += 1;
  const teamEvents = USERS; // one MemberAdded per user
  const perUser = Math.floor((EVENTS - 1 - teamEvents) / USERS);
  const extra = EVENTS - 1 - teamEvents - perUser * USERS;
  const seeds = Array.from({ length: USERS }, () => Math.floor(random() * 2 ** 31));
  const started = performance.now();
  let lastPrint = started;
  const run = async (command) => {
    const result = await handler.execute(command);
    if (result.status === 'accepted') {
      counts.accepted += 1;
      counts.events += result.events.length;
      counts.conflictsRetried += result.attempts - 1;
    } else if (result.status === 'rejected') counts.rejected += 1;
    const now = performance.now();
    if (now - lastPrint > 30_000) {
      lastPrint = now;
      const rate = counts.events / ((now - started) / 1000);
      console.log(`  ... ${counts.events} events, ${rate.toFixed(0)} events/s, peak RSS ${mib(peakRss())}`);
    }
    return result;
  };
  const appender = async (worker) => {
    for (let index = worker; index < USERS; index += CONCURRENCY) {
      const quota = perUser + (index < extra ? 1 : 0);
      const random = prng(seeds[index]);
      const commands = userCommands(index, quota, random, nowMs);
      let next = commands.next();
      const first = await run(next.value); // RegisterUser
      if (first.status !== 'accepted') throw new Error(`registering ${userId(index)}: ${JSON.stringify(first)}`);
      for (next = commands.next(); next.done !== true; next = commands.next()) {
        const result = await run(next.value);
        if (result.status === 'rejected') throw new Error(`rejected: ${JSON.stringify(result.rejection)} for ${JSON.stringify(next.value)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, worker) => appender(worker)));
  for (let index = 0; index < USERS; index += 1) {
    await run({ commandId: randomIds.commandId(), actor: userId(0), kind: 'AddMember', teamId: TEAM, userId: userId(index) });
  }
  return { ...counts, ms: performance.now() - started };
}

/** The same commands as `load`, decided and folded in memory, written as JSON Lines (round robin over users). */
async function generate(file) {
  const t0 = performance.now();
  const nowMs = Date.now();
  const random = prng(SEED);
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  const write = async (line) => {
    hash.update(line);
    if (!out.write(line)) await new Promise((resolve) => out.once('drain', resolve));
  };
  let events = 0;
  const apply = async (folder, stream, command, context = {}) => {
    const decision = decide(folder.state, command, systemClock.now(), randomIds, context);
    if (!decision.ok) throw new Error(`rejected: ${JSON.stringify(decision.rejection)} for ${JSON.stringify(command)}`);
    for (const event of decision.events) {
      folder.apply(event);
      events += 1;
      await write(eventToJsonlLine(stream, folder.state.version, event));
    }
  };
  const team = new Folder(initialTeamState(TEAM));
  const teamStream = { kind: 'team', id: TEAM };
  await apply(team, teamStream, { commandId: randomIds.commandId(), actor: userId(0), kind: 'CreateTeam', teamId: TEAM, name: 'Everyone' });
  const perUser = Math.floor((EVENTS - 1 - USERS) / USERS);
  const extra = EVENTS - 1 - USERS - perUser * USERS;
  const seeds = Array.from({ length: USERS }, () => Math.floor(random() * 2 ** 31));
  const users = Array.from({ length: USERS }, (_, index) => ({
    stream: { kind: 'user', id: userId(index) },
    folder: new Folder(initialUserState(userId(index))),
    commands: userCommands(index, perUser + (index < extra ? 1 : 0), prng(seeds[index]), nowMs),
  }));
  for (let live = users; live.length > 0; ) {
    const next = [];
    for (const user of live) {
      const step = user.commands.next();
      if (step.done === true) continue;
      await apply(user.folder, user.stream, step.value);
      next.push(user);
    }
    live = next;
  }
  for (let index = 0; index < USERS; index += 1) {
    await apply(team, teamStream, { commandId: randomIds.commandId(), actor: userId(0), kind: 'AddMember', teamId: TEAM, userId: userId(index) }, { isRegisteredUser: () => true });
  }
  await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
  return { ms: performance.now() - t0, lines: events, sha: hash.digest('hex'), bytes: statSync(file).size };
}

async function timeReports(store) {
  const settings = { timeZone: 'Europe/Berlin', weekStartsOn: 1, now: new Date().toISOString() };
  const one = [];
  const team = [];
  let userEntries = 0;
  let teamMembers = 0;
  for (let round = 0; round < 5; round += 1) {
    let t0 = performance.now();
    const report = await userReport(store, userId(7 % USERS), { period: { kind: 'month', offset: -1 }, settings });
    one.push(performance.now() - t0);
    userEntries = report.metrics.reduce((sum, metric) => sum + metric.count, 0);
    t0 = performance.now();
    const rollup = await teamReport(store, TEAM, { period: { kind: 'month', offset: -1 }, settings });
    team.push(performance.now() - t0);
    teamMembers = rollup.members.length;
  }
  return { one, team, userEntries, teamMembers };
}

async function exportTo(store, file) {
  const t0 = performance.now();
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  let lines = 0;
  for await (const line of jsonlLines(store)) {
    hash.update(line);
    lines += 1;
    if (!out.write(line)) await new Promise((resolve) => out.once('drain', resolve));
  }
  await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
  return { ms: performance.now() - t0, lines, sha: hash.digest('hex'), bytes: statSync(file).size };
}

async function exportHash(store) {
  const hash = createHash('sha256');
  for await (const line of jsonlLines(store)) hash.update(line);
  return hash.digest('hex');
}

async function printReports(store, label) {
  const reports = await timeReports(store);
  console.log(`report (${label}), one user, last month (${reports.userEntries} entries): median of 5 ${median(reports.one).toFixed(1)} ms [${reports.one.map((ms) => ms.toFixed(1)).join(', ')}]`);
  console.log(`report (${label}), team of ${reports.teamMembers} members, last month: median of 5 ${median(reports.team).toFixed(1)} ms [${reports.team.map((ms) => ms.toFixed(1)).join(', ')}]`);
}

console.log(`domain scale: ${EVENTS} events, ${USERS} users, ${CONCURRENCY} concurrent appenders, seed ${SEED}, dir ${root}`);
console.log(`node ${process.version}, LsmKvStore with syncWrites (every commit fsynced before it resolves)`);
try {
  const file = join(root, 'export.jsonl');
  let exported;
  if (generateOnly) {
    exported = await generate(file);
    console.log(`generate (no store): ${exported.lines} events, ${mib(exported.bytes)} of JSON Lines in ${seconds(exported.ms)}; peak RSS ${mib(peakRss())}`);
  } else {
    const source = await openStore(join(root, 'source'));
    const cpu = process.cpuUsage();
    const loaded = await load(source.store);
    console.log(`  load used ${cpuSeconds(cpu)} (${(((process.cpuUsage(cpu).user + process.cpuUsage(cpu).system) / 1000) / loaded.accepted).toFixed(2)} ms CPU per command)`);
    const stats = source.kv.db.stats?.();
    console.log(`load: ${loaded.events} events (${loaded.accepted} commands accepted, ${loaded.rejected} rejected, ${loaded.conflictsRetried} re-decided after a conflict) in ${seconds(loaded.ms)}: ${(loaded.events / (loaded.ms / 1000)).toFixed(0)} events/s; peak RSS ${mib(peakRss())}`);
    if (stats?.walSyncs !== undefined) console.log(`  WAL fsyncs: ${stats.walSyncs} for ${loaded.accepted} commits (group commit)`);
    await printReports(source.store, 'loaded store');
    exported = await exportTo(source.store, file);
    console.log(`export: ${exported.lines} lines, ${mib(exported.bytes)} in ${seconds(exported.ms)}; peak RSS ${mib(peakRss())}`);
    await source.kv.close();
  }

  const target = await openStore(join(root, 'target'));
  const t0 = performance.now();
  const cpu = process.cpuUsage();
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  const imported = await importJsonl(target.store, lines);
  const importMs = performance.now() - t0;
  console.log(`import: ${imported.imported} events into an empty store in ${seconds(importMs)}: ${(imported.imported / (importMs / 1000)).toFixed(0)} events/s, ${imported.commits} commits (atomic: ${imported.atomic}), ${cpuSeconds(cpu)}; peak RSS ${mib(peakRss())}`);
  if (generateOnly) await printReports(target.store, 'imported store');
  const again = await exportHash(target.store);
  console.log(`re-export of the imported store: ${again === exported.sha ? 'identical' : 'DIFFERENT'} (sha-256 ${again.slice(0, 16)}…)`);
  await target.kv.close();
  console.log(`peak RSS (maxRSS): ${mib(peakRss())}`);
  if (again !== exported.sha) process.exitCode = 1;
} finally {
  if (!keep) rmSync(root, { recursive: true, force: true });
}
