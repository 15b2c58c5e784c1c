// lmdb (LMDB through lmdb-js). Binary keys and values, no compression.
//
// Durability: the batch fills and the mixed workload open with noSync (commits reach the OS page
// cache, like the other engines' unsynced writes); the synced workloads keep the default
// (overlappingSync on Linux) and wait for db.flushed after each put, i.e. until it is on disk.
// Writes: putBatch is one transactionSync with putSync per entry; put is the async db.put,
// which lmdb-js batches with the other puts of the same event-loop turn (its group commit).
// Reads: synchronous db.get / db.doesExist / db.getRange.

import { Buffer } from 'node:buffer';
import { packageVersion, requireFromHere } from './adapter.mjs';

export const name = 'lmdb';
export const label = 'lmdb (LMDB)';

/** @returns {Promise<import('./adapter.mjs').Engine>} */
export async function load() {
  const lmdb = requireFromHere('lmdb');
  return {
    version: packageVersion('lmdb'),
    settings: 'keyEncoding/encoding binary, compression off; noSync for fills and the mixed workload; default overlappingSync + await db.flushed per put in the synced workloads',
    persistent: true,
    async open({ dir, sync }) {
      const db = lmdb.open({ path: dir, keyEncoding: 'binary', encoding: 'binary', compression: false, noSync: !sync });
      return {
        async putBatch(entries) {
          db.transactionSync(() => {
            for (let i = 0; i < entries.length; i++) db.putSync(entries[i][0], entries[i][1]);
          });
        },
        async put(key, value) {
          await db.put(key, value);
          if (sync) await db.flushed;
        },
        getBatch(keys, onValue) {
          for (let i = 0; i < keys.length; i++) onValue(i, db.get(keys[i]));
        },
        hasBatch(keys) {
          let found = 0;
          for (let i = 0; i < keys.length; i++) if (db.doesExist(keys[i])) found++;
          return found;
        },
        scan({ start, end, reverse = false, limit = Infinity }, onEntry) {
          let n = 0;
          if (limit <= 0) return 0;
          if (!reverse) {
            /** @type {Record<string, unknown>} */
            const options = {};
            if (start !== undefined) options.start = start;
            if (end !== undefined) options.end = end;
            if (Number.isFinite(limit)) options.limit = limit;
            for (const { key, value } of db.getRange(options)) {
              onEntry(key, value);
              n++;
            }
            return n;
          }
          // Reversed, getRange walks from its `start` (inclusive) down to its `end` (exclusive):
          // the upper bound of [start, end) is skipped by hand and the lower bound read by hand.
          /** @type {Record<string, unknown>} */
          const options = { reverse: true };
          if (end !== undefined) options.start = end;
          if (start !== undefined) options.end = start;
          for (const { key, value } of db.getRange(options)) {
            if (end !== undefined && Buffer.compare(key, end) >= 0) continue;
            onEntry(key, value);
            if (++n >= limit) return n;
          }
          if (start !== undefined) {
            const value = db.get(start);
            if (value !== undefined) {
              onEntry(start, value);
              n++;
            }
          }
          return n;
        },
        close() {
          return db.close();
        },
      };
    },
  };
}
