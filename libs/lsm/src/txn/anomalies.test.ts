// Goal: each isolation anomaly of Adya's taxonomy (P0, G1a, G1b, lost update, G-single, G2-item,
// phantom) is prevented exactly as DESIGN.md "Isolation" / oracle.ts claims (serializable, with
// scanned ranges in the read set), and the transaction API's contract holds: own writes, iterator
// lifetime, DISCARDED_TXN, READ_ONLY, limits, TXN_TIMEOUT, TTL, userMeta, db.update retries.
// Method: scripted, deterministic interleavings driven by hand with db.newTransaction(); every
// step is synchronous or awaited in a fixed order, so each test has exactly one schedule. The
// expected outcome of each interleaving is written next to it ("→ ..."). Stores are in memory
// (MemFs); an injected clock drives timeouts and TTL.
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../db.js';
import type { DbOptions } from '../options.js';
import { MemFs } from '../testing/mem-fs.js';
import type { Txn } from './txn.js';
import { codeOf, commitOutcome, rejectionCodeOf, text } from './txn-tests.test-util.js';

const opened: Db[] = [];

async function open(options: Partial<DbOptions> = {}): Promise<Db> {
  const db = await openDb({ inMemory: true, dir: '/db', ...options });
  opened.push(db);
  return db;
}

afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

async function seed(db: Db, entries: Record<string, string>): Promise<void> {
  await db.update((txn) => {
    for (const [key, value] of Object.entries(entries)) txn.set(key, value);
  });
}

async function read(db: Db, key: string): Promise<string | undefined> {
  return text(await db.get(key));
}

function keysOf(txn: Txn, options: Parameters<Txn['iterate']>[0]): string[] {
  return [...txn.iterate(options)].map((item) => text(item.key) as string);
}

function entriesOf(txn: Txn, options: Parameters<Txn['iterate']>[0]): [string, string][] {
  return [...txn.iterate(options)].map((item) => [text(item.key) as string, text(item.value) as string]);
}

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

describe('transaction API contract', () => {
  it('own writes are visible to get and to iterators (forward, reverse, bounds, keysOnly); deletes hide snapshot keys', async () => {
    const db = await open();
    await seed(db, { a: 'A', b: 'B', c: 'C', d: 'D' });
    const txn = db.newTransaction({ update: true });
    txn.set('b', 'B2'); //  overwrite a snapshot key
    txn.delete('c'); //     hide a snapshot key
    txn.set('e', 'E'); //   new key after the snapshot's last
    txn.set('0', 'Z'); //   new key before the snapshot's first
    txn.set('x', 'gone');
    txn.delete('x'); //     a pending write deleted again
    txn.delete('d');
    txn.set('d', 'D3'); //  deleted then set again
    expect(text(txn.get('b'))).toBe('B2');
    expect(txn.tryGet('c')).toBeUndefined();
    expect(codeOf(() => txn.get('c'))).toBe('KEY_NOT_FOUND');
    expect(txn.tryGet('x')).toBeUndefined();
    expect(text(txn.get('d'))).toBe('D3');
    expect(txn.getItem('e')?.version).toBe(0); // pending writes have no commit timestamp yet
    expect(txn.getItem('a')?.version).toBeGreaterThan(0);
    const all: [string, string][] = [['0', 'Z'], ['a', 'A'], ['b', 'B2'], ['d', 'D3'], ['e', 'E']];
    expect(entriesOf(txn, {})).toEqual(all);
    expect(entriesOf(txn, { reverse: true })).toEqual([...all].reverse());
    expect(entriesOf(txn, { start: 'b', end: 'e' })).toEqual([['b', 'B2'], ['d', 'D3']]);
    expect(entriesOf(txn, { start: 'b', end: 'e', reverse: true })).toEqual([['d', 'D3'], ['b', 'B2']]);
    expect([...txn.iterate({ keysOnly: true })].map((item) => [text(item.key), item.value.length])).toEqual(
      all.map(([key]) => [key, 0]),
    );
    const seeker = txn.iterate({});
    seeker.seek('c');
    expect(text(seeker.next().value?.key)).toBe('d'); // c is deleted: the seek lands on d
    seeker.close();
    const reverseSeeker = txn.iterate({ reverse: true });
    reverseSeeker.seek('c');
    expect(text(reverseSeeker.next().value?.key)).toBe('b');
    reverseSeeker.close();
    // other transactions see none of it
    expect(await db.view((view) => entriesOf(view, {}))).toEqual([['a', 'A'], ['b', 'B'], ['c', 'C'], ['d', 'D']]);
    await txn.commit();
    expect(await db.view((view) => entriesOf(view, {}))).toEqual(all);
    expect(await db.view((view) => entriesOf(view, { prefix: 'd' }))).toEqual([['d', 'D3']]);
  });

  it('own writes overlay a snapshot that lives in SSTs and the value log', async () => {
    const db = await open({ memTableBytes: 64 * 1024, valueThresholdBytes: 64 });
    const big = (n: number): string => `big-${n}-`.padEnd(200, '.');
    await db.update((txn) => {
      for (let i = 0; i < 20; i++) txn.set(`k${String(i).padStart(2, '0')}`, i % 2 === 0 ? big(i) : `small-${i}`);
    });
    await db.flush();
    expect(db.stats().levels.reduce((n, level) => n + level.tables, 0)).toBeGreaterThan(0);
    const txn = db.newTransaction({ update: true });
    txn.delete('k00');
    txn.set('k01', big(101));
    txn.set('k05a', 'inserted');
    const entries = entriesOf(txn, { start: 'k00', end: 'k06' });
    expect(entries).toEqual([
      ['k01', big(101)], ['k02', big(2)], ['k03', 'small-3'], ['k04', big(4)], ['k05', 'small-5'], ['k05a', 'inserted'],
    ]);
    expect(entriesOf(txn, { start: 'k00', end: 'k06', reverse: true })).toEqual([...entries].reverse());
    txn.discard();
  });

  it('iterators opened in a transaction are closed when it ends, and counted', async () => {
    const db = await open();
    await seed(db, { a: '1', b: '2', c: '3' });
    const before = db.stats().iteratorsClosedForCaller;
    const txn = db.newTransaction({ update: true });
    const midway = txn.iterate({});
    expect(text(midway.next().value?.key)).toBe('a');
    const unstarted = txn.iterate({ reverse: true });
    for (const _item of txn.iterate({})) break; // closed by the for-of: not counted
    txn.set('d', '4');
    await txn.commit();
    expect(codeOf(() => midway.next())).toBe('DISCARDED_TXN'); // → closed with the transaction
    expect(codeOf(() => unstarted.next())).toBe('DISCARDED_TXN');
    expect(db.stats().iteratorsClosedForCaller - before).toBe(2);

    const view = db.newTransaction({ update: false });
    const open1 = view.iterate({ prefix: 'a' });
    view.discard();
    expect(codeOf(() => open1.next())).toBe('DISCARDED_TXN');
    expect(db.stats().iteratorsClosedForCaller - before).toBe(3);
    expect(db.stats().openSnapshots).toBe(0);
  });

  it('a discarded or committed transaction fails every use with DISCARDED_TXN; discard is idempotent', async () => {
    const db = await open();
    await seed(db, { a: '1' });
    const txn = db.newTransaction({ update: true });
    txn.set('b', '2');
    txn.discard();
    txn.discard(); // idempotent
    txn[Symbol.dispose](); // so is dispose
    expect(txn.isEnded).toBe(true);
    expect(codeOf(() => txn.get('a'))).toBe('DISCARDED_TXN');
    expect(codeOf(() => txn.tryGet('a'))).toBe('DISCARDED_TXN');
    expect(codeOf(() => txn.set('a', 'x'))).toBe('DISCARDED_TXN');
    expect(codeOf(() => txn.delete('a'))).toBe('DISCARDED_TXN');
    expect(codeOf(() => txn.iterate({}))).toBe('DISCARDED_TXN');
    expect(await rejectionCodeOf(txn.commit())).toBe('DISCARDED_TXN');
    expect(await read(db, 'b')).toBeUndefined();

    const committed = db.newTransaction({ update: true });
    committed.set('c', '3');
    await committed.commit();
    expect(codeOf(() => committed.get('c'))).toBe('DISCARDED_TXN');
    expect(await rejectionCodeOf(committed.commit())).toBe('DISCARDED_TXN');
    committed.discard(); // no-op after commit
    expect(await read(db, 'c')).toBe('3');

    const disposed = db.newTransaction({ update: true });
    disposed.set('d', '4');
    await disposed[Symbol.asyncDispose]();
    expect(codeOf(() => disposed.get('d'))).toBe('DISCARDED_TXN');
    expect(await read(db, 'd')).toBeUndefined();
    expect(db.stats().openSnapshots).toBe(0);
  });

  it('writing in a view is READ_ONLY', async () => {
    const db = await open();
    await seed(db, { a: '1' });
    const codes = await db.view((txn) => [
      codeOf(() => txn.set('a', '2')),
      codeOf(() => txn.delete('a')),
      codeOf(() => txn.setEntry('a', '2', { userMeta: 1 })),
    ]);
    expect(codes).toEqual(['READ_ONLY', 'READ_ONLY', 'READ_ONLY']);
    const manual = db.newTransaction();
    expect(manual.update).toBe(false);
    expect(codeOf(() => manual.set('a', '3'))).toBe('READ_ONLY');
    expect(text(manual.get('a'))).toBe('1'); // still readable after the refused write
    manual.discard();
    expect(await read(db, 'a')).toBe('1');
  });

  it('TXN_TOO_BIG: the write that would exceed the entry or byte limit is refused and not kept', async () => {
    const db = await open({ maxTxnEntries: 10, maxTxnBytes: 1024 });
    const txn = db.newTransaction({ update: true });
    for (let i = 0; i < 10; i++) txn.set(`k${i}`, 'v');
    expect(codeOf(() => txn.set('k10', 'v'))).toBe('TXN_TOO_BIG'); // → 11th entry refused
    expect(codeOf(() => txn.delete('k11'))).toBe('TXN_TOO_BIG');
    expect(txn.pendingWrites).toBe(10);
    txn.set('k3', 'overwrite'); // replacing a pending entry adds no entry
    expect(txn.tryGet('k10')).toBeUndefined();
    await txn.commit(); // the transaction stays usable
    expect(await read(db, 'k3')).toBe('overwrite');
    expect(await read(db, 'k10')).toBeUndefined();

    const bytes = db.newTransaction({ update: true });
    bytes.set('a', 'x'.repeat(400));
    bytes.set('b', 'x'.repeat(400));
    expect(codeOf(() => bytes.set('c', 'x'.repeat(400)))).toBe('TXN_TOO_BIG'); // → 1,200+ bytes > 1 KiB
    expect(codeOf(() => bytes.set('a', 'x'.repeat(800)))).toBe('TXN_TOO_BIG'); // growing a pending entry counts
    expect(bytes.pendingWrites).toBe(2);
    expect(text(bytes.get('a'))).toHaveLength(400);
    bytes.set('a', 'small'); // shrinking frees room
    bytes.set('c', 'x'.repeat(400));
    await bytes.commit();
    expect(await read(db, 'c')).toHaveLength(400);

    await expect(
      db.update((t) => {
        for (let i = 0; i < 11; i++) t.set(`u${i}`, 'v');
      }),
    ).rejects.toMatchObject({ code: 'TXN_TOO_BIG' }); // not retried, nothing written
    expect(await read(db, 'u0')).toBeUndefined();
  });

  it('KEY_TOO_LARGE, EMPTY_KEY and VALUE_TOO_LARGE on every operation that takes them', async () => {
    const db = await open({ maxKeyBytes: 16, maxValueBytes: 100 });
    const txn = db.newTransaction({ update: true });
    const longKey = 'k'.repeat(17);
    expect(codeOf(() => txn.set(longKey, 'v'))).toBe('KEY_TOO_LARGE');
    expect(codeOf(() => txn.get(longKey))).toBe('KEY_TOO_LARGE');
    expect(codeOf(() => txn.delete(longKey))).toBe('KEY_TOO_LARGE');
    expect(codeOf(() => txn.set('', 'v'))).toBe('EMPTY_KEY');
    expect(codeOf(() => txn.set(new Uint8Array(0), 'v'))).toBe('EMPTY_KEY');
    expect(codeOf(() => txn.tryGet(''))).toBe('EMPTY_KEY');
    expect(codeOf(() => txn.delete(''))).toBe('EMPTY_KEY');
    expect(codeOf(() => txn.set('k', 'v'.repeat(101)))).toBe('VALUE_TOO_LARGE');
    expect(codeOf(() => txn.setEntry('k', new Uint8Array(101), { ttlMs: 10 }))).toBe('VALUE_TOO_LARGE');
    expect(codeOf(() => txn.setEntry('k', 'v', { ttlMs: 0 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => txn.setEntry('k', 'v', { userMeta: 256 }))).toBe('INVALID_ARGUMENT');
    expect(txn.pendingWrites).toBe(0);
    txn.set('k'.repeat(16), 'v'.repeat(100)); // exactly at the limits: accepted
    await txn.commit();
    expect(await read(db, 'k'.repeat(16))).toBe('v'.repeat(100));
    const batch = db.newWriteBatch();
    expect(codeOf(() => batch.set(longKey, 'v'))).toBe('KEY_TOO_LARGE');
    expect(codeOf(() => batch.set('b', 'v'.repeat(101)))).toBe('VALUE_TOO_LARGE');
  });

  it('TXN_TIMEOUT with an injected clock: the next operation fails, the timeout is counted, the txn is ended', async () => {
    let now = 1_700_000_000_000;
    const db = await open({ nowMs: () => now, txnTimeoutMs: 1000 });
    await seed(db, { a: '1' });
    const txn = db.newTransaction({ update: true });
    txn.set('b', '2');
    now += 1000; // exactly the limit: still fine
    expect(text(txn.get('a'))).toBe('1');
    now += 1;
    expect(codeOf(() => txn.get('a'))).toBe('TXN_TIMEOUT'); // → the first call after the limit
    expect(db.stats().txnTimeouts).toBe(1);
    expect(codeOf(() => txn.get('a'))).toBe('DISCARDED_TXN'); // → then it is discarded
    expect(db.stats().openSnapshots).toBe(0); // and no longer pins a snapshot

    const committing = db.newTransaction({ update: true });
    committing.set('c', '3');
    now += 5000;
    expect(await rejectionCodeOf(committing.commit())).toBe('TXN_TIMEOUT'); // → commit too; nothing written
    expect(db.stats().txnTimeouts).toBe(2);

    const view = db.newTransaction({ update: false });
    const iterator = view.iterate({});
    now += 1001;
    expect(codeOf(() => iterator.next())).toBe('TXN_TIMEOUT'); // → iterators check their transaction
    expect(db.stats().txnTimeouts).toBe(3);

    const patient = db.newTransaction({ update: true, timeoutMs: 10_000 }); // per-transaction override
    now += 5000;
    patient.set('d', '4');
    await patient.commit();

    await db.update(
      (t) => {
        now += 5000;
        t.set('e', '5');
      },
      { timeoutMs: 10_000 },
    );
    await expect(
      db.update((t) => {
        now += 1001;
        t.set('f', '6');
      }),
    ).rejects.toMatchObject({ code: 'TXN_TIMEOUT' }); // not retried
    expect(db.stats().txnTimeouts).toBe(4);
    expect([await read(db, 'b'), await read(db, 'c'), await read(db, 'd'), await read(db, 'e'), await read(db, 'f')]).toEqual([
      undefined, undefined, '4', '5', undefined,
    ]);
  });

  it('TTL: setEntry({ ttlMs }) expires with the injected clock, in the memtable, in SSTs, in the vlog, after reopen', async () => {
    let now = 1_700_000_000_000;
    const fs = new MemFs();
    const options = { fs, dir: '/ttl', nowMs: () => now, memTableBytes: 64 * 1024, valueThresholdBytes: 64 } as const;
    let db = await openDb(options);
    await db.update((txn) => {
      txn.setEntry('short', 'v', { ttlMs: 1000 });
      txn.setEntry('short-big', 'x'.repeat(300), { ttlMs: 1000, userMeta: 9 });
      txn.setEntry('long', 'v', { ttlMs: 60_000 });
      txn.set('forever', 'v');
      const own = txn.getItem('short');
      expect(own?.expiresAt).toBe(now + 1000); // visible to its own transaction, with its expiry
    });
    const live = (): Promise<string[]> => db.view((txn) => keysOf(txn, {}));
    expect(await live()).toEqual(['forever', 'long', 'short', 'short-big']);
    expect((await db.view((txn) => txn.getItem('short-big')))?.userMeta).toBe(9);
    now += 500;
    expect(await db.view((txn) => text(txn.tryGet('short')))).toBe('v');
    now += 600; // 1,100 ms after the write
    expect(await db.view((txn) => txn.tryGet('short'))).toBeUndefined(); // → expired reads as absent
    expect(await db.view((txn) => txn.tryGet('short-big'))).toBeUndefined();
    expect(await live()).toEqual(['forever', 'long']); // → and iterators skip it
    expect(await db.view((txn) => keysOf(txn, { reverse: true }))).toEqual(['long', 'forever']);
    await db.flush(); // now in an SST
    expect(await live()).toEqual(['forever', 'long']);
    await db.close();
    db = await openDb(options);
    expect(await live()).toEqual(['forever', 'long']);
    now += 60_000;
    expect(await live()).toEqual(['forever']);
    // An expired key can be written again
    await db.update((txn) => txn.setEntry('short', 'again', { ttlMs: 10 }));
    expect(text(await db.get('short'))).toBe('again');
    await db.close();
  });

  it('userMeta round-trips through the memtable, SSTs, the vlog and a reopen', async () => {
    const fs = new MemFs();
    const options = { fs, dir: '/meta', memTableBytes: 64 * 1024, valueThresholdBytes: 64 } as const;
    let db = await openDb(options);
    const big = 'b'.repeat(500);
    await db.update((txn) => {
      txn.setEntry('m0', 'small', { userMeta: 0 });
      txn.setEntry('m7', 'small', { userMeta: 7 });
      txn.setEntry('m255', big, { userMeta: 255 });
      expect(txn.getItem('m7')?.userMeta).toBe(7); // own pending write
    });
    const metas = (): Promise<[string, number, number][]> =>
      db.view((txn) => [...txn.iterate({ prefix: 'm' })].map((item) => [text(item.key) as string, item.userMeta, item.value.length]));
    const expected: [string, number, number][] = [['m0', 0, 5], ['m255', 255, 500], ['m7', 7, 5]];
    expect(await metas()).toEqual(expected);
    expect((await db.view((txn) => txn.getItem('m255')))?.userMeta).toBe(255);
    await db.flush();
    expect(await metas()).toEqual(expected);
    await db.close();
    db = await openDb(options);
    expect(await metas()).toEqual(expected);
    expect(text(await db.get('m255'))).toBe(big);
    await db.close();
  });

  it('db.update retries CONFLICT and succeeds; returns the function result', async () => {
    const db = await open({ seed: 7 });
    await seed(db, { k: '0' });
    let attempts = 0;
    const result = await db.update(
      async (txn) => {
        attempts++;
        const value = Number(text(txn.get('k')));
        if (attempts <= 2) await db.set('k', String(value + 100)); // a competing commit after our read
        txn.set('k', String(value + 1));
        return `attempt ${attempts}`;
      },
      { retries: 5 },
    );
    expect(result).toBe('attempt 3'); // → two CONFLICTs, then success on the third attempt
    expect(attempts).toBe(3);
    expect(await read(db, 'k')).toBe('201');
    expect(db.stats().conflicts).toBe(2);
  });

  it('db.update rethrows CONFLICT once `retries` are exhausted, and never retries other errors', async () => {
    const db = await open({ seed: 8 });
    await seed(db, { k: '0' });
    for (const retries of [0, 2]) {
      let attempts = 0;
      const outcome = db.update(
        async (txn) => {
          attempts++;
          const value = Number(text(txn.get('k')));
          await db.set('k', String(value + 1)); // always interfere
          txn.set('k', 'never');
        },
        { retries },
      );
      expect(await rejectionCodeOf(outcome)).toBe('CONFLICT'); // → CONFLICT after 1 + retries attempts
      expect(attempts).toBe(retries + 1);
    }
    expect(await read(db, 'k')).toBe('4');
    let attempts = 0;
    await expect(
      db.update(() => {
        attempts++;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(attempts).toBe(1);
    await expect(db.update(() => undefined, { retries: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(db.stats().openSnapshots).toBe(0);
  });
});
