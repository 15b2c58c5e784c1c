// Goal: a process killed with SIGKILL at a random instant leaves a store that the next process
// opens without manual cleanup (LOCK included), with every acknowledged commit whole and each
// writer's in-flight commit all-or-nothing (RELIABILITY T5, issue 3).
// Method: a child process (testing/crash-child.ts, bundled with esbuild) runs 4 synced writers
// and prints BEGIN/ACK lines; the parent kills it 20-800 ms after it opened, then opens the store
// itself and compares each writer's keys with its model. The store accumulates across cycles.
// CYCLES sets the number of cycles (REL tier: 200); SEED reruns.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../index.js';
import { createPrng } from '../testing/seeded-prng.js';
import { bundleForChild } from '../testing/bundle.test-util.js';

const seed = Number(process.env['SEED'] ?? Date.now() % 2 ** 31);
const cycles = Number(process.env['CYCLES'] ?? 20);
const dec = new TextDecoder();
type Writes = [string, string | null][];

let child = '';
let dir = '';
beforeAll(async () => {
  child = await bundleForChild(fileURLToPath(new URL('../testing/crash-child.ts', import.meta.url)));
  dir = mkdtempSync(join(tmpdir(), 'lsm-kill9-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface CycleLog {
  acked: Map<number, Writes[]>;
  inFlight: Map<number, Writes>;
}

function runChild(cycleSeed: number, killAfterMs: number): Promise<CycleLog> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, dir, String(cycleSeed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const log: CycleLog = { acked: new Map(), inFlight: new Map() };
    let buffer = '';
    let stderr = '';
    let opened = false;
    const watchdog = setTimeout(() => {
      if (!opened) {
        proc.kill('SIGKILL');
        reject(new Error(`child did not open the store within 20 s: ${stderr}`));
      }
    }, 20_000);
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line === 'OPEN') {
          opened = true;
          clearTimeout(watchdog);
          setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
        }
        else if (line.startsWith('BEGIN ')) {
          const [, id, json] = /^BEGIN (\d+) (.*)$/.exec(line) ?? [];
          log.inFlight.set(Number(id), JSON.parse(json ?? '[]') as Writes);
        } else if (line.startsWith('ACK ')) {
          const id = Number(line.slice(4));
          const writes = log.inFlight.get(id);
          if (writes === undefined) return reject(new Error(`ACK without BEGIN for writer ${id}`));
          log.inFlight.delete(id);
          log.acked.set(id, [...(log.acked.get(id) ?? []), writes]);
        }
      }
    });
    proc.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code ?? signal}: ${stderr}`));
      else resolve(log);
    });
  });
}

function applied(base: Map<string, string>, commits: Writes[]): Map<string, string> {
  const out = new Map(base);
  for (const writes of commits) {
    for (const [key, value] of writes) {
      if (value === null) out.delete(key);
      else out.set(key, value);
    }
  }
  return out;
}

function writerState(all: Map<string, string>, id: number): Map<string, string> {
  return new Map([...all].filter(([key]) => key.startsWith(`w${id}:`)));
}

function same(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

describe(`kill -9 during synced writes (seed ${seed}, ${cycles} cycles)`, () => {
  it('reopens every time with every acknowledged commit whole', { timeout: 900_000 }, async () => {
    const prng = createPrng(seed);
    const model = new Map<number, Map<string, string>>([0, 1, 2, 3].map((id) => [id, new Map()]));
    let ackedTotal = 0;
    for (let cycle = 0; cycle < cycles; cycle++) {
      const killAfterMs = 20 + prng.nextInt(780);
      const log = await runChild(seed + cycle, killAfterMs);
      const db = await openDb({ dir, valueThresholdBytes: 128 });
      const state = await db.view((txn) => new Map([...txn.iterate()].map((i) => [dec.decode(i.key), dec.decode(i.value)])));
      await db.close();
      for (const id of [0, 1, 2, 3]) {
        const base = model.get(id) ?? new Map<string, string>();
        const acked = applied(base, log.acked.get(id) ?? []);
        ackedTotal += (log.acked.get(id) ?? []).length;
        const flight = log.inFlight.get(id);
        const withFlight = flight === undefined ? acked : applied(acked, [flight]);
        const actual = writerState(state, id);
        const ok = same(actual, acked) || same(actual, withFlight);
        expect(ok, `cycle ${cycle} (SEED=${seed}), writer ${id}, killed after ${killAfterMs} ms: state is neither the acknowledged model nor it plus the in-flight commit`).toBe(true);
        model.set(id, actual);
      }
    }
    console.log(`kill -9: ${cycles} cycles, ${ackedTotal} acknowledged commits verified`);
    expect(ackedTotal).toBeGreaterThan(0);
  });
});
