/** Test and benchmark helpers (not part of the store's API): a throw-away loopback cluster. */
export { startEtcdCluster, freeBasePort, MEMBER_NAMES, CLUSTER_SCRIPT } from './etcd-cluster.js';
export type { EtcdCluster, MemberName } from './etcd-cluster.js';
