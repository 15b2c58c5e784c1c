/**
 * What the CLI calls for `--store etcd://host:port[,host:port...][/namespace]` (or PROGRESS_STORE).
 *
 * - `parseEtcdUrl` checks the address; a malformed one is EtcdUrlError (code INVALID_STORE_URL:
 *   a usage error, exit 2).
 * - `openEtcdStore` connects and asks the cluster for its revision within `connectTimeoutMs`
 *   (default 3000 ms); an unreachable cluster is StoreUnavailable (code STORE_UNAVAILABLE, exit 3)
 *   with a message that names the endpoints and the next step.
 * - The returned store is a KvStore: hand it to EventStore.open like the embedded one.
 */
import { StoreUnavailable } from '@progress/domain';
import type { KvStoreLimits } from '@progress/domain';
import { reasonOf } from './errors.js';
import { EtcdKvStore } from './etcd-kv-store.js';

export class EtcdUrlError extends Error {
  readonly code = 'INVALID_STORE_URL' as const;
  constructor(message: string) {
    super(message);
    this.name = 'EtcdUrlError';
  }
}

export interface EtcdUrl {
  /** `host:port`, IPv6 hosts in brackets. */
  readonly hosts: readonly string[];
  /** Key prefix from the path (`/team-a` → `team-a/`), or '' without a path. */
  readonly namespace: string;
}

export const DEFAULT_ETCD_PORT = 2379;

const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))$/;
const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** True when `value` names an etcd store (`etcd://...`), as opposed to a directory. */
export function isEtcdUrl(value: string): boolean {
  return /^etcd:\/\//i.test(value.trim());
}

export function parseEtcdUrl(url: string): EtcdUrl {
  const text = url.trim();
  const match = /^etcd:\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(text);
  if (match === null) {
    throw new EtcdUrlError(`"${url}" is not an etcd store address; expected etcd://host:port[,host:port...][/namespace]`);
  }
  const authority = match[1] ?? '';
  if (authority === '') throw new EtcdUrlError(`"${url}" names no etcd host; e.g. etcd://10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379`);
  const hosts = authority.split(',').map((part) => parseHost(part.trim(), url));
  const path = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (path !== '' && !NAMESPACE.test(path)) {
    throw new EtcdUrlError(`namespace "${path}" in "${url}" must be 1-64 letters, digits, '.', '_' or '-'`);
  }
  return { hosts: [...new Set(hosts)], namespace: path === '' ? '' : `${path}/` };
}

function parseHost(part: string, url: string): string {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(part);
  const host = match?.[1] ?? '';
  if (match === null || !HOST.test(host)) throw new EtcdUrlError(`"${part}" in "${url}" is not a host[:port]`);
  const port = match[2] === undefined ? DEFAULT_ETCD_PORT : Number(match[2]);
  if (port < 1 || port > 65535) throw new EtcdUrlError(`port ${port} in "${url}" is out of range`);
  return `${host}:${port}`;
}

export interface OpenEtcdStoreOptions {
  /** How long to try to reach the cluster before StoreUnavailable (default 3000 ms). */
  readonly connectTimeoutMs?: number;
  /** Deadline of one request once connected (default 5000 ms). */
  readonly requestTimeoutMs?: number;
  /** How long reads and unsent commits keep trying during a failover (default 10000 ms). */
  readonly unavailableTimeoutMs?: number;
  readonly limits?: Partial<KvStoreLimits>;
}

export async function openEtcdStore(url: string, options: OpenEtcdStoreOptions = {}): Promise<EtcdKvStore> {
  const parsed = parseEtcdUrl(url);
  const connectTimeoutMs = options.connectTimeoutMs ?? 3000;
  const store = new EtcdKvStore({
    hosts: parsed.hosts,
    namespace: parsed.namespace,
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.unavailableTimeoutMs === undefined ? {} : { unavailableTimeoutMs: options.unavailableTimeoutMs }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  try {
    await store.ping(connectTimeoutMs); // a short budget: an unreachable cluster fails in seconds
  } catch (error) {
    await store.close();
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
    throw new StoreUnavailable(
      `cannot reach the etcd cluster at ${parsed.hosts.join(',')} within ${connectTimeoutMs / 1000} s (${reasonOf(cause)}); ` +
        `check that its members are running (etcdctl --endpoints=${parsed.hosts.join(',')} endpoint health) and that the address is right`,
      { cause: error },
    );
  }
  return store;
}
