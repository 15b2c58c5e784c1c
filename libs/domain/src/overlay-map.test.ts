// Goal: OverlayMap behaves exactly as a Map (get, has, size, insertion order of iteration) under
// any sequence of sets and forks, and a fork never sees the other side's later sets.
// Method: fast-check, seeded: random operations applied to OverlayMaps and to reference Maps
// (a fork of a Map is a copy). The seed is printed; rerun with SEED=<n>.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OverlayMap } from './overlay-map.js';

const SEED = Number(process.env['SEED'] ?? Date.now() % 1_000_000_000);
const RUNS = Number(process.env['RUNS'] ?? 300);

type Op = { kind: 'set'; map: number; key: number; value: number } | { kind: 'fork'; map: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 9, arbitrary: fc.record({ kind: fc.constant('set' as const), map: fc.nat(7), key: fc.nat(300), value: fc.integer() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fork' as const), map: fc.nat(7) }) },
);

describe('OverlayMap', () => {
  it(`equals a Map through random sets and forks (seed ${SEED}, ${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
        const ours = [OverlayMap.from(new Map<number, number>())];
        const model = [new Map<number, number>()];
        for (const o of ops) {
          const i = o.map % ours.length;
          const a = ours[i] as OverlayMap<number, number>;
          const m = model[i] as Map<number, number>;
          if (o.kind === 'set') {
            a.set(o.key, o.value);
            m.set(o.key, o.value);
          } else {
            ours.push(a.fork());
            model.push(new Map(m));
          }
        }
        ours.forEach((a, i) => {
          const m = model[i] as Map<number, number>;
          expect(a.size).toBe(m.size);
          expect([...a]).toEqual([...m]);
          expect([...a.keys()]).toEqual([...m.keys()]);
          expect([...a.values()]).toEqual([...m.values()]);
          for (let key = 0; key <= 300; key += 7) {
            expect(a.get(key)).toBe(m.get(key));
            expect(a.has(key)).toBe(m.has(key));
          }
        });
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('copies a plain Map in its order, and forks an OverlayMap', () => {
    const source = new Map([['b', 1], ['a', 2]]);
    const map = OverlayMap.from(source);
    source.set('c', 3);
    expect([...map]).toEqual([['b', 1], ['a', 2]]);
    const fork = OverlayMap.from(map);
    fork.set('a', 9);
    expect(map.get('a')).toBe(2);
    expect([...fork]).toEqual([['b', 1], ['a', 9]]);
    const seen: string[] = [];
    fork.forEach((value, key, self) => seen.push(`${key}=${value}:${self === fork}`));
    expect(seen).toEqual(['b=1:true', 'a=9:true']);
  });

  it('compares in tests by its entries, whatever its internal split (and unequal when they differ)', () => {
    const a = OverlayMap.from(new Map([[1, 'x'], [2, 'y']]));
    const b = OverlayMap.from(new Map([[1, 'x']]));
    b.set(2, 'y');
    expect(a).toEqual(b);
    b.set(3, 'z');
    expect(a).not.toEqual(b);
    const c = OverlayMap.from(new Map([[1, 'x'], [2, 'other']]));
    expect(a).not.toEqual(c);
  });

  it('merges the overlay into a new base past its bound without changing a shared base', () => {
    const original = OverlayMap.from(new Map<number, number>());
    for (let i = 0; i < 100; i++) original.set(i, i);
    const fork = original.fork();
    for (let i = 0; i < 200; i++) fork.set(i, -i);
    expect(original.get(50)).toBe(50);
    expect(original.size).toBe(100);
    expect(fork.get(50)).toBe(-50);
    expect(fork.size).toBe(200);
    expect([...fork.keys()]).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });
});
