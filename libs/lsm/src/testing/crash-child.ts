/**
 * Child program for the kill -9 test (recovery/kill9.test.ts): 4 async writers commit synced
 * transactions of 1-3 keys into their own key space (`w<writer>:<key>`), values on both sides
 * of the value threshold. Before each commit it appends `BEGIN <writer> <json writes>` to the log
 * file, after the commit resolves `ACK <writer>`, each with a synchronous write(2): the page cache
 * survives SIGKILL, so a logged ACK means the commit was acknowledged before the kill. (Not stdout:
 * when the pipe is full, as with a slow parent on a loaded machine, Node queues pipe writes in
 * memory and SIGKILL drops them; the parent then saw fewer commits than the store held.)
 * It prints `OPEN` on stdout once the store is open. Runs until killed.
 * Arguments: <dir> <seed> <sync|nosync> <log file>
 */
import { openSync, writeSync } from 'node:fs';
import { openDb } from '../index.js';
import { createPrng } from './seeded-prng.js';

const [dir, seedText, syncMode, logPath] = process.argv.slice(2);
if (dir === undefined || seedText === undefined || logPath === undefined) throw new Error('usage: crash-child <dir> <seed> <sync|nosync> <log file>');
const logFd = openSync(logPath, 'w');
const logLine = (line: string): void => {
  const bytes = Buffer.from(`${line}\n`);
  for (let done = 0; done < bytes.length; ) done += writeSync(logFd, bytes, done);
};
const seed = Number(seedText);
const db = await openDb({
  dir,
  syncWrites: syncMode !== 'nosync',
  memTableBytes: 32 * 1024,
  baseTableBytes: 16 * 1024,
  baseLevelBytes: 64 * 1024,
  l0CompactionTrigger: 2,
  valueThresholdBytes: 128,
  seed,
});
process.stdout.write('OPEN\n');

async function writer(id: number): Promise<void> {
  const prng = createPrng(seed * 31 + id);
  for (let n = 0; ; n++) {
    const writes = Array.from({ length: 1 + prng.nextInt(3) }, (_, j) => {
      const key = `w${id}:${String(prng.nextInt(25)).padStart(2, '0')}`;
      const deleted = prng.nextInt(8) === 0;
      const size = prng.nextInt(10) < 3 ? 200 + prng.nextInt(400) : 5 + prng.nextInt(40);
      return [key, deleted ? null : `${seed}.${id}.${n}.${j}:`.padEnd(size, 'x')] as const;
    });
    const unique = [...new Map(writes).entries()];
    logLine(`BEGIN ${id} ${JSON.stringify(unique)}`);
    await db.update((txn) => {
      for (const [key, value] of unique) {
        if (value === null) txn.delete(key);
        else txn.set(key, value);
      }
    });
    logLine(`ACK ${id}`);
  }
}

await Promise.all([0, 1, 2, 3].map(writer));
