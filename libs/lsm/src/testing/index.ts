/** Test helpers shipped under `@progress/lsm/testing`: in-memory and fault-injecting file systems. */
export { MemFs } from './mem-fs.js';
export { FaultFs } from './fault-fs.js';
export { createPrng, type Prng } from './seeded-prng.js';
