/**
 * Goal: atomicWriteFile leaves the target holding the old or the new content after a crash at
 * any instant, the new content once it resolves, and no temp file after an I/O error before the
 * rename (RELIABILITY D3).
 * Method: crash after every mutation k of the write, in all four MemFs crash modes with several
 * seeds; inject EIO at every operation n through FaultFs; one NodeFs run on a real directory.
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaultFs } from '../testing/fault-fs.js';
import { MemFs } from '../testing/mem-fs.js';
import type { CrashMode } from '../testing/mem-fs.js';
import { atomicTempName, atomicWriteFile } from './atomic-write.js';
import { nodeFs } from './node-fs.js';

const OLD = Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 1]);
const NEW = Uint8Array.from([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
const MODES: CrashMode[] = ['synced', 'random', 'torn', 'lost-dirents'];

async function populated(options: ConstructorParameters<typeof MemFs>[0] = {}): Promise<MemFs> {
  const fs = new MemFs(options);
  await fs.mkdir('/db');
  await atomicWriteFile(fs, '/db', 'CURRENT', OLD);
  await fs.syncDir('/');
  return fs;
}

const show = (data: Uint8Array): string => (data.length === 0 ? 'empty' : [...data].join(''));

describe('atomicWriteFile', () => {
  it('replaces the content and leaves no temp file', async () => {
    const fs = await populated();
    await atomicWriteFile(fs, '/db', 'CURRENT', NEW);
    expect(await fs.readdir('/db')).toEqual(['CURRENT']);
    expect(show(await fs.readFile('/db/CURRENT'))).toBe(show(NEW));
    for (const mode of MODES) {
      expect(show(await fs.crashClone(mode, 1).readFile('/db/CURRENT')), mode).toBe(show(NEW));
    }
    expect(atomicTempName('CURRENT')).toBe('CURRENT.dbtmp');
  });

  it('leaves old or new content after a crash at every mutation, in every mode', async () => {
    const base = (await populated()).mutationCount;
    const reference = await populated();
    await atomicWriteFile(reference, '/db', 'CURRENT', NEW);
    const total = reference.mutationCount - base;
    const seen = new Set<string>();
    for (let k = 0; k <= total; k++) {
      const fs = await populated({ crashAfterMutations: base + k });
      await atomicWriteFile(fs, '/db', 'CURRENT', NEW).catch((error: NodeJS.ErrnoException) => {
        expect(error.code).toBe('ECRASHED');
      });
      const state = fs.crashState() as MemFs;
      for (const mode of MODES) {
        for (let seed = 0; seed < 4; seed++) {
          const content = show(await state.crashClone(mode, seed).readFile('/db/CURRENT'));
          expect([show(OLD), show(NEW)], `k=${k} ${mode} seed ${seed}`).toContain(content);
          seen.add(content);
        }
      }
      if (k === total) expect(show(await state.crashClone('synced').readFile('/db/CURRENT'))).toBe(show(NEW));
    }
    expect(seen).toEqual(new Set([show(OLD), show(NEW)]));
  });

  it('rejects on an I/O error at any operation, keeps old or new content, and cleans the temp file', async () => {
    for (let n = 1; ; n++) {
      const inner = await populated();
      const fs = new FaultFs(inner, { atOp: n, errno: n % 2 === 0 ? 'ENOSPC' : 'EIO' });
      const error = await atomicWriteFile(fs, '/db', 'CURRENT', NEW).then(() => undefined, (e: unknown) => e);
      if (fs.injected.length === 0) {
        expect(error).toBeUndefined();
        expect(n).toBeGreaterThan(5);
        break;
      }
      expect(error).toMatchObject({ code: n % 2 === 0 ? 'ENOSPC' : 'EIO' });
      const content = show(await inner.readFile('/db/CURRENT'));
      expect([show(OLD), show(NEW)]).toContain(content);
      const names = await inner.readdir('/db');
      if (content === show(OLD)) expect(names).toEqual(['CURRENT']);
    }
  });

  it('works on NodeFs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsm-atomic-'));
    try {
      await atomicWriteFile(nodeFs, dir, 'CURRENT', OLD);
      await atomicWriteFile(nodeFs, dir, 'CURRENT', NEW);
      expect(readdirSync(dir)).toEqual(['CURRENT']);
      expect(show(readFileSync(join(dir, 'CURRENT')))).toBe(show(NEW));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
