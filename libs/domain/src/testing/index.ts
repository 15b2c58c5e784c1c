/**
 * `@progress/domain/testing`: what other KvStore implementations (libs/store-etcd, the LSM adapter)
 * need to prove they honour the port — the contract suite (it imports vitest, so only test files
 * should import this entry) and the in-memory reference store.
 */
export { kvStoreContract } from './kv-store-contract.js';
export { MemoryKvStore } from './memory-kv-store.js';
