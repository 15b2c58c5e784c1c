// Goal (RELIABILITY T3, D5, D8; LevelDB corruption_test): damage to the newest file of each type
// (WAL, vlog, SST, MANIFEST, CURRENT) never makes the store return a wrong value, resurrect a
// deleted key, or fail with anything but CorruptionError. Allowed outcomes per case:
//   (a) open fails with CorruptionError naming a file and an offset;
//   (b) open succeeds and every read returns the exact written value or throws CorruptionError;
//   (c) WAL only: the store holds a prefix of the WAL's acknowledged commits (a damaged last
//       record is a torn tail: the writer died), everything older exact.
// Fixture: 2,000 keys with values of 10-4,000 bytes (about half above the value threshold, so in
// the value log), 100 deletes, one flush, one full compaction; then 200 synced commits that stay
// in the WAL (new keys, and deletes of older keys), the newest vlog holding their large values.
// Cases per file: truncation at every offset when the file is at most 16 KiB,
// else at random offsets plus every 4 KiB / 32 KiB boundary +-1; random single-byte flips; random
// 512-byte ranges zeroed. Sizes (random truncations / flips / zeroed ranges): REL 600/600/60, SOAK
// 4,000/4,000/200 with every offset. Nine cases in ten open read-only (same recovery checks).
// SEED reruns; each failure names its file, damage and SEED.
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../db.js';
import { CorruptionError, isLsmError } from '../errors.js';
import { CURRENT_FILE_NAME, parseFileName } from '../fs/filenames.js';
import { MemFs } from '../testing/mem-fs.js';
import { createPrng, type Prng } from '../testing/seeded-prng.js';
import { reportFigures, seedFromEnvOrNow, tierSize } from '../testing/tier.test-util.js';

const seed = seedFromEnvOrNow();
const RANDOM_TRUNCATIONS = tierSize('CORRUPT_TRUNCATIONS', { pr: 40, rel: 600, soak: 4000 });
const FLIPS = tierSize('CORRUPT_FLIPS', { pr: 40, rel: 600, soak: 4000 });
const ZEROED = tierSize('CORRUPT_ZEROED', { pr: 10, rel: 60, soak: 200 });
/** files of at most 16 KiB are cut at every TRUNCATE_STRIDE-th offset (every offset in REL and SOAK) */
const TRUNCATE_STRIDE = Math.max(1, tierSize('TRUNCATE_STRIDE', { pr: 16, rel: 1, soak: 1 }));
const DIR = '/db';
const KEYS = 2000;
const WAL_COMMITS = 200;
const options = {
  dir: DIR,
  memTableBytes: 256 * 1024,
  baseTableBytes: 64 * 1024,
  valueThresholdBytes: 2000,
  valueLogFileBytes: 1024 * 1024,
  blockBytes: 4096,
  autoValueLogGc: false,
};
const dec = new TextDecoder();

interface Fixture {
  fs: MemFs;
  /** the state every read must agree with (after all WAL commits) */
  full: Map<string, string>;
  /** keys written at some point (read back in every case) */
  keys: string[];
  /** WAL commits in order: one key each, put (value) or delete (undefined) */
  walCommits: { key: string; value: string | undefined }[];
  /** the state before the WAL commits */
  beforeWal: Map<string, string>;
}

const keyName = (i: number): string => `key:${String(i).padStart(4, '0')}`;

function valueFor(prng: Prng, tag: string): string {
  const length = 10 + prng.nextInt(3991);
  return `${tag}|`.padEnd(length, String.fromCharCode(97 + prng.nextInt(26)));
}

async function buildFixture(): Promise<Fixture> {
  const prng = createPrng(seed);
  const fs = new MemFs();
  const db = await openDb({ ...options, fs });
  const model = new Map<string, string>();
  for (let start = 0; start < KEYS; start += 50) {
    const batch = Array.from({ length: 50 }, (_, j) => [keyName(start + j), valueFor(prng, `v${start + j}`)] as const);
    await db.update((txn) => {
      for (const [key, value] of batch) txn.set(key, value);
    });
    for (const [key, value] of batch) model.set(key, value);
  }
  for (let i = 0; i < 100; i++) {
    const key = keyName(prng.nextInt(KEYS));
    await db.delete(key);
    model.delete(key);
  }
  await db.flatten();
  const beforeWal = new Map(model);
  const walCommits: Fixture['walCommits'] = [];
  const used = new Set<string>();
  for (let i = 0; i < WAL_COMMITS; i++) {
    let key: string;
    let value: string | undefined;
    if (i % 4 === 3) {
      do key = keyName(prng.nextInt(KEYS));
      while (used.has(key));
      value = undefined;
    } else {
      key = `wal:${String(i).padStart(3, '0')}`;
      value = valueFor(prng, `w${i}`);
    }
    used.add(key);
    if (value === undefined) await db.delete(key);
    else await db.set(key, value);
    walCommits.push({ key, value });
    if (value === undefined) model.delete(key);
    else model.set(key, value);
  }
  fs.crash(); // synced writes: the crash state holds everything; the WAL is not flushed
  const frozen = fs.crashState() as MemFs;
  const keys = [...new Set([...Array.from({ length: KEYS }, (_, i) => keyName(i)), ...walCommits.map((c) => c.key)])].sort();
  const clone = frozen.crashClone('synced');
  await clone.unlink(`${DIR}/LOCK`); // held by the "dead" fixture process
  return { fs: clone, full: model, keys, walCommits, beforeWal };
}

type FileKind = 'WAL' | 'vlog' | 'SST' | 'MANIFEST' | 'CURRENT';

async function newestFile(fs: MemFs, kind: FileKind): Promise<string> {
  if (kind === 'CURRENT') return CURRENT_FILE_NAME;
  if (kind === 'MANIFEST') return dec.decode(await fs.readFile(`${DIR}/${CURRENT_FILE_NAME}`)).trim();
  const type = kind === 'WAL' ? 'wal' : kind === 'vlog' ? 'vlog' : 'table';
  const named = (await fs.readdir(DIR)).flatMap((name) => {
    const parsed = parseFileName(name);
    return parsed?.type === type ? [{ name, number: parsed.number }] : [];
  });
  named.sort((a, b) => b.number - a.number);
  const newest = named[0];
  if (newest === undefined) throw new Error(`fixture has no ${kind} file`);
  return newest.name;
}

interface Damage {
  label: string;
  apply(bytes: Uint8Array): Uint8Array;
}

function damages(size: number, prng: Prng): Damage[] {
  const out: Damage[] = [];
  const truncations = new Set<number>();
  if (size <= 16 * 1024) for (let at = 0; at < size; at += TRUNCATE_STRIDE) truncations.add(at);
  else {
    for (let i = 0; i < RANDOM_TRUNCATIONS; i++) truncations.add(prng.nextInt(size));
    for (const block of [4096, 32 * 1024]) {
      for (let at = block; at < size; at += block) for (const d of [-1, 0, 1]) truncations.add(at + d);
    }
  }
  for (const at of [...truncations].sort((a, b) => a - b)) out.push({ label: `truncate to ${at}`, apply: (b) => b.slice(0, at) });
  for (let i = 0; i < FLIPS; i++) {
    const at = prng.nextInt(size);
    const mask = 1 + prng.nextInt(255);
    out.push({
      label: `flip byte ${at} ^ 0x${mask.toString(16)}`,
      apply: (b) => {
        const copy = b.slice();
        copy[at] = (copy[at] as number) ^ mask;
        return copy;
      },
    });
  }
  for (let i = 0; i < ZEROED; i++) {
    const at = prng.nextInt(size);
    out.push({
      label: `zero [${at}, ${Math.min(size, at + 512)})`,
      apply: (b) => {
        const copy = b.slice();
        copy.fill(0, at, at + 512);
        return copy;
      },
    });
  }
  return out;
}

type Outcome = 'openFailed' | 'exact' | 'readCorruption' | 'walPrefix';

/**
 * Scans everything and point-reads a sample (all keys when the scan hits corruption); throws on
 * any outcome not allowed. A key the scan does not return reads as absent.
 */
async function checkReads(db: Db, fixture: Fixture, kind: FileKind, context: string, prng: Prng): Promise<Outcome> {
  let corruption = false;
  const seen = new Map<string, string | undefined>(fixture.keys.map((key) => [key, undefined]));
  try {
    await db.view((txn) => {
      for (const item of txn.iterate()) {
        const key = dec.decode(item.key);
        if (!seen.has(key)) throw new Error(`${context}: scan returns ${key}, which was never written`);
        seen.set(key, dec.decode(item.value));
      }
    });
  } catch (error) {
    if (!(error instanceof CorruptionError)) throw error;
    corruption = true;
  }
  const sample = corruption ? fixture.keys : fixture.keys.filter((key) => key.startsWith('wal:') || prng.nextInt(10) === 0);
  for (const key of sample) {
    let got: string | undefined;
    try {
      const bytes = await db.get(key);
      got = bytes === undefined ? undefined : dec.decode(bytes);
    } catch (error) {
      if (!(error instanceof CorruptionError)) throw new Error(`${context}: get ${key} threw ${String(error)}`, { cause: error });
      corruption = true;
      seen.delete(key); // a read that failed returned no value: not a wrong one
      continue;
    }
    if (!corruption && got !== seen.get(key)) throw new Error(`${context}: get ${key} disagrees with the scan`);
    seen.set(key, got);
  }
  const wrong = [...seen].filter(([key, value]) => fixture.full.get(key) !== value);
  if (wrong.length === 0) return corruption ? 'readCorruption' : 'exact';
  if (kind !== 'WAL') {
    const [key, value] = wrong[0] as [string, string | undefined];
    throw new Error(`${context}: ${wrong.length} wrong reads, e.g. ${key} = ${JSON.stringify(value?.slice(0, 20))}, expected ${JSON.stringify(fixture.full.get(key)?.slice(0, 20))}`);
  }
  // (c) a prefix of the WAL commits: find how many are applied, and check nothing else differs.
  let applied = 0;
  while (applied < fixture.walCommits.length) {
    const commit = fixture.walCommits[applied] as Fixture['walCommits'][number];
    if (seen.get(commit.key) !== commit.value) break;
    applied++;
  }
  const expected = new Map(fixture.beforeWal);
  for (const commit of fixture.walCommits.slice(0, applied)) {
    if (commit.value === undefined) expected.delete(commit.key);
    else expected.set(commit.key, commit.value);
  }
  const bad = [...seen].filter(([key, value]) => expected.get(key) !== value);
  if (bad.length > 0) {
    const [key, value] = bad[0] as [string, string | undefined];
    throw new Error(`${context}: not a prefix of the WAL commits (${applied} applied): ${key} = ${JSON.stringify(value?.slice(0, 20))}, expected ${JSON.stringify(expected.get(key)?.slice(0, 20))}`);
  }
  return 'walPrefix';
}

let fixture: Fixture;
beforeAll(async () => {
  fixture = await buildFixture();
}, 600_000);

describe(`T3 corruption sweep (SEED=${seed})`, () => {
  for (const kind of ['CURRENT', 'MANIFEST', 'WAL', 'vlog', 'SST'] as const) {
    it(`${kind}: open fails with CORRUPTION, or reads are exact or CORRUPTION`, { timeout: 1_800_000 }, async () => {
      const started = Date.now();
      const name = await newestFile(fixture.fs, kind);
      const path = `${DIR}/${name}`;
      const original = await fixture.fs.readFile(path);
      const prng = createPrng(seed ^ kind.length * 0x9e37);
      const tally: Record<Outcome, number> = { openFailed: 0, exact: 0, readCorruption: 0, walPrefix: 0 };
      const cases = damages(original.length, prng);
      let caseIndex = 0;
      for (const damage of cases) {
        // Read-only opens write nothing: damage the shared fixture in place and restore it after;
        // every 10th case opens writable (as an application would) on a copy.
        caseIndex++;
        const writable = caseIndex % 10 === 0;
        const fs = writable ? fixture.fs.crashClone('process') : fixture.fs;
        await fs.unlink(path);
        await fs.createExclusive(path, damage.apply(original));
        const context = `${kind} ${name} (${original.length} bytes), ${damage.label} (SEED=${seed})`;
        let db: Db | undefined;
        try {
          try {
            db = await openDb({ ...options, fs, readOnly: !writable });
          } catch (error) {
            if (!(error instanceof CorruptionError)) {
              throw new Error(`${context}: open failed with ${isLsmError(error) ? error.code : 'untyped'} ${String(error)}, not CORRUPTION`, { cause: error });
            }
            expect(error.file, context).not.toBe('');
            expect(Number.isInteger(error.offset) && error.offset >= 0, context).toBe(true);
            tally.openFailed++;
          }
          if (db !== undefined) tally[await checkReads(db, fixture, kind, context, prng)]++;
        } finally {
          await db?.close().catch(() => undefined);
          if (!writable) {
            await fs.unlink(path);
            await fs.createExclusive(path, original);
          }
        }
      }
      reportFigures(
        `T3 corruption ${kind}`,
        `${cases.length} cases on ${name} (${original.length} bytes): ${tally.openFailed} open failed CORRUPTION, ` +
          `${tally.exact} exact, ${tally.readCorruption} with reads failing CORRUPTION, ${tally.walPrefix} WAL prefix; 0 wrong values; ` +
          `${((Date.now() - started) / 1000).toFixed(0)} s, SEED=${seed}`,
      );
      expect(cases.length).toBeGreaterThan(0);
    });
  }
});
