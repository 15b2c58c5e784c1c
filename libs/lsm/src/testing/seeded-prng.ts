/**
 * A small seeded PRNG for tests and simulations (sfc32 seeded through splitmix32): the same seed
 * gives the same sequence on every platform. Never Math.random in the harness (STYLE 19).
 */

export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An unsigned 32-bit integer. */
  nextUint32(): number;
  /** An integer in [0, bound) for 1 <= bound <= 2^32. */
  nextInt(bound: number): number;
  /** Fills `target` with random bytes. */
  fill(target: Uint8Array): void;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createPrng(seed: number): Prng {
  const init = splitmix32(Math.floor(seed) ^ Math.floor(seed / 0x100000000));
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const nextUint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextUint32();
  return {
    nextUint32,
    next: () => nextUint32() / 0x100000000,
    nextInt: (bound) => Math.floor((nextUint32() / 0x100000000) * bound),
    fill: (target) => {
      for (let i = 0; i < target.length; i++) target[i] = nextUint32() & 0xff;
    },
  };
}
