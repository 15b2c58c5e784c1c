// Goal: each isolation anomaly of Adya's taxonomy (P0, G1a, G1b, lost update, G-single, G2-item,
// phantom) is prevented exactly as DESIGN.md "Isolation" / oracle.ts claims (serializable, with
// scanned ranges in the read set). The transaction API's contract is in txn-contract.test.ts.
// Method: scripted, deterministic interleavings driven by hand with db.newTransaction(); every
// step is synchronous or awaited in a fixed order, so each test has exactly one schedule. The
// expected outcome of each interleaving is written next to it ("→ ..."). Stores are in memory
// (MemFs); an injected clock drives timeouts and TTL.
import { describe, expect, it } from 'vitest';
import { closeStoresAfterEach, entriesOf, keysOf, open, read, seed } from './scripted.test-util.js';
import { commitOutcome, text } from './txn-tests.test-util.js';

closeStoresAfterEach();

describe('isolation anomalies (scripted interleavings)', () => {
  it('P0 dirty write: write-only transactions both commit, each atomically; the later commit wins whole', async () => {
    const db = await open();
    await seed(db, { x: '0', y: '0' });
    const t1 = db.newTransaction({ update: true });
    const t2 = db.newTransaction({ update: true });
    t1.set('x', '1'); //          T1 writes x (uncommitted)
    t2.set('x', '2'); //          T2 overwrites x: T1's uncommitted write is invisible to it
    t2.set('y', '2');
    expect(await commitOutcome(t2.commit())).toBe('ok'); // → ok (write-only)
    t1.set('y', '1');
    expect(await commitOutcome(t1.commit())).toBe('ok'); // → ok (write-only never conflicts)
    // → (x, y) = (1, 1): T1's writes are applied as a unit after T2's; never the mix (1, 2)
    expect([await read(db, 'x'), await read(db, 'y')]).toEqual(['1', '1']);
  });

  it('G1a aborted read: writes of a discarded or conflicted transaction are never seen', async () => {
    const db = await open();
    await seed(db, { k: 'committed', c: '0' });
    const t1 = db.newTransaction({ update: true });
    t1.set('k', 'dirty');
    const t2 = db.newTransaction({ update: true });
    expect(text(t2.tryGet('k'))).toBe('committed'); // → T2 does not see T1's pending write
    expect(await db.view((txn) => text(txn.tryGet('k')))).toBe('committed');
    t1.discard(); // T1 aborts
    t2.discard();
    expect(await read(db, 'k')).toBe('committed'); // → still the committed value

    // An aborted-by-conflict transaction's writes are not seen either.
    const loser = db.newTransaction({ update: true });
    loser.get('c');
    loser.set('k', 'from-loser');
    await db.set('c', '1');
    expect(await commitOutcome(loser.commit())).toBe('CONFLICT'); // → CONFLICT
    expect(await read(db, 'k')).toBe('committed'); // → loser's write never visible
    expect(await db.view((txn) => entriesOf(txn, {}))).toEqual([['c', '1'], ['k', 'committed']]);
  });

  it('G1b intermediate read: only the final value a transaction wrote is ever seen', async () => {
    const db = await open();
    await seed(db, { k: 'v0' });
    const feed: string[] = [];
    const unsubscribe = db.subscribe({ prefixes: ['k'] }, ({ changes }) => {
      for (const change of changes) feed.push(`${text(change.key)}=${text(change.value)}`);
    });
    const t1 = db.newTransaction({ update: true });
    t1.set('k', 'v1-intermediate');
    t1.set('k', 'v2-final');
    const committing = t1.commit(); // in flight, not yet applied
    const t2 = db.newTransaction({ update: true });
    expect(text(t2.tryGet('k'))).toBe('v0'); // → a snapshot taken before T1 is applied: v0, never v1
    t2.set('other', 'x');
    await committing;
    expect(await read(db, 'k')).toBe('v2-final'); // → after T1: v2
    expect(feed).toEqual(['k=v2-final']); // → the change feed shows one change, the final value
    // T2 read k below T1's commit timestamp, so it is serialized before T1 and T1 wrote what it read:
    expect(await commitOutcome(t2.commit())).toBe('CONFLICT'); // → CONFLICT
    unsubscribe();
  });

  it('lost update: two read-modify-writes of one key; the second to commit gets CONFLICT', async () => {
    // Also the case where the committing transaction is the OLDEST open one (nothing else pins
    // the conflict history): dgraph-io/badger#593 lost exactly such an update.
    const db = await open();
    await seed(db, { counter: '10' });
    const t1 = db.newTransaction({ update: true });
    const t2 = db.newTransaction({ update: true });
    const v1 = Number(text(t1.get('counter'))); // T1 reads 10
    const v2 = Number(text(t2.get('counter'))); // T2 reads 10
    t2.set('counter', String(v2 + 5));
    expect(await commitOutcome(t2.commit())).toBe('ok'); // → T2 commits 15
    t1.set('counter', String(v1 + 1));
    expect(await commitOutcome(t1.commit())).toBe('CONFLICT'); // → T1: CONFLICT (would have lost T2's +5)
    expect(await read(db, 'counter')).toBe('15');
  });

  it('lost update with a third, older transaction open (history pinned by another reader)', async () => {
    const db = await open();
    await seed(db, { counter: '10' });
    const old = db.newTransaction({ update: true }); // keeps the oracle's history alive
    const t1 = db.newTransaction({ update: true });
    const t2 = db.newTransaction({ update: true });
    t1.get('counter');
    t2.get('counter');
    t2.set('counter', '15');
    expect(await commitOutcome(t2.commit())).toBe('ok');
    t1.set('counter', '11');
    expect(await commitOutcome(t1.commit())).toBe('CONFLICT'); // → CONFLICT
    old.discard();
  });

  it('G-single read skew: a snapshot stays consistent while another transaction commits', async () => {
    const db = await open();
    await seed(db, { x: '50', y: '50' });
    const view = db.newTransaction({ update: false });
    const t1 = db.newTransaction({ update: true });
    expect(text(view.get('x'))).toBe('50');
    expect(text(t1.get('x'))).toBe('50');
    await db.update((t2) => {
      // T2 moves 10 from x to y and commits
      t2.set('x', String(Number(text(t2.get('x'))) - 10));
      t2.set('y', String(Number(text(t2.get('y'))) + 10));
    });
    expect(text(view.get('y'))).toBe('50'); // → the old y (not 60): x + y = 100 in the snapshot
    expect(entriesOf(view, {})).toEqual([['x', '50'], ['y', '50']]); // → iterators read the same snapshot
    expect(text(t1.get('y'))).toBe('50');
    t1.set('sum', '100');
    // T1 read x, which T2 changed after T1's snapshot: it cannot be serialized after T2
    expect(await commitOutcome(t1.commit())).toBe('CONFLICT'); // → CONFLICT
    expect(await commitOutcome(view.commit())).toBe('ok'); // → a read-only snapshot commits (nothing to write)
    expect([await read(db, 'x'), await read(db, 'y'), await read(db, 'sum')]).toEqual(['40', '60', undefined]);
  });

  it('G2-item write skew: each reads both keys and writes one; one of them must fail', async () => {
    const db = await open();
    await seed(db, { 'oncall:alice': '1', 'oncall:bob': '1' }); // invariant: at least one on call
    const t1 = db.newTransaction({ update: true });
    const t2 = db.newTransaction({ update: true });
    const onCall1 = Number(text(t1.get('oncall:alice'))) + Number(text(t1.get('oncall:bob')));
    const onCall2 = Number(text(t2.get('oncall:alice'))) + Number(text(t2.get('oncall:bob')));
    expect([onCall1, onCall2]).toEqual([2, 2]);
    t1.set('oncall:alice', '0'); // Alice goes off call (Bob still is, in T1's snapshot)
    t2.set('oncall:bob', '0'); //   Bob goes off call (Alice still is, in T2's snapshot)
    expect(await commitOutcome(t1.commit())).toBe('ok'); // → ok
    expect(await commitOutcome(t2.commit())).toBe('CONFLICT'); // → CONFLICT: T2 read alice, which T1 wrote
    expect([await read(db, 'oncall:alice'), await read(db, 'oncall:bob')]).toEqual(['0', '1']);
  });

  it('G2 write skew through scans (predicate reads): one of them must fail', async () => {
    const db = await open();
    await seed(db, { 'oncall:alice': '1', 'oncall:bob': '1' });
    const t1 = db.newTransaction({ update: true });
    const t2 = db.newTransaction({ update: true });
    expect(keysOf(t1, { prefix: 'oncall:' })).toHaveLength(2);
    expect(keysOf(t2, { prefix: 'oncall:' })).toHaveLength(2);
    t1.delete('oncall:alice');
    t2.delete('oncall:bob');
    expect(await commitOutcome(t1.commit())).toBe('ok'); // → ok
    expect(await commitOutcome(t2.commit())).toBe('CONFLICT'); // → CONFLICT: alice is inside T2's scanned range
    expect(await db.view((txn) => keysOf(txn, { prefix: 'oncall:' }))).toEqual(['oncall:bob']);
  });

  it('phantom: T1 scans a prefix, T2 inserts into it and commits, T1 writes and commits → CONFLICT', async () => {
    const db = await open();
    await seed(db, { 'user:1:ev:1': 'a', 'user:1:ev:2': 'b', 'user:2:ev:1': 'c' });
    const t1 = db.newTransaction({ update: true });
    const events = keysOf(t1, { prefix: 'user:1:' }); // T1: "stream user:1 has 2 events"
    expect(events).toEqual(['user:1:ev:1', 'user:1:ev:2']);
    await db.set('user:1:ev:3', 'phantom'); // T2 inserts a key in the scanned range (after its last key)
    t1.set('user:1:ev:3', 'mine'); // T1 appends "event 3" believing it is the next one
    expect(await commitOutcome(t1.commit())).toBe('CONFLICT'); // → CONFLICT (Badger would commit: a phantom)
    expect(await read(db, 'user:1:ev:3')).toBe('phantom');

    // Inserts outside the scanned range do not conflict.
    const t3 = db.newTransaction({ update: true });
    keysOf(t3, { prefix: 'user:1:' });
    await db.set('user:2:ev:2', 'other stream');
    await db.set('user:0', 'before');
    t3.set('user:1:ev:4', 'x');
    expect(await commitOutcome(t3.commit())).toBe('ok'); // → ok
  });

  it('phantom through a bounded start/end scan and through a reverse scan', async () => {
    const db = await open();
    await seed(db, { b: '1', d: '1', f: '1' });
    const t1 = db.newTransaction({ update: true });
    expect(keysOf(t1, { start: 'a', end: 'e' })).toEqual(['b', 'd']); // exhausted: covers [a, e)
    await db.set('dd', 'x'); // inside [a, e)
    t1.set('z', '1');
    expect(await commitOutcome(t1.commit())).toBe('CONFLICT'); // → CONFLICT

    const t2 = db.newTransaction({ update: true });
    expect(keysOf(t2, { start: 'a', end: 'e' })).toEqual(['b', 'd', 'dd']);
    await db.set('e', 'x'); // the end bound is exclusive
    t2.set('z', '2');
    expect(await commitOutcome(t2.commit())).toBe('ok'); // → ok

    const t3 = db.newTransaction({ update: true });
    expect(keysOf(t3, { reverse: true, end: 'e' })).toEqual(['dd', 'd', 'b']); // covers [, e)
    await db.set('a', 'x');
    t3.set('z', '3');
    expect(await commitOutcome(t3.commit())).toBe('CONFLICT'); // → CONFLICT
  });

  it('a delete inside a scanned range is a conflict too', async () => {
    const db = await open();
    await seed(db, { 'p:1': '1', 'p:2': '2' });
    const t1 = db.newTransaction({ update: true });
    expect(keysOf(t1, { prefix: 'p:' })).toEqual(['p:1', 'p:2']);
    await db.delete('p:2');
    t1.set('count', '2');
    expect(await commitOutcome(t1.commit())).toBe('CONFLICT'); // → CONFLICT
  });

  it('a scan that stopped early is not invalidated by an insert beyond its last returned key', async () => {
    const db = await open();
    await seed(db, { 'p:1': 'a', 'p:3': 'b', 'p:5': 'c' });

    const t1 = db.newTransaction({ update: true });
    for (const item of t1.iterate({ prefix: 'p:' })) {
      expect(text(item.key)).toBe('p:1');
      break; // covered range: [p:, p:1\0)
    }
    await db.set('p:4', 'x'); // beyond the last returned key
    await db.delete('p:5');
    t1.set('out', '1');
    expect(await commitOutcome(t1.commit())).toBe('ok'); // → ok

    const t2 = db.newTransaction({ update: true });
    const first = t2.iterate({ prefix: 'p:' });
    expect(text(first.next().value?.key)).toBe('p:1');
    first.close();
    await db.set('p:0', 'x'); // before the last returned key, inside the range
    t2.set('out', '2');
    expect(await commitOutcome(t2.commit())).toBe('CONFLICT'); // → CONFLICT

    const t3 = db.newTransaction({ update: true });
    for (const item of t3.iterate({ prefix: 'p:', reverse: true })) {
      expect(text(item.key)).toBe('p:4');
      break; // covered range: [p:4, end of prefix)
    }
    await db.set('p:2', 'x'); // below the last returned key of a reverse scan
    t3.set('out', '3');
    expect(await commitOutcome(t3.commit())).toBe('ok'); // → ok

    const t4 = db.newTransaction({ update: true });
    for (const item of t4.iterate({ prefix: 'p:', reverse: true })) {
      expect(text(item.key)).toBe('p:4');
      break;
    }
    await db.set('p:9', 'x'); // above it, inside the prefix
    t4.set('out', '4');
    expect(await commitOutcome(t4.commit())).toBe('CONFLICT'); // → CONFLICT

    const t5 = db.newTransaction({ update: true });
    const unstarted = t5.iterate({ prefix: 'p:' }); // opened, never advanced: observed nothing
    unstarted.close();
    await db.set('p:7', 'x');
    t5.set('out', '5');
    expect(await commitOutcome(t5.commit())).toBe('ok'); // → ok
  });

  it('a seek covers from the seek key; keys returned before a later seek stay protected', async () => {
    const db = await open();
    await seed(db, { 'p:1': 'a', 'p:3': 'b', 'p:5': 'c', 'p:7': 'd' });

    const t1 = db.newTransaction({ update: true });
    const it1 = t1.iterate({ prefix: 'p:' });
    it1.seek('p:4');
    expect(text(it1.next().value?.key)).toBe('p:5');
    it1.close(); // covered: [p:4, p:5\0)
    await db.set('p:2', 'x'); // below the seek key
    t1.set('out', '1');
    expect(await commitOutcome(t1.commit())).toBe('ok'); // → ok

    // The iterator returned p:1 and then seeked forward to p:5: the caller observed p:1, so a
    // later commit that changes p:1 must conflict, whatever the iterator did afterwards.
    const t2 = db.newTransaction({ update: true });
    const it2 = t2.iterate({ prefix: 'p:' });
    expect(text(it2.next().value?.key)).toBe('p:1');
    it2.seek('p:5');
    expect(text(it2.next().value?.key)).toBe('p:5');
    it2.close();
    await db.set('p:1', 'changed');
    t2.set('out', '2');
    expect(await commitOutcome(t2.commit())).toBe('CONFLICT'); // → CONFLICT (p:1 was read)
  });

  it('a read-only transaction never conflicts (views and update transactions without writes)', async () => {
    const db = await open();
    await seed(db, { a: '1', b: '1' });
    const view = db.newTransaction({ update: false });
    const readOnlyUpdate = db.newTransaction({ update: true });
    for (const txn of [view, readOnlyUpdate]) {
      txn.get('a');
      keysOf(txn, {});
    }
    await db.update((txn) => {
      txn.set('a', '2');
      txn.set('c', '3');
    });
    expect(await commitOutcome(view.commit())).toBe('ok'); // → ok
    expect(await commitOutcome(readOnlyUpdate.commit())).toBe('ok'); // → ok: it is serialized at its snapshot
    expect(await db.view((txn) => text(txn.get('a')))).toBe('2');
  });

  it('write-only transactions never conflict, even on the same keys', async () => {
    const db = await open();
    await seed(db, { a: '0' });
    const t1 = db.newTransaction({ update: true });
    const t2 = db.newTransaction({ update: true });
    const t3 = db.newTransaction({ update: true });
    t1.set('a', '1');
    t2.set('a', '2');
    t3.delete('a');
    expect(await commitOutcome(t2.commit())).toBe('ok'); // → ok
    expect(await commitOutcome(t3.commit())).toBe('ok'); // → ok
    expect(await commitOutcome(t1.commit())).toBe('ok'); // → ok; the last commit wins
    expect(await read(db, 'a')).toBe('1');
    expect(db.stats().conflicts).toBe(0);
  });
});
