import { AGGREGATED_DISCOVERY_V2, discoverResources, type DiscoveryTransport } from '../src/discovery';
import type { RequestOptions } from '../src/transport';

/** Answers discovery paths from a table, recording the Accept header of each call. */
function fake(answers: Record<string, unknown>): DiscoveryTransport & { calls: { path: string; accept?: string }[] } {
  const calls: { path: string; accept?: string }[] = [];
  return {
    calls,
    async raw<T>(_method: string, path: string, opts?: RequestOptions): Promise<T> {
      calls.push({ path, accept: opts?.accept });
      if (!(path in answers)) throw new Error(`unexpected ${path}`);
      return answers[path] as T;
    },
  };
}

test('aggregated discovery: two requests; scope, kind and the preferred (first) version of each group', async () => {
  const t = fake({
    '/api': { kind: 'APIGroupDiscoveryList', items: [{ metadata: {}, versions: [{ version: 'v1', resources: [{ resource: 'configmaps', responseKind: { kind: 'ConfigMap' }, scope: 'Namespaced', verbs: ['list', 'watch', 'delete'] }] }] }] },
    '/apis': { kind: 'APIGroupDiscoveryList', items: [{ metadata: { name: 'stable.example.com' }, versions: [
      { version: 'v2', resources: [{ resource: 'crontabs', responseKind: { kind: 'CronTab' }, scope: 'Namespaced', verbs: ['get'] }] },
      { version: 'v1', resources: [{ resource: 'clustertabs', responseKind: { kind: 'ClusterTab' }, scope: 'Cluster', verbs: ['list'] }] },
    ] }] },
  });
  expect(await discoverResources(t)).toEqual([
    { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['list', 'watch', 'delete'], preferred: true },
    { group: 'stable.example.com', version: 'v2', resource: 'crontabs', kind: 'CronTab', namespaced: true, verbs: ['get'], preferred: true },
    { group: 'stable.example.com', version: 'v1', resource: 'clustertabs', kind: 'ClusterTab', namespaced: false, verbs: ['list'], preferred: false },
  ]);
  expect(t.calls.map((c) => c.path)).toEqual(['/api', '/apis']);
  expect(t.calls[0].accept).toContain(AGGREGATED_DISCOVERY_V2);
});

test('a server answering with legacy documents: one request per group version, subresources left out', async () => {
  const t = fake({
    '/api': { kind: 'APIVersions', versions: ['v1'] },
    '/apis': { kind: 'APIGroupList', groups: [{ name: 'apps', preferredVersion: { version: 'v1' }, versions: [{ version: 'v1' }, { version: 'v1beta1' }] }] },
    '/api/v1': { resources: [{ name: 'pods', kind: 'Pod', namespaced: true, verbs: ['list'] }, { name: 'pods/status', kind: 'Pod', namespaced: true, verbs: ['get'] }] },
    '/apis/apps/v1': { resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['delete'] }] },
    '/apis/apps/v1beta1': { resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['delete'] }] },
  });
  const out = await discoverResources(t);
  expect(out.map((r) => `${r.resource}.${r.group}/${r.version}${r.preferred ? ' preferred' : ''}`))
    .toEqual(['pods./v1 preferred', 'deployments.apps/v1 preferred', 'deployments.apps/v1beta1']);
});
