// classic-level (LevelDB through N-API). Defaults (Snappy on, 8 MiB cache, 4 MiB write buffer).
//
// Writes: putBatch is db.batch(array); put is db.put ({ sync: true } when opened with sync).
// Reads: getSync (the fast path: no thread-pool round trip); scans are iterators read with
// nextv(1000) and a highWaterMarkBytes large enough that nextv is never cut short.

import { packageVersion, requireFromHere } from './adapter.mjs';

export const name = 'classic-level';
export const label = 'classic-level (LevelDB)';

/** @returns {Promise<import('./adapter.mjs').Engine>} */
export async function load() {
  const { ClassicLevel } = requireFromHere('classic-level');
  return {
    version: packageVersion('classic-level'),
    settings: 'defaults (Snappy, 8 MiB cache, 4 MiB write buffer); sync: true on puts only in the synced workloads; reads with getSync',
    persistent: true,
    async open({ dir, sync }) {
      const db = new ClassicLevel(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
      await db.open();
      const putOptions = { sync };
      return {
        async putBatch(entries) {
          const ops = new Array(entries.length);
          for (let i = 0; i < entries.length; i++) ops[i] = { type: 'put', key: entries[i][0], value: entries[i][1] };
          await db.batch(ops, putOptions);
        },
        put(key, value) {
          return db.put(key, value, putOptions);
        },
        getBatch(keys, onValue) {
          for (let i = 0; i < keys.length; i++) onValue(i, db.getSync(keys[i]));
        },
        hasBatch(keys) {
          let found = 0;
          for (let i = 0; i < keys.length; i++) if (db.getSync(keys[i]) !== undefined) found++;
          return found;
        },
        async scan({ start, end, reverse = false, limit = Infinity }, onEntry) {
          /** @type {Record<string, unknown>} */
          const options = { reverse, highWaterMarkBytes: 1024 * 1024 };
          if (start !== undefined) options.gte = start;
          if (end !== undefined) options.lt = end;
          if (Number.isFinite(limit)) options.limit = limit;
          const it = db.iterator(options);
          const size = Math.min(1000, Number.isFinite(limit) ? limit : 1000);
          let n = 0;
          try {
            for (;;) {
              const entries = await it.nextv(size);
              if (entries.length === 0) break;
              for (let i = 0; i < entries.length; i++) onEntry(entries[i][0], entries[i][1]);
              n += entries.length;
            }
          } finally {
            await it.close();
          }
          return n;
        },
        stats() {
          const files = [];
          for (let level = 0; level < 7; level++) {
            const count = Number(db.getProperty(`leveldb.num-files-at-level${level}`));
            if (count > 0) files.push(`L${level}:${count}`);
          }
          return { levels: files.join(' ') };
        },
        close() {
          return db.close();
        },
      };
    },
  };
}
