// @progress/lsm, loaded from its built output (libs/lsm/dist) so no TypeScript loader is measured.
//
// Writes: putBatch is a WriteBatch (the bulk-load API); put is a one-key update transaction.
// Reads: one read-only snapshot (db.view) per call of getBatch/hasBatch/scan, with the
// synchronous txn.tryGet / txn.iterate inside it.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const name = 'ours';
export const label = '@progress/lsm';

const libDir = fileURLToPath(new URL('../../../libs/lsm/', import.meta.url));
export const distEntry = `${libDir}dist/index.js`;

/** @returns {Promise<import('./adapter.mjs').Engine>} */
export async function load() {
  if (!existsSync(distEntry)) throw new Error(`${distEntry} is missing: run npx nx run @progress/lsm:build`);
  const lsm = await import(pathToFileURL(distEntry).href);
  const version = JSON.parse(readFileSync(`${libDir}package.json`, 'utf8')).version;
  return {
    version,
    settings: 'defaults; syncWrites false for batch fills and the mixed workload, true for the synced workloads',
    persistent: true,
    async open({ dir, sync }) {
      const db = await lsm.openDb({ dir, syncWrites: sync });
      return {
        async putBatch(entries) {
          const batch = db.newWriteBatch();
          for (let i = 0; i < entries.length; i++) batch.set(entries[i][0], entries[i][1]);
          await batch.flush();
        },
        put(key, value) {
          return db.update((txn) => txn.set(key, value));
        },
        getBatch(keys, onValue) {
          return db.view((txn) => {
            for (let i = 0; i < keys.length; i++) onValue(i, txn.tryGet(keys[i]));
          });
        },
        hasBatch(keys) {
          return db.view((txn) => {
            let found = 0;
            for (let i = 0; i < keys.length; i++) if (txn.tryGet(keys[i]) !== undefined) found++;
            return found;
          });
        },
        scan({ start, end, reverse = false, limit = Infinity }, onEntry) {
          return db.view((txn) => {
            let n = 0;
            if (limit <= 0) return 0;
            /** @type {{ start?: Buffer, end?: Buffer, reverse: boolean }} */
            const options = { reverse };
            if (start !== undefined) options.start = start;
            if (end !== undefined) options.end = end;
            for (const item of txn.iterate(options)) {
              onEntry(item.key, item.value);
              if (++n >= limit) break;
            }
            return n;
          });
        },
        async settle() {
          await db.waitForCompactions();
        },
        writeAmplification() {
          return db.stats().writeAmplification;
        },
        stats() {
          const s = db.stats();
          return {
            levels: s.levels.filter((l) => l.tables > 0).map((l) => `L${l.level}:${l.tables}`).join(' '),
            writeAmplification: s.writeAmplification,
            userBytesWritten: s.userBytesWritten,
            diskBytesWritten: s.diskBytesWritten,
            commits: s.commits,
            commitGroups: s.commitGroups,
            walSyncs: s.walSyncs,
            flushes: s.flushes,
            compactions: s.compactions,
            writeStalls: s.writeStalls,
            writeSlowdowns: s.writeSlowdowns,
            vlogFiles: s.vlog.files,
            vlogBytes: s.vlog.bytes,
            blockCacheHitRate: s.blockCache.hitRate,
          };
        },
        close() {
          return db.close();
        },
      };
    },
  };
}
