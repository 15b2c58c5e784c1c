// Goal: an open refuses a CURRENT that does not end in a newline or does not name a MANIFEST, and
// a MANIFEST that holds no edit, with CORRUPTION naming the file and offset, changing no file.
import { describe, expect, it } from 'vitest';
import { utf8 } from '../codec/bytes.js';
import { openDb } from '../db.js';
import { joinPath } from '../fs/fs.js';
import { CURRENT_FILE_NAME, parseFileName } from '../fs/filenames.js';
import { encodeLogHeader } from '../record/record-format.js';
import { MemFs } from '../testing/mem-fs.js';
import { openFailure } from '../testing/corruption.test-util.js';

const DIR = '/db';

async function store(): Promise<{ fs: MemFs; manifest: string }> {
  const fs = new MemFs();
  const db = await openDb({ fs, dir: DIR });
  await db.set('k', 'v');
  await db.close();
  const manifest = (await fs.readdir(DIR)).find((n) => parseFileName(n)?.type === 'manifest') as string;
  return { fs, manifest };
}

async function write(fs: MemFs, name: string, bytes: Uint8Array): Promise<void> {
  const file = await fs.openWritable(joinPath(DIR, name), { truncate: true });
  await file.append(bytes);
  await file.sync();
  await file.close();
}

describe('open with a bad CURRENT or an empty MANIFEST', () => {
  it('CURRENT without its newline', async () => {
    const { fs, manifest } = await store();
    await write(fs, CURRENT_FILE_NAME, utf8(manifest));
    expect(await openFailure(fs, DIR)).toMatchObject({ file: CURRENT_FILE_NAME, offset: manifest.length, reason: 'CURRENT does not end with a newline' });
  });

  it('CURRENT naming something that is not a MANIFEST', async () => {
    for (const text of ['000001.wal', 'MANIFEST-x']) {
      const { fs } = await store();
      await write(fs, CURRENT_FILE_NAME, utf8(`${text}\n`));
      expect(await openFailure(fs, DIR), text).toMatchObject({ file: CURRENT_FILE_NAME, offset: 0, reason: `CURRENT names ${JSON.stringify(text)}, not a MANIFEST` });
    }
  });

  it('a MANIFEST with a header and no edit', async () => {
    const { fs, manifest } = await store();
    await write(fs, manifest, encodeLogHeader('MANIFEST'));
    expect(await openFailure(fs, DIR)).toMatchObject({ file: manifest, offset: 0, reason: 'MANIFEST holds no version edit' });
  });
});
