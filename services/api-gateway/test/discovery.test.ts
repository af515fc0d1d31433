import type { IncomingMessage } from 'node:http';
import { ResourceRegistry } from '@keelson/api';
import { AGGREGATED_V2, aggregatedDiscovery, apiResourceList, wantsAggregated } from '../src/http/discovery';

const KUBECTL_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const req = (accept: string) => ({ headers: { accept } }) as IncomingMessage;
const registry = new ResourceRegistry();

test('kubectl gets the aggregated v2 form; a plain client the legacy one', () => {
  expect(wantsAggregated(req(KUBECTL_ACCEPT))).toBe(AGGREGATED_V2);
  expect(wantsAggregated(req('application/json'))).toBeUndefined();
  expect(wantsAggregated(req('application/json, application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'))).toBeUndefined();
});

test('aggregated discovery lists apps deployments with the autoscaling Scale subresource', () => {
  const doc = aggregatedDiscovery(registry, false, AGGREGATED_V2) as any;
  const apps = doc.items.find((g: any) => g.metadata.name === 'apps');
  const deploy = apps.versions[0].resources.find((r: any) => r.resource === 'deployments');
  expect(deploy).toMatchObject({ scope: 'Namespaced', singularResource: 'deployment', shortNames: ['deploy'], categories: ['all'] });
  expect(deploy.subresources).toContainEqual({ subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] });
});

test('legacy resource list names subresources as resource/sub', () => {
  const list = apiResourceList(registry, '', 'v1') as any;
  const names = list.resources.map((r: any) => r.name);
  expect(names).toEqual(expect.arrayContaining(['pods', 'pods/status', 'pods/binding', 'namespaces', 'nodes', 'events', 'configmaps', 'serviceaccounts']));
  expect(list.resources.find((r: any) => r.name === 'pods')).toMatchObject({ shortNames: ['po'], categories: ['all'], namespaced: true, kind: 'Pod' });
});
