// Goal: dropPrefix deletes a prefix with more keys than one transaction may hold, in several
// commits, and leaves every other key; dropAll empties the store.
import { describe, expect, it } from 'vitest';
import { openDb } from './db.js';
import { MemFs } from './testing/mem-fs.js';

describe('dropPrefix over several transactions', () => {
  it('deletes 25 keys 9 at a time (maxTxnEntries 10), keeps the rest, and dropAll empties the store', async () => {
    const db = await openDb({ fs: new MemFs(), dir: '/db', maxTxnEntries: 10 });
    for (const prefix of ['p:', 'q:']) {
      for (let start = 0; start < 25; start += 9) {
        await db.update((txn) => {
          for (let i = start; i < Math.min(25, start + 9); i++) txn.set(`${prefix}${String(i).padStart(2, '0')}`, 'v');
        });
      }
    }
    await db.set('r:only', 'v');
    const before = db.currentTimestamp();
    expect(await db.dropPrefix('p:')).toBe(25);
    expect(db.currentTimestamp() - before).toBe(3); // 9 + 9 + 7: three commits
    const left: string[] = [];
    await db.view((txn) => {
      for (const item of txn.iterate({ keysOnly: true })) left.push(new TextDecoder().decode(item.key));
    });
    expect(left).toHaveLength(26);
    expect(left.every((k) => !k.startsWith('p:'))).toBe(true);
    expect(await db.dropPrefix('p:')).toBe(0);
    expect(await db.dropAll()).toBe(26);
    expect(await db.get('r:only')).toBeUndefined();
    await db.close();
  });
});
