/**
 * Goal: the LOCK works between real processes on NodeFs with the real process probe: a live
 * owner blocks (LockedError names its pid), a released lock is handed over to a waiter, and the
 * lock of a process killed with SIGKILL is taken over without manual cleanup (RELIABILITY D9, T5).
 * Method: the lock modules are compiled to JavaScript (vite's esbuild transform) into a temp
 * directory; child Node processes import them, take the lock and report on stdout.
 */

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transformWithEsbuild } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockedError } from '../errors.js';
import { acquireLock } from './lock.js';
import { decodeLockRecord, encodeLockRecord } from './lock-format.js';
import { nodeFs } from './node-fs.js';
import { nodeProcessProbe } from './node-process-probe.js';

const srcRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Compiles `entry` and every relative import it reaches into `outRoot`, mirroring src/. */
async function compileClosure(entry: string, outRoot: string): Promise<void> {
  const pending = [entry];
  const done = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (done.has(file)) continue;
    done.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) {
      pending.push(resolve(dirname(file), `${match[1] ?? ''}.ts`));
    }
    const { code } = await transformWithEsbuild(source, file, { loader: 'ts', format: 'esm', target: 'node20' });
    const target = join(outRoot, file.slice(srcRoot.length)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
  }
}

function childScript(outRoot: string, dir: string, releaseAfterMs: number): string {
  const lockUrl = pathToFileURL(join(outRoot, 'fs/lock.js')).href;
  const fsUrl = pathToFileURL(join(outRoot, 'fs/node-fs.js')).href;
  return `
    const { acquireLock } = await import(${JSON.stringify(lockUrl)});
    const { nodeFs } = await import(${JSON.stringify(fsUrl)});
    const handle = await acquireLock(nodeFs, ${JSON.stringify(dir)}, { timeoutMs: 10000 });
    console.log('locked ' + process.pid);
    if (${releaseAfterMs} >= 0) setTimeout(async () => { await handle.release(); console.log('released'); }, ${releaseAfterMs});
    setInterval(() => {}, 1000);
  `;
}

function startChild(script: string): { child: ChildProcess; line: (text: string) => Promise<void> } {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let errors = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const line = (text: string): Promise<void> =>
    new Promise((resolvePromise, reject) => {
      const timer = setInterval(() => {
        if (output.includes(text)) {
          clearInterval(timer);
          resolvePromise();
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearInterval(timer);
          reject(new Error(`child exited before "${text}": ${errors}`));
        }
      }, 5);
    });
  return { child, line };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => child.once('exit', () => resolvePromise()));
}

describe.runIf(process.platform !== 'win32')('acquireLock between real processes', () => {
  let outRoot: string;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    outRoot = mkdtempSync(join(tmpdir(), 'lsm-lock-build-'));
    await compileClosure(join(srcRoot, 'fs/lock.ts'), outRoot);
  });

  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(outRoot, { recursive: true, force: true });
  });

  it('blocks while a child owns the lock, and takes it over after kill -9', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lsm-lock-child-'));
    try {
      const { child, line } = startChild(childScript(outRoot, dir, -1));
      children.push(child);
      await line('locked');
      const onDisk = decodeLockRecord(await nodeFs.readFile(join(dir, 'LOCK')));
      expect(onDisk.pid).toBe(child.pid);
      const error = await acquireLock(nodeFs, dir).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(LockedError);
      expect((error as LockedError).pid).toBe(child.pid);
      expect((error as LockedError).message).toContain(`process ${child.pid}`);
      child.kill('SIGKILL');
      await exited(child);
      const handle = await acquireLock(nodeFs, dir);
      expect(handle.record.pid).toBe(process.pid);
      expect(await nodeFs.readdir(dir)).toEqual(['LOCK']);
      await handle.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('waits for a child that releases, within the timeout', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lsm-lock-child-'));
    try {
      const { child, line } = startChild(childScript(outRoot, dir, 300));
      children.push(child);
      await line('locked');
      const startMs = Date.now();
      const handle = await acquireLock(nodeFs, dir, { timeoutMs: 10_000, pollIntervalMs: 10 });
      expect(Date.now() - startMs).toBeGreaterThan(100);
      await line('released');
      expect(decodeLockRecord(await nodeFs.readFile(join(dir, 'LOCK'))).pid).toBe(process.pid);
      await handle.release();
      child.kill('SIGKILL');
      await exited(child);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a child waiting on our lock gets it after we are done', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lsm-lock-child-'));
    try {
      const ours = await acquireLock(nodeFs, dir);
      const { child, line } = startChild(childScript(outRoot, dir, -1));
      children.push(child);
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 200));
      expect(decodeLockRecord(await nodeFs.readFile(join(dir, 'LOCK'))).pid).toBe(process.pid);
      await ours.release();
      await line('locked');
      child.kill('SIGKILL');
      await exited(child);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('acquireLock with the real probe on NodeFs', () => {
  it.runIf(process.platform === 'linux')('takes over a LOCK naming a live pid with another start identity', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsm-lock-recycled-'));
    try {
      const self = await nodeProcessProbe.self();
      const recycled = { ...self, startedAt: (self.startedAt ?? '').replace(/:\d+$/, ':1'), nonce: 'abcdefabcdefabcd', createdAtMs: 0 };
      writeFileSync(join(dir, 'LOCK'), encodeLockRecord(recycled));
      const handle = await acquireLock(nodeFs, dir);
      expect(handle.record.startedAt).toBe(self.startedAt);
      await handle.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes over an empty LOCK (killed between create and write) once it is old', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsm-lock-empty-'));
    try {
      writeFileSync(join(dir, 'LOCK'), '');
      await expect(acquireLock(nodeFs, dir, { settleMs: 50 })).rejects.toBeInstanceOf(LockedError);
      const oldSeconds = Date.now() / 1000 - 60;
      utimesSync(join(dir, 'LOCK'), oldSeconds, oldSeconds);
      const handle = await acquireLock(nodeFs, dir);
      expect(decodeLockRecord(await nodeFs.readFile(join(dir, 'LOCK'))).nonce).toBe(handle.record.nonce);
      expect(hostname()).toBe(handle.record.host);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
