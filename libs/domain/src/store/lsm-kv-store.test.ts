// Goal: the embedded engine passes the KvStore port's contract suite on real files, and the event
// store on it keeps every command all-or-nothing across a simulated power loss.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { kvStoreContract } from '../testing/kv-store-contract.js';
import { LsmKvStore } from './lsm-kv-store.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

kvStoreContract('LsmKvStore (NodeFs)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kv-lsm-'));
  dirs.push(dir);
  return LsmKvStore.open({ dir });
});
