/**
 * Scripted-transaction test helpers shared by anomalies.test.ts and txn-contract.test.ts: in-memory
 * stores closed after each test, seeding, and reads as text.
 */
import { afterEach } from 'vitest';
import { openDb, type Db } from '../db.js';
import type { DbOptions } from '../options.js';
import type { Txn } from './txn.js';
import { text } from './txn-tests.test-util.js';

const opened: Db[] = [];

/** Registers the afterEach that closes every store `open` made; call once at a test file's top level. */
export function closeStoresAfterEach(): void {
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
  });
}

/** An in-memory store (MemFs), closed after the test. */
export async function open(options: Partial<DbOptions> = {}): Promise<Db> {
  const db = await openDb({ inMemory: true, dir: '/db', ...options });
  opened.push(db);
  return db;
}

export async function seed(db: Db, entries: Record<string, string>): Promise<void> {
  await db.update((txn) => {
    for (const [key, value] of Object.entries(entries)) txn.set(key, value);
  });
}

export async function read(db: Db, key: string): Promise<string | undefined> {
  return text(await db.get(key));
}

export function keysOf(txn: Txn, options: Parameters<Txn['iterate']>[0]): string[] {
  return [...txn.iterate(options)].map((item) => text(item.key) as string);
}

export function entriesOf(txn: Txn, options: Parameters<Txn['iterate']>[0]): [string, string][] {
  return [...txn.iterate(options)].map((item) => [text(item.key) as string, text(item.value) as string]);
}
