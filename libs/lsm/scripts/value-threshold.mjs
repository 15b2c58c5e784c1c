// Measures the value-threshold trade-off (DESIGN.md "Value threshold"): write rate, write
// amplification and random reads for values in the vlog vs inline. Needs the built package.
//   node libs/lsm/scripts/value-threshold.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../dist/index.js';
for (const size of [128, 512, 1024, 4096]) {
  for (const threshold of [64, 1 << 20]) {
    const dir = mkdtempSync(join(tmpdir(), 'thr-'));
    const db = await openDb({ dir, valueThresholdBytes: threshold, memTableBytes: 4 << 20, baseTableBytes: 2 << 20, baseLevelBytes: 8 << 20 });
    const total = Math.floor(100_000_000 / size);
    const val = new Uint8Array(size).fill(7);
    const t0 = performance.now();
    for (let round = 0; round < 2; round++) for (let s = 0; s < total; s += 500) { const wb = db.newWriteBatch(); for (let i = s; i < Math.min(total, s + 500); i++) wb.set(`key:${String((i * 7919) % total).padStart(12, '0')}`, val); await wb.flush(); }
    await db.waitForCompactions();
    const ms = performance.now() - t0;
    const st = db.stats();
    const r0 = performance.now(); let found = 0;
    await db.view((t) => { for (let i = 0; i < 20000; i++) { if (t.tryGet(`key:${String((i * 104729) % total).padStart(12, '0')}`)) found++; } });
    const readMs = performance.now() - r0;
    console.log(`value ${size} B, threshold ${threshold === 64 ? 'vlog' : 'inline'}: write ${(2 * total * size / 1048576 / (ms / 1000)).toFixed(1)} MiB/s, write amp ${st.writeAmplification.toFixed(2)}, reads ${Math.round(20000 / (readMs / 1000))}/s (${found} found)`);
    await db.close(); rmSync(dir, { recursive: true, force: true });
  }
}
