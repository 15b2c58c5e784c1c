// Goal: NodeProcessProbe.status on Linux for a live pid, through crafted /proc contents (the Fs
// seam): the same start identity is alive and another is dead (a recycled pid); no /proc entry, a
// lock written without an identity or by another platform, or an unreadable boot id all fall back
// to "alive" (never break a lock on doubt); permission errors read as absent; other read errors
// propagate.
import { describe, expect, it } from 'vitest';
import { utf8 } from '../codec/bytes.js';
import { errnoError } from '../testing/fault-fs.js';
import { MemFs } from '../testing/mem-fs.js';
import { NodeProcessProbe } from './node-process-probe.js';

const BOOT = '11111111-2222-3333-4444-555555555555';
const pid = process.pid; // a pid that exists, so the probe goes on to /proc

function statLine(state: string, startTime: string): string {
  const fields = [state, '1', '2', '3', '0', '-1', '4194560', '100', '0', '0', '0', '5', '6', '0', '0', '20', '0', '1', '0'];
  return `${pid} (node) ${fields.join(' ')} ${startTime} 123456 789\n`;
}

async function procFs(options: { stat?: string; bootId?: string } = {}): Promise<MemFs> {
  const fs = new MemFs();
  await fs.mkdir(`/proc/${pid}`);
  await fs.mkdir('/proc/sys/kernel/random');
  if (options.bootId !== undefined) await fs.createExclusive('/proc/sys/kernel/random/boot_id', utf8(options.bootId));
  if (options.stat !== undefined) await fs.createExclusive(`/proc/${pid}/stat`, utf8(options.stat));
  return fs;
}

/** A MemFs whose readFile fails with `code` for paths under /proc. */
class FailingProc extends MemFs {
  constructor(private readonly code: 'EACCES' | 'EIO') {
    super();
  }

  override async readFile(path: string): Promise<Uint8Array> {
    if (path.startsWith('/proc/')) throw errnoError(this.code, 'open', path);
    return super.readFile(path);
  }
}

describe('NodeProcessProbe start identities (Linux, crafted /proc)', () => {
  it('the recorded identity is alive; another start time or boot is a recycled pid: dead', async () => {
    const probe = new NodeProcessProbe({ fs: await procFs({ stat: statLine('S', '777'), bootId: `${BOOT}\n` }), platform: 'linux' });
    expect(await probe.status(pid, `linux:${BOOT}:777`)).toBe('alive');
    expect(await probe.status(pid, `linux:${BOOT}:778`)).toBe('dead');
    expect(await probe.status(pid, 'linux:another-boot:777')).toBe('dead');
  });

  it('falls back to alive without a lock identity, without /proc data or without a boot id', async () => {
    const withStat = new NodeProcessProbe({ fs: await procFs({ stat: statLine('R', '777'), bootId: BOOT }), platform: 'linux' });
    expect(await withStat.status(pid, null)).toBe('alive');
    expect(await withStat.status(pid, 'darwin:whatever')).toBe('alive');
    const noStat = new NodeProcessProbe({ fs: await procFs({ bootId: BOOT }), platform: 'linux' });
    expect(await noStat.status(pid, `linux:${BOOT}:1`)).toBe('alive');
    expect(await noStat.startIdentity(pid)).toBeNull();
    const noBoot = new NodeProcessProbe({ fs: await procFs({ stat: statLine('S', '777') }), platform: 'linux' });
    expect(await noBoot.status(pid, `linux:${BOOT}:1`)).toBe('alive');
    expect(await noBoot.startIdentity(pid)).toBeNull();
    const emptyBoot = new NodeProcessProbe({ fs: await procFs({ stat: statLine('S', '777'), bootId: '\n' }), platform: 'linux' });
    expect(await emptyBoot.startIdentity(pid)).toBeNull();
    const garbled = new NodeProcessProbe({ fs: await procFs({ stat: 'garbage without parentheses', bootId: BOOT }), platform: 'linux' });
    expect(await garbled.status(pid, `linux:${BOOT}:1`)).toBe('alive');
  });

  it('a dead-state (X) entry is dead; a permission error reads as absent; an I/O error propagates', async () => {
    const dead = new NodeProcessProbe({ fs: await procFs({ stat: statLine('X', '777'), bootId: BOOT }), platform: 'linux' });
    expect(await dead.status(pid, null)).toBe('dead');
    const denied = new NodeProcessProbe({ fs: new FailingProc('EACCES'), platform: 'linux' });
    expect(await denied.status(pid, `linux:${BOOT}:1`)).toBe('alive');
    expect(await denied.startIdentity(pid)).toBeNull();
    const failing = new NodeProcessProbe({ fs: new FailingProc('EIO'), platform: 'linux' });
    await expect(failing.status(pid, `linux:${BOOT}:1`)).rejects.toMatchObject({ code: 'EIO' });
  });
});
