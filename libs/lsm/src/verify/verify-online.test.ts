// Goal: online db.verify() compares the MANIFEST on disk with the open database: a CURRENT that
// cannot be parsed is reported (not thrown), and a MANIFEST that no longer lists the open
// version's files is a problem naming the MANIFEST and the files that differ.
import { describe, expect, it } from 'vitest';
import { utf8 } from '../codec/bytes.js';
import { openDb } from '../db.js';
import { joinPath } from '../fs/fs.js';
import { CURRENT_FILE_NAME, parseFileName } from '../fs/filenames.js';
import { MemFs } from '../testing/mem-fs.js';

const DIR = '/db';

async function overwrite(fs: MemFs, name: string, bytes: Uint8Array): Promise<void> {
  const file = await fs.openWritable(joinPath(DIR, name), { truncate: true });
  await file.append(bytes);
  await file.sync();
  await file.close();
}

describe('online verify against the MANIFEST on disk', () => {
  it('a CURRENT without its newline is a problem of CURRENT', async () => {
    const fs = new MemFs();
    const db = await openDb({ fs, dir: DIR });
    await db.set('k', 'v');
    await overwrite(fs, CURRENT_FILE_NAME, utf8('MANIFEST-000002'));
    const report = await db.verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual({ file: CURRENT_FILE_NAME, offset: 15, reason: 'CURRENT does not end with a newline' });
    await db.close();
  });

  it('a MANIFEST rolled back to before a flush misses the new table', async () => {
    const fs = new MemFs();
    const db = await openDb({ fs, dir: DIR });
    await db.set('k', 'v');
    const manifest = (await fs.readdir(DIR)).find((n) => parseFileName(n)?.type === 'manifest') as string;
    const before = await fs.readFile(joinPath(DIR, manifest));
    await db.flush();
    const table = (await fs.readdir(DIR)).find((n) => parseFileName(n)?.type === 'table') as string;
    await overwrite(fs, manifest, before);
    const report = await db.verify();
    const problem = report.problems.find((p) => p.file === manifest);
    expect(problem?.reason).toMatch(new RegExp(`^MANIFEST lists \\[\\] that the open database does not, and misses \\[L0:${parseFileName(table)?.number as number}:\\d+\\]$`));
    await db.close().catch(() => undefined);
  });
});
