// better-sqlite3 (SQLite, synchronous API). One WITHOUT ROWID table of BLOB keys and values.
//
// journal_mode=WAL; synchronous=NORMAL for the fills and the mixed workload (in WAL mode a commit
// then reaches the OS but is not fsynced), synchronous=FULL in the synced workloads (fsync of the
// WAL per commit). Other settings are better-sqlite3's build defaults (16 MB page cache, 4 KiB pages).
// Writes: putBatch is one transaction of INSERT OR REPLACE; put is one autocommit statement.
// Reads: prepared statements (pluck for point reads, iterate for scans).

import { packageVersion, requireFromHere } from './adapter.mjs';

export const name = 'better-sqlite3';
export const label = 'better-sqlite3 (SQLite)';

/** @returns {Promise<import('./adapter.mjs').Engine>} */
export async function load() {
  const Database = requireFromHere('better-sqlite3');
  const probe = new Database(':memory:');
  const sqliteVersion = probe.prepare('select sqlite_version()').pluck().get();
  probe.close();
  return {
    version: `${packageVersion('better-sqlite3')} (SQLite ${sqliteVersion})`,
    settings: 'journal_mode=WAL; synchronous=NORMAL for fills and the mixed workload, FULL in the synced workloads; WITHOUT ROWID table',
    persistent: true,
    async open({ dir, sync }) {
      const { mkdirSync } = await import('node:fs');
      mkdirSync(dir, { recursive: true });
      const db = new Database(`${dir}/db.sqlite`);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${sync ? 'FULL' : 'NORMAL'}`);
      db.exec('CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID');
      const insert = db.prepare('INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)');
      const select = db.prepare('SELECT v FROM kv WHERE k = ?').pluck();
      const exists = db.prepare('SELECT 1 FROM kv WHERE k = ?').pluck();
      const insertMany = db.transaction((/** @type {Array<[Buffer, Buffer]>} */ entries) => {
        for (let i = 0; i < entries.length; i++) insert.run(entries[i][0], entries[i][1]);
      });
      /** @type {Map<string, import('better-sqlite3').Statement>} */
      const scans = new Map();
      function scanStatement(/** @type {boolean} */ hasStart, /** @type {boolean} */ hasEnd, /** @type {boolean} */ reverse, /** @type {boolean} */ hasLimit) {
        const id = `${hasStart}${hasEnd}${reverse}${hasLimit}`;
        let statement = scans.get(id);
        if (statement === undefined) {
          const where = [hasStart ? 'k >= @start' : '', hasEnd ? 'k < @end' : ''].filter(Boolean).join(' AND ');
          statement = db.prepare(
            `SELECT k, v FROM kv${where ? ` WHERE ${where}` : ''} ORDER BY k ${reverse ? 'DESC' : 'ASC'}${hasLimit ? ' LIMIT @limit' : ''}`,
          ).raw();
          scans.set(id, statement);
        }
        return statement;
      }
      return {
        async putBatch(entries) {
          insertMany(entries);
        },
        put(key, value) {
          insert.run(key, value);
        },
        getBatch(keys, onValue) {
          for (let i = 0; i < keys.length; i++) onValue(i, select.get(keys[i]));
        },
        hasBatch(keys) {
          let found = 0;
          for (let i = 0; i < keys.length; i++) if (exists.get(keys[i]) !== undefined) found++;
          return found;
        },
        scan({ start, end, reverse = false, limit = Infinity }, onEntry) {
          const hasLimit = Number.isFinite(limit);
          const statement = scanStatement(start !== undefined, end !== undefined, reverse, hasLimit);
          /** @type {Record<string, unknown>} */
          const params = {};
          if (start !== undefined) params.start = start;
          if (end !== undefined) params.end = end;
          if (hasLimit) params.limit = limit;
          let n = 0;
          for (const row of statement.iterate(params)) {
            onEntry(row[0], row[1]);
            n++;
          }
          return n;
        },
        async close() {
          db.close();
        },
      };
    },
  };
}
