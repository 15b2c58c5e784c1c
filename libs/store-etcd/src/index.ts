/**
 * @progress/store-etcd: the domain's storage port (KvStore) on an etcd v3 cluster, for teams that
 * track progress together from several machines. The CLI opens it with `openEtcdStore(url)` and
 * hands it to `EventStore.open` exactly like the embedded store.
 */
export { EtcdKvStore, ETCD_DEFAULT_LIMITS } from './etcd-kv-store.js';
export type { EtcdKvStoreOptions, EtcdKvStoreStats } from './etcd-kv-store.js';
export { openEtcdStore, parseEtcdUrl, isEtcdUrl, EtcdUrlError, DEFAULT_ETCD_PORT } from './open.js';
export type { EtcdUrl, OpenEtcdStoreOptions } from './open.js';
