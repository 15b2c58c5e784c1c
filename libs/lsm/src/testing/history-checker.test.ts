// Goal: the list-append history checker (history-checker.ts) finds every anomaly it claims to,
// with a correctly classified witness, and reports nothing on serializable histories.
// Method: hand-made bad histories, one per anomaly (G0, G1a, G1b, G1c, G-single, G2, duplicate,
// garbage, incompatible order, non-atomic appends, internal inconsistency, lost append), plus
// random SERIAL histories generated from a Map model (seeded; SEED env), which must be valid.
import { describe, expect, it } from 'vitest';
import { checkListAppendHistory, formatCheckResult, type HistoryTxn, type MicroOp } from './history-checker.js';
import { createPrng } from './seeded-prng.js';

const append = (key: string, value: number): MicroOp => ({ f: 'append', key, value });
const read = (key: string, ...value: number[]): MicroOp => ({ f: 'read', key, value });
const ok = (id: number, ...ops: MicroOp[]): HistoryTxn => ({ id, status: 'ok', ops });
const fail = (id: number, ...ops: MicroOp[]): HistoryTxn => ({ id, status: 'fail', ops });

describe('history checker', () => {
  it('accepts a serializable history and reports its edges', () => {
    const result = checkListAppendHistory(
      [
        ok(1, append('x', 1), append('y', 1)),
        ok(2, read('x', 1), append('x', 2)),
        ok(3, read('y', 1), read('x', 1, 2)),
        fail(4, append('x', 99)),
        ok(5, read('x', 1, 2), read('y', 1)),
      ],
      { complete: true },
    );
    expect(formatCheckResult(result)).toContain('0 cycles, 0 other anomalies');
    expect(result.valid).toBe(true);
    expect(result.stats).toMatchObject({ txns: 5, ok: 4, failed: 1, keys: 2 });
    expect(result.stats.edges.ww).toBe(1); // T1 → T2 on x
    expect(result.stats.edges.wr).toBeGreaterThan(0);
  });

  it('finds G0 (write cycle): two transactions append to x and y in opposite orders', () => {
    const result = checkListAppendHistory([
      ok(1, append('x', 1), append('y', 1)),
      ok(2, append('x', 2), append('y', 2)),
      ok(3, read('x', 1, 2), read('y', 2, 1)),
    ]);
    expect(result.valid).toBe(false);
    expect(result.cycles).toHaveLength(1);
    expect(result.cycles[0]?.type).toBe('G0');
    expect(result.cycles[0]?.component).toEqual([1, 2]);
    expect(result.cycles[0]?.steps.map((s) => s.kind)).toEqual(['ww', 'ww']);
  });

  it('finds G1c (circular information flow): each reads the other\'s append', () => {
    const result = checkListAppendHistory([
      ok(1, append('x', 1), read('y', 2)),
      ok(2, append('y', 2), read('x', 1)),
    ]);
    expect(result.cycles.map((c) => c.type)).toEqual(['G1c']);
    expect(result.cycles[0]?.steps.map((s) => s.kind).sort()).toEqual(['wr', 'wr']);
  });

  it('finds G-single (read skew): one anti-dependency closes the cycle', () => {
    const result = checkListAppendHistory([
      ok(1, read('x'), read('y', 2)), // saw T2's y but not T2's x
      ok(2, append('x', 1), append('y', 2)),
      ok(3, read('x', 1), read('y', 2)),
    ]);
    expect(result.cycles.map((c) => c.type)).toEqual(['G-single']);
    const kinds = result.cycles[0]?.steps.map((s) => `${s.kind}:${s.key}`).sort();
    expect(kinds).toEqual(['rw:x', 'wr:y']);
  });

  it('finds G2 (write skew): two anti-dependencies', () => {
    const result = checkListAppendHistory([
      ok(1, read('x'), read('y'), append('x', 1)),
      ok(2, read('x'), read('y'), append('y', 2)),
      ok(3, read('x', 1), read('y', 2)),
    ]);
    expect(result.cycles.map((c) => c.type)).toEqual(['G2']);
    expect(result.cycles[0]?.steps.map((s) => s.kind)).toEqual(['rw', 'rw']);
  });

  it('finds a G2 cycle that spans three transactions (a phantom-like chain)', () => {
    const result = checkListAppendHistory([
      ok(1, read('a'), append('b', 1)),
      ok(2, read('b'), append('c', 1)),
      ok(3, read('c'), append('a', 1)),
      ok(4, read('a', 1), read('b', 1), read('c', 1)),
    ]);
    expect(result.cycles).toHaveLength(1);
    expect(result.cycles[0]?.component).toEqual([1, 2, 3]);
    expect(result.cycles[0]?.type).toBe('G2');
    expect(result.cycles[0]?.steps).toHaveLength(3);
  });

  it('finds G1a (aborted read)', () => {
    const result = checkListAppendHistory([fail(1, append('x', 1)), ok(2, read('x', 1))]);
    expect(result.anomalies.map((a) => a.type)).toEqual(['G1a']);
    expect(result.anomalies[0]?.txns).toEqual([1, 2]);
  });

  it('finds G1b (intermediate read)', () => {
    const result = checkListAppendHistory([
      ok(1, append('x', 1), append('x', 2)),
      ok(2, read('x', 1)),
      ok(3, read('x', 1, 2)),
    ]);
    expect(result.anomalies.map((a) => a.type)).toEqual(['G1b']);
  });

  it('finds duplicates, garbage and incompatible orders', () => {
    const result = checkListAppendHistory([
      ok(1, append('x', 1)),
      ok(2, append('x', 2)),
      ok(3, read('x', 1, 2)),
      ok(4, read('x', 2, 1)),
      ok(5, read('y', 7, 7)),
    ]);
    const types = result.anomalies.map((a) => a.type).sort();
    expect(types).toContain('incompatible-order');
    expect(types).toContain('duplicate');
    expect(types).toContain('garbage');
    expect(result.valid).toBe(false);
  });

  it('finds non-atomic appends (another transaction\'s value between one transaction\'s appends)', () => {
    const result = checkListAppendHistory([
      ok(1, append('x', 1), append('x', 3)),
      ok(2, append('x', 2)),
      ok(3, read('x', 1, 2, 3)),
    ]);
    expect(result.anomalies.map((a) => a.type)).toContain('non-contiguous');
  });

  it('finds internal inconsistency (a read that misses the transaction\'s own append)', () => {
    const result = checkListAppendHistory([ok(1, append('x', 1), read('x'))]);
    expect(result.anomalies.map((a) => a.type)).toEqual(['internal']);
  });

  it('finds a lost append when the history ends with complete reads', () => {
    const history = [ok(1, append('x', 1)), ok(2, append('x', 2)), ok(3, read('x', 2))];
    expect(checkListAppendHistory(history).anomalies.map((a) => a.type)).toEqual([]);
    expect(checkListAppendHistory(history, { complete: true }).anomalies.map((a) => a.type)).toEqual(['lost-append']);
  });

  it('rejects a malformed history (a value appended twice to one key)', () => {
    expect(() => checkListAppendHistory([ok(1, append('x', 1)), ok(2, append('x', 1))])).toThrow(/twice/);
  });

  it('accepts random serial histories (no false positives)', () => {
    const seed = Number(process.env['SEED'] ?? 0x41e);
    console.log(`history-checker serial histories: SEED=${seed}`);
    const prng = createPrng(seed);
    for (let round = 0; round < 20; round++) {
      const state = new Map<string, number[]>();
      const history: HistoryTxn[] = [];
      let next = 1;
      for (let id = 1; id <= 300; id++) {
        const ops: MicroOp[] = [];
        const aborted = prng.nextInt(10) === 0;
        const local = new Map(state);
        for (let n = 1 + prng.nextInt(4); n > 0; n--) {
          const key = `k${prng.nextInt(6)}`;
          if (prng.nextInt(2) === 0) {
            const value = next++;
            ops.push(append(key, value));
            local.set(key, [...(local.get(key) ?? []), value]);
          } else ops.push(read(key, ...(local.get(key) ?? [])));
        }
        if (!aborted) for (const [key, list] of local) state.set(key, list);
        history.push(aborted ? fail(id, ...ops) : ok(id, ...ops));
      }
      history.push(ok(10_000, ...[...state.keys()].map((key) => read(key, ...(state.get(key) ?? [])))));
      const result = checkListAppendHistory(history, { complete: true });
      if (!result.valid) console.log(formatCheckResult(result));
      expect(result.valid).toBe(true);
      expect(result.stats.edges.rw).toBeGreaterThan(0);
    }
  });
});
