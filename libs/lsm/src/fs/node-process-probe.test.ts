/**
 * Goal: the Node process probe tells live owners from dead ones, recognizes recycled pids by
 * their start identity and zombies by their state, and parses /proc/<pid>/stat robustly.
 * Method: parser cases (hostile comm fields); the real probe on this process and on a child that
 * has exited; a fake Fs feeding crafted /proc contents through the Fs seam.
 */

import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../codec/bytes.js';
import { MemFs } from '../testing/mem-fs.js';
import { NodeProcessProbe, nodeProcessProbe, parseProcStat, processExists } from './node-process-probe.js';

const linux = process.platform === 'linux';

function statLine(pid: number, comm: string, state: string, startTime: string): string {
  const fields = [state, '1', '2', '3', '0', '-1', '4194560', '100', '0', '0', '0', '5', '6', '0', '0', '20', '0', '1', '0']; // fields 3-21
  return `${pid} (${comm}) ${fields.join(' ')} ${startTime} 123456 789\n`;
}

async function exitedChildPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? -1;
}

describe('parseProcStat', () => {
  it('reads state (field 3) and starttime (field 22)', () => {
    expect(parseProcStat(statLine(42, 'node', 'S', '987654'))).toEqual({ state: 'S', startTimeTicks: '987654' });
  });

  it('counts fields after the last parenthesis, whatever the command name holds', () => {
    expect(parseProcStat(statLine(42, 'a) b (c) Z 1 2', 'R', '55'))).toEqual({ state: 'R', startTimeTicks: '55' });
  });

  it('rejects malformed content', () => {
    expect(parseProcStat('')).toBeUndefined();
    expect(parseProcStat('42 node S 1 2')).toBeUndefined();
    expect(parseProcStat('42 (node) S 1 2 3')).toBeUndefined();
    expect(parseProcStat(statLine(42, 'node', 'S', '12x'))).toBeUndefined();
  });
});

describe('NodeProcessProbe', () => {
  it('knows whether a pid exists', async () => {
    expect(processExists(process.pid)).toBe(true);
    expect(processExists(0)).toBe(false);
    expect(processExists(-1)).toBe(false);
    expect(processExists(await exitedChildPid())).toBe(false);
  });

  it.runIf(linux)('gives this process a Linux start identity that probes alive', async () => {
    const self = await nodeProcessProbe.self();
    expect(self.pid).toBe(process.pid);
    expect(self.startedAt).toMatch(/^linux:[0-9a-f-]{36}:\d+$/);
    expect(await nodeProcessProbe.status(process.pid, self.startedAt)).toBe('alive');
    expect(await nodeProcessProbe.status(process.pid, null)).toBe('alive');
  });

  it.runIf(linux)('calls a live pid with another start identity dead (recycled pid)', async () => {
    const self = await nodeProcessProbe.self();
    const other = (self.startedAt ?? '').replace(/:\d+$/, ':1');
    expect(await nodeProcessProbe.status(process.pid, other)).toBe('dead');
    expect(await nodeProcessProbe.status(process.pid, 'darwin:unknown')).toBe('alive');
  });

  it('calls an exited process dead', async () => {
    expect(await nodeProcessProbe.status(await exitedChildPid(), null)).toBe('dead');
  });

  it('calls a zombie dead and reads /proc through the Fs seam', async () => {
    const fs = new MemFs();
    await fs.mkdir(`/proc/${process.pid}`);
    await fs.mkdir('/proc/sys/kernel/random');
    await fs.createExclusive('/proc/sys/kernel/random/boot_id', utf8('11111111-2222-3333-4444-555555555555\n'));
    await fs.createExclusive(`/proc/${process.pid}/stat`, utf8(statLine(process.pid, 'node', 'Z', '777')));
    const probe = new NodeProcessProbe({ fs, platform: 'linux', host: 'h', pid: process.pid });
    expect(await probe.self()).toEqual({
      pid: process.pid,
      startedAt: 'linux:11111111-2222-3333-4444-555555555555:777',
      host: 'h',
    });
    expect(await probe.status(process.pid, 'linux:11111111-2222-3333-4444-555555555555:777')).toBe('dead');
  });

  it('falls back to liveness alone off Linux', async () => {
    const probe = new NodeProcessProbe({ fs: new MemFs(), platform: 'darwin' });
    expect((await probe.self()).startedAt).toBeNull();
    expect(await probe.status(process.pid, 'linux:x:1')).toBe('alive');
    expect(await probe.status(await exitedChildPid(), null)).toBe('dead');
  });
});
