import { eventSubject, parseRegistryKey, subjectForKey } from '../src';

describe('registry key → subject', () => {
  test('a namespaced core object: group core, namespace token', () => {
    expect(parseRegistryKey('/registry/core/configmaps/default/cm-1')).toEqual({ group: '', resource: 'configmaps', namespace: 'default', name: 'cm-1' });
    expect(subjectForKey('/registry/core/configmaps/default/cm-1')).toBe('keelson.events.core.configmaps.default');
  });

  test('a cluster-scoped object (one segment fewer) gets namespace `_`', () => {
    expect(parseRegistryKey('/registry/core/namespaces/kube-system')).toEqual({ group: '', resource: 'namespaces', name: 'kube-system' });
    expect(subjectForKey('/registry/core/nodes/n1')).toBe('keelson.events.core.nodes._');
  });

  test('dots in a group become `_`; dots in a name stay out of the subject', () => {
    expect(subjectForKey('/registry/rbac.authorization.k8s.io/clusterroles/system:admin')).toBe('keelson.events.rbac_authorization_k8s_io.clusterroles._');
    expect(subjectForKey('/registry/apps/deployments/default/web.v2')).toBe(eventSubject('apps', 'deployments', 'default'));
    expect(parseRegistryKey('/registry/core/configmaps/default/kube-root-ca.crt')?.name).toBe('kube-root-ca.crt');
  });

  test('keys that are not object keys have no subject', () => {
    for (const key of ['/keelson/leader/relay', '/registry/core/pods', '/registry/core/pods/ns/a/b', '/registry/core//ns/a', '/registry/core/pods/n.s/a', '/registry/core/po*ds/x']) {
      expect(subjectForKey(key)).toBeUndefined();
    }
  });
});
