// Goal: the store address the CLI passes (`--store etcd://...`) is parsed strictly: hosts with
// default port, IPv6, an optional namespace path, and clear errors (INVALID_STORE_URL) otherwise.
import { describe, expect, it } from 'vitest';
import { EtcdUrlError, isEtcdUrl, parseEtcdUrl } from './open.js';

describe('parseEtcdUrl', () => {
  it('reads hosts, default ports and a namespace', () => {
    expect(parseEtcdUrl('etcd://10.0.0.1:2379,10.0.0.2:2379,10.0.0.3')).toEqual({
      hosts: ['10.0.0.1:2379', '10.0.0.2:2379', '10.0.0.3:2379'], namespace: '',
    });
    expect(parseEtcdUrl('etcd://etcd-a.example.org/team-a')).toEqual({ hosts: ['etcd-a.example.org:2379'], namespace: 'team-a/' });
    expect(parseEtcdUrl(' ETCD://[::1]:23790/ ')).toEqual({ hosts: ['[::1]:23790'], namespace: '' });
    expect(parseEtcdUrl('etcd://h:1,h:1').hosts).toEqual(['h:1']);
  });

  it('refuses what is not an etcd address', () => {
    for (const bad of ['http://h:2379', 'etcd://', 'etcd://h:99999', 'etcd://h:x', 'etcd://h:1,,h:2', 'etcd://h/a/b', 'etcd://bad host']) {
      expect(() => parseEtcdUrl(bad), bad).toThrow(EtcdUrlError);
    }
    try {
      parseEtcdUrl('etcd://');
    } catch (error) {
      expect((error as EtcdUrlError).code).toBe('INVALID_STORE_URL');
    }
  });

  it('tells a store address from a directory', () => {
    expect(isEtcdUrl('etcd://h:2379')).toBe(true);
    expect(isEtcdUrl('/var/lib/progress')).toBe(false);
    expect(isEtcdUrl('./etcd')).toBe(false);
  });
});
