// Goal: on a corrupted store every `progress` command that touches the damage exits 4 with one
// `error:` line naming the damaged file, and changes no byte of any file (progress never repairs).
// Damage found at open (SST footer/properties, MANIFEST, CURRENT, WAL): every command fails and
// every file stays byte-identical. Damage in an SST data block is found only when that block is
// read: `db verify` must fail, other commands may succeed, and the damaged table must never be
// rewritten or removed (the writable open before it may have started a fresh MANIFEST and WAL).
// Method: a demo store (several SSTs) and a copy with live WAL records (written in-process with
// the event store and copied while open, as a crash would leave it); per case a copy is damaged:
// a byte flipped in an SST's footer, in its properties block (both read at open) and in a data
// block (read lazily), the MANIFEST truncated, CURRENT naming a missing MANIFEST / holding
// garbage / empty, 16 random bytes in the middle of a WAL with valid records after them. Every
// file is hashed before and after each command. SEED= picks the offsets.
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandHandler, EventStore, LsmKvStore, randomIds, systemClock } from '@progress/domain';
import type { Command } from '@progress/domain';
import { ok, pool, runCli, sandbox, STACK_TRACE } from '../e2e/helpers.js';
import type { Sandbox } from '../e2e/helpers.js';
import { createRng, diffHashes, figures, hashDir, suiteSeed } from './harness.js';
import type { Rng } from './harness.js';

const SEED = suiteSeed();

interface Damage {
  readonly name: string;
  /** The file the message must name (basename). */
  readonly file: string;
  /** true: every command must fail; false: only full reads must (the damage is read lazily). */
  readonly everyCommand: boolean;
  readonly fromWalFixture?: boolean;
  apply(dir: string): void;
}

let box: Sandbox;
let base: string;
let walBase: string;
let importFile: string;
let casesRun = 0;
let commandsRun = 0;

function newest(dir: string, suffix: string): string {
  const names = readdirSync(dir).filter((name) => name.endsWith(suffix)).sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size);
  const name = names[0];
  if (name === undefined) throw new Error(`no ${suffix} in ${dir}`);
  return name;
}

function flip(path: string, offset: number, rng: Rng): void {
  const bytes = readFileSync(path);
  bytes[offset] = (bytes[offset] as number) ^ (1 + rng.int(255));
  writeFileSync(path, bytes);
}

function fixed64(bytes: Buffer, at: number): number {
  return Number(bytes.readBigUInt64LE(at));
}

function damages(rng: Rng): Damage[] {
  const sst = newest(base, '.sst'); // the largest table: the demo import
  const manifest = readdirSync(base).find((name) => name.startsWith('MANIFEST-')) ?? 'MANIFEST-?';
  const wal = newest(walBase, '.wal');
  return [
    {
      name: 'SST footer byte flipped', file: sst, everyCommand: true,
      apply: (dir) => {
        const size = statSync(join(dir, sst)).size;
        flip(join(dir, sst), size - 64 + rng.int(64), rng);
      },
    },
    {
      name: 'SST properties block byte flipped', file: sst, everyCommand: true,
      apply: (dir) => {
        const bytes = readFileSync(join(dir, sst));
        const footer = bytes.length - 64;
        const offset = fixed64(bytes, footer + 32);
        const size = fixed64(bytes, footer + 40);
        flip(join(dir, sst), offset + rng.int(size), rng);
      },
    },
    {
      name: 'SST data block byte flipped', file: sst, everyCommand: false,
      apply: (dir) => {
        const bytes = readFileSync(join(dir, sst));
        const dataEnd = fixed64(bytes, bytes.length - 64 + 16); // the filter block follows the data blocks
        flip(join(dir, sst), rng.int(dataEnd), rng);
      },
    },
    {
      name: 'MANIFEST truncated', file: manifest, everyCommand: true,
      apply: (dir) => truncateSync(join(dir, manifest), 1 + rng.int(statSync(join(dir, manifest)).size - 1)),
    },
    { name: 'CURRENT names a missing MANIFEST', file: 'MANIFEST-999999', everyCommand: true, apply: (dir) => writeFileSync(join(dir, 'CURRENT'), 'MANIFEST-999999\n') },
    {
      name: 'CURRENT holds garbage', file: 'CURRENT', everyCommand: true,
      apply: (dir) => writeFileSync(join(dir, 'CURRENT'), Buffer.from(Array.from({ length: 1 + rng.int(20) }, () => rng.int(256)).filter((b) => b !== 10))),
    },
    { name: 'CURRENT empty', file: 'CURRENT', everyCommand: true, apply: (dir) => writeFileSync(join(dir, 'CURRENT'), '') },
    {
      name: 'WAL garbage in the middle', file: wal, everyCommand: true, fromWalFixture: true,
      apply: (dir) => {
        const path = join(dir, wal);
        const bytes = readFileSync(path);
        // inside the first half of the records, so whole valid records follow the damage
        const at = 16 + Math.floor((bytes.length - 16) * (0.15 + rng() * 0.3));
        for (let index = 0; index < 16; index += 1) bytes[at + index] = rng.int(256);
        writeFileSync(path, bytes);
      },
    },
  ];
}

/** Every store command; each case runs the first four and three more in rotation. */
function commands(caseIndex: number, dir: string): string[][] {
  const always = [['status'], ['log', 'running', '1', '--note', 'after damage'], ['export'], ['db', 'verify']];
  const rest = [
    ['history', '--user', 'ada', '--limit', '0', '--json'], ['goal', 'set', 'running', '9', '--per', 'week'], ['amend', 'e1', '--amount', '2'],
    ['retract', 'e2', '--reason', 'x'], ['undo'], ['report', '--user', 'ada', '--period', 'month'], ['team', 'list'], ['user', 'list'],
    ['db', 'stats'], ['db', 'compact'], ['rebuild'], ['import', importFile], ['db', 'backup', join(dir, '..', `backup-${caseIndex}.bin`)],
    ['user', 'add', 'zoe'], ['team', 'add', 'core', 'tester'],
  ];
  return [...always, ...[0, 1, 2].map((j) => rest[(caseIndex * 3 + j) % rest.length] as string[])];
}

/** Builds the WAL fixture: commits through the event store, copied while the store is open. */
async function buildWalFixture(source: string, target: string): Promise<void> {
  const work = `${target}-work`;
  cpSync(source, work, { recursive: true });
  const kv = await LsmKvStore.open({ dir: work });
  try {
    const store = await EventStore.open(kv);
    const handler = new CommandHandler(store, { clock: systemClock, ids: randomIds });
    for (let index = 0; index < 8; index += 1) {
      const command = {
        kind: 'RecordProgress', commandId: randomIds.commandId(), actor: 'ada', userId: 'ada', metric: 'running', amount: 1 + index,
        note: `wal record ${index}`,
      } as Command;
      const result = await handler.execute(command);
      if (result.status !== 'accepted') throw new Error(`fixture command ${index}: ${result.status}`);
    }
    cpSync(work, target, { recursive: true, filter: (path) => !path.endsWith('/LOCK') });
  } finally {
    await kv.close();
  }
}

beforeAll(async () => {
  box = sandbox('rel-corrupt');
  base = join(box.root, 'base');
  await ok(['demo', '--db', base, '--days', '45', '--json'], box);
  await ok(['log', 'running', '5', '--db', base], box);
  await ok(['log', 'running', '6', '--db', base], box);
  importFile = join(box.root, 'one.jsonl');
  const at = '2026-01-05T08:00:00.000Z';
  const registered = {
    actor: 'imp', commandId: '0b7e6a52-3c1f-4d2a-9b8e-1f2a3b4c5d6e', data: { displayName: 'imp', userId: 'imp' },
    eventId: '5f0c2d1e-7a8b-4c9d-8e1f-2a3b4c5d6e7f', occurredAt: at, recordedAt: at, schemaVersion: 1, timeZone: 'UTC', type: 'UserRegistered',
  };
  writeFileSync(importFile, `${JSON.stringify({ event: registered, stream: 'user:imp', version: 1 })}\n`);
  walBase = join(box.root, 'walbase');
  await buildWalFixture(base, walBase);
  const walSize = statSync(join(walBase, newest(walBase, '.wal'))).size;
  expect(walSize, 'the WAL fixture holds records').toBeGreaterThan(1000);
  await ok(['db', 'verify', '--db', base], box);
}, 300_000);

afterAll(() => {
  if (box !== undefined) rmSync(box.root, { recursive: true, force: true });
  figures('corrupted stores', `${casesRun} damage cases, ${commandsRun} commands run on them (SEED=${SEED})`);
});

describe(`corrupted store: exit 4, the file named, no byte changed (SEED=${SEED})`, () => {
  it('every damage case', async () => {
    console.log(`cli-corruption SEED=${SEED}`);
    const rng = createRng(SEED);
    const cases = damages(rng);
    const problems: string[] = [];
    await pool(cases.map((damage, caseIndex) => async () => {
      const dir = join(box.root, `case-${caseIndex}`);
      cpSync(damage.fromWalFixture === true ? walBase : base, dir, { recursive: true });
      damage.apply(dir);
      const damaged = hashDir(dir);
      for (const args of commands(caseIndex, dir)) {
        // a lazily read damage lets commands that never read it succeed (and write): fresh copy each
        const target = damage.everyCommand ? dir : `${dir}-${args.join('-').replace(/[^a-z0-9-]/g, '')}`;
        if (target !== dir) cpSync(dir, target, { recursive: true });
        const before = hashDir(target);
        const damagedBytes = before.get(damage.file);
        const result = await runCli([...args, '--db', target], box, { env: { PROGRESS_LOCK_TIMEOUT_MS: '100' } });
        commandsRun += 1;
        const where = `${damage.name}: progress ${args.join(' ')}`;
        const fullRead = args[0] === 'db' && args[1] === 'verify'; // export reads events only, not projection rows
        if (result.code === 0 && !damage.everyCommand && !fullRead) continue;
        const lines = result.stderr.split('\n').filter((line) => line !== '');
        const errorLines = lines.filter((line) => line.startsWith('error:'));
        if (result.code !== 4) problems.push(`${where}: exit ${String(result.code)} (expected 4): ${result.stderr.trim()}`);
        else if (errorLines.length !== 1 || lines[0] !== errorLines[0]) problems.push(`${where}: not one "error:" line first: ${result.stderr.trim()}`);
        else if (!(errorLines[0] as string).includes(damage.file)) problems.push(`${where}: the message does not name ${damage.file}: ${errorLines[0] as string}`);
        else if (lines.length > 2 || STACK_TRACE.test(result.stderr)) problems.push(`${where}: more than the error and hint lines: ${result.stderr.trim()}`);
        const afterHashes = hashDir(target);
        if (damage.everyCommand) {
          const changed = diffHashes(before, afterHashes);
          if (changed.length > 0) problems.push(`${where}: files changed: ${changed.join(', ')}`);
        } else if (afterHashes.get(damage.file) !== damagedBytes) {
          // found only when read, after a writable open started a fresh MANIFEST and WAL (same
          // content): the damaged table itself must stay as it was (never rewritten or removed)
          problems.push(`${where}: the damaged ${damage.file} was changed or removed`);
        }
        if (args[1] === 'backup' && existsSync(args[2] as string)) problems.push(`${where}: a backup file was left behind`);
      }
      expect(diffHashes(damaged, hashDir(dir))).toEqual([]);
      casesRun += 1;
    }), 2);
    expect(problems, `SEED=${SEED}`).toEqual([]);
    expect(casesRun).toBe(cases.length);
  }, 900_000);
});
