import { it, expect } from 'vitest';
import { openDb } from '../index.js';
it('lost update', async () => {
  const db = await openDb({ inMemory: true });
  await db.set('a', '0');
  const t1 = db.newTransaction({ update: true });
  const t2 = db.newTransaction({ update: true });
  t1.get('a'); t2.get('a');
  t2.set('a', '2'); await t2.commit();
  t1.set('a', '1');
  let err: unknown;
  try { await t1.commit(); } catch (e) { err = e; }
  console.log('t1 commit error', err);
  await db.close();
});
