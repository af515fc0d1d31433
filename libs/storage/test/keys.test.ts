import { BUILTIN_RESOURCES, type ResourceInfo } from '@keelson/api';
import { keyFor, prefixEnd, prefixFor, resourcePrefixOfKey } from '../src';

const byResource = (r: string): ResourceInfo => {
  const info = BUILTIN_RESOURCES.find((x) => x.resource === r);
  if (!info) throw new Error(r);
  return info;
};

describe('etcd keys', () => {
  test('namespaced core objects live under /registry/core/<resource>/<namespace>/<name>', () => {
    expect(keyFor(byResource('pods'), 'default', 'web-1')).toBe('/registry/core/pods/default/web-1');
  });

  test('grouped resources use the group name as the second segment', () => {
    expect(keyFor(byResource('deployments'), 'prod', 'api')).toBe('/registry/apps/deployments/prod/api');
    expect(keyFor(byResource('leases'), 'kube-node-lease', 'n1')).toBe('/registry/coordination.k8s.io/leases/kube-node-lease/n1');
  });

  test('cluster-scoped objects have no namespace segment', () => {
    expect(keyFor(byResource('nodes'), undefined, 'n1')).toBe('/registry/core/nodes/n1');
    expect(keyFor(byResource('namespaces'), 'ignored', 'default')).toBe('/registry/core/namespaces/default');
  });

  test("a key's resource prefix is found from the key alone", () => {
    expect(resourcePrefixOfKey(keyFor(byResource('pods'), 'default', 'web-1'))).toBe(prefixFor(byResource('pods')));
    expect(resourcePrefixOfKey(keyFor(byResource('nodes'), undefined, 'n1'))).toBe('/registry/core/nodes/');
    expect(resourcePrefixOfKey('/registry/example.com/widgets/ns/w')).toBe('/registry/example.com/widgets/');
    for (const outside of ['/registry/core', '/registry/core/pods', '/other/core/pods/x', '']) expect(resourcePrefixOfKey(outside)).toBeUndefined();
  });

  test('a namespaced key without a namespace is a programming error', () => {
    expect(() => keyFor(byResource('pods'), undefined, 'x')).toThrow(/namespace/);
  });

  test('prefixes end with a slash so that namespace "a" does not match "ab"', () => {
    expect(prefixFor(byResource('pods'))).toBe('/registry/core/pods/');
    expect(prefixFor(byResource('pods'), 'a')).toBe('/registry/core/pods/a/');
    expect(prefixFor(byResource('nodes'), 'a')).toBe('/registry/core/nodes/');
  });

  test('prefixEnd is the first key after the prefix range', () => {
    expect(prefixEnd('/registry/core/pods/').toString()).toBe('/registry/core/pods0');
    expect(prefixEnd('/registry/apps/deployments/ns/').toString()).toBe('/registry/apps/deployments/ns0');
  });
});
