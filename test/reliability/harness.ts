/**
 * Shared pieces of the CLI reliability suite: a seeded generator, the fault preload (see
 * fault-preload.mjs), byte-exact hashes of a store directory, and the store's events read back
 * in-process with the engine and the event store (the same code `progress export` runs).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventStore, exportJsonl, LsmKvStore } from '@progress/domain';

export const PRELOAD = resolve(dirname(fileURLToPath(import.meta.url)), 'fault-preload.mjs');

/** NODE_OPTIONS that load the fault preload into a spawned `progress`. */
export function preloadOptions(): string {
  return `--import ${PRELOAD}`;
}

/** The suite's seed: SEED= or a fresh one; always printed by the caller. */
export function suiteSeed(): number {
  const raw = process.env.SEED;
  if (raw !== undefined && raw !== '') {
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`SEED=${raw} is not a non-negative integer`);
    return value >>> 0;
  }
  return Math.floor(Math.random() * 2 ** 31);
}

/** A size from the environment (e.g. REL_CLI_KILL_CYCLES) or its default. */
export function sizeFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name}=${raw} is not a positive integer`);
  return value;
}

export interface Rng {
  (): number;
  int(below: number): number;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: small, seedable, good enough to choose test cases. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng = next as Rng;
  rng.int = (below) => Math.floor(next() * below);
  rng.pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(next() * items.length)] as T;
  };
  return rng;
}

/** A lower-case v4-shaped UUID from the generator (reproducible under SEED=). */
export function seededUuid(rng: Rng): string {
  const hex = Array.from({ length: 32 }, () => rng.int(16).toString(16));
  hex[12] = '4';
  hex[16] = (8 + rng.int(4)).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** name -> SHA-256 of every file in `dir` (sorted by name); missing dir is empty. */
export function hashDir(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    out.set(name, createHash('sha256').update(readFileSync(path)).digest('hex'));
  }
  return out;
}

/** Differences between two hashDir results, as readable lines (empty: byte-identical). */
export function diffHashes(before: Map<string, string>, after: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const [name, hash] of before) {
    const now = after.get(name);
    if (now === undefined) lines.push(`${name} deleted`);
    else if (now !== hash) lines.push(`${name} changed`);
  }
  for (const name of after.keys()) if (!before.has(name)) lines.push(`${name} created`);
  return lines;
}

export interface ExportedEvent {
  readonly stream: string;
  readonly version: number;
  readonly event: {
    readonly eventId: string;
    readonly commandId: string;
    readonly type: string;
    readonly data: Readonly<Record<string, unknown>>;
  };
}

/** Parses JSON Lines as `progress export` writes them. */
export function parseJsonl(text: string): ExportedEvent[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ExportedEvent);
}

/**
 * Every event of the store, in export order, read in this process with the engine opened
 * read-only (no lock, nothing written). The store must already carry the event-store format
 * marker (any successful `progress` command writes it). A store without CURRENT has no events.
 */
export async function readEvents(dir: string): Promise<{ text: string; events: ExportedEvent[] }> {
  if (!existsSync(join(dir, 'CURRENT'))) return { text: '', events: [] };
  const kv = await LsmKvStore.open({ dir, readOnly: true });
  try {
    const store = await EventStore.open(kv);
    const text = await exportJsonl(store);
    return { text, events: parseJsonl(text) };
  } finally {
    await kv.close();
  }
}

/** One line for the CI log that the lead can copy: `[rel-cli] <name>: <figures>`. */
export function figures(name: string, text: string): void {
  console.log(`[rel-cli] ${name}: ${text}`);
}
