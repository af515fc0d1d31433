import { BUILTIN_RESOURCES, type KubeObject } from '@keelson/api';
import type { DiscoveredResource, ResourceRef } from '@keelson/client';
import type { Informer, ResourceEventHandler } from '@keelson/controller-runtime';
import { createLogger } from '@keelson/telemetry';
import { AbsentOwnerCache } from '../src/absent-owner-cache';
import { DependencyGraph, type GraphNode } from '../src/graph';
import { KindResolver } from '../src/identity';
import { Monitors, type InformerSource } from '../src/monitors';
import { collectedResources, diffMonitors, resolvableKinds } from '../src/served-resources';

const ALL = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const served = (group: string, version: string, resource: string, kind: string, extra: Partial<DiscoveredResource> = {}): DiscoveredResource => ({
  group, version, resource, kind, namespaced: true, verbs: ALL, preferred: true, ...extra,
});
const names = (rs: readonly { group: string; version: string; resource: string }[]): string[] => rs.map((r) => `${r.resource}.${r.group}/${r.version}`);

const configmaps = served('', 'v1', 'configmaps', 'ConfigMap');
const crontabsV1 = served('stable.example.com', 'v1', 'crontabs', 'CronTab');

describe('collectedResources', () => {
  test('keeps listable, watchable, deletable resources that are not ignored', () => {
    const out = collectedResources([
      configmaps,
      served('', 'v1', 'events', 'Event'),
      served('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', { verbs: ['create'] }),
      served('', 'v1', 'componentstatuses', 'ComponentStatus', { verbs: ['get', 'list'] }),
      crontabsV1,
    ], ['events']);
    expect(names(out)).toEqual(['configmaps./v1', 'crontabs.stable.example.com/v1']);
  });

  test('one version per group/resource: the preferred one, else the first a non-preferred group version serves', () => {
    const out = collectedResources([
      served('stable.example.com', 'v2', 'crontabs', 'CronTab'),
      served('stable.example.com', 'v1', 'crontabs', 'CronTab', { preferred: false }),
      served('stable.example.com', 'v1', 'legacythings', 'LegacyThing', { preferred: false }),
    ], []);
    expect(names(out)).toEqual(['crontabs.stable.example.com/v2', 'legacythings.stable.example.com/v1']);
  });

  test('skips versions that are views of another resource\'s storage, whatever the order discovery lists them in', () => {
    const out = collectedResources([
      served('autoscaling', 'v1', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler'),
      served('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', { preferred: false }),
      served('events.k8s.io', 'v1', 'events', 'Event'),
    ], []);
    expect(names(out)).toEqual(['horizontalpodautoscalers.autoscaling/v2']);
  });

  test('over the built-in resources: each object is watched once, and the ignored core events not at all', () => {
    const out = collectedResources(BUILTIN_RESOURCES, ['events']);
    const keys = out.map((r) => `${r.resource}.${r.group}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(names(out)).toContain('horizontalpodautoscalers.autoscaling/v2');
    expect(keys).not.toContain('events.');
    expect(keys).not.toContain('events.events.k8s.io');
  });

  test('the resolver addresses a kind through its storage version, not a view', () => {
    const resolver = new KindResolver(resolvableKinds([
      served('autoscaling', 'v1', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler'),
      served('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', { preferred: false }),
    ]));
    expect(resolver.resolve('autoscaling/v1', 'HorizontalPodAutoscaler').version).toBe('v2');
  });
});

describe('diffMonitors', () => {
  test('starts newly served resources and stops the ones no longer served', () => {
    const d = diffMonitors([configmaps, crontabsV1], [configmaps, served('example.com', 'v1', 'widgets', 'Widget')]);
    expect(names(d.start)).toEqual(['widgets.example.com/v1']);
    expect(names(d.stop)).toEqual(['crontabs.stable.example.com/v1']);
  });

  test('nothing to do when discovery is unchanged', () => {
    expect(diffMonitors([configmaps, crontabsV1], [crontabsV1, configmaps])).toEqual({ start: [], stop: [] });
  });

  test('a new served version, or a CRD recreated with another scope, restarts the monitor', () => {
    const v2 = { ...crontabsV1, version: 'v2' };
    expect(diffMonitors([crontabsV1], [v2])).toEqual({ start: [v2], stop: [crontabsV1] });
    const cluster = { ...crontabsV1, namespaced: false };
    expect(diffMonitors([crontabsV1], [cluster])).toEqual({ start: [cluster], stop: [crontabsV1] });
  });
});

/** Informers that deliver what a test tells them to, and report whether they were stopped. */
class FakeInformers implements InformerSource {
  readonly live = new Map<string, { handlers: ResourceEventHandler<KubeObject>[]; synced: boolean }>();
  readonly stopped: string[] = [];
  informer(r: ResourceRef): Informer<KubeObject> {
    const entry = { handlers: [] as ResourceEventHandler<KubeObject>[], synced: false };
    this.live.set(key(r), entry);
    const fake = { addEventHandler: (h: ResourceEventHandler<KubeObject>) => entry.handlers.push(h), hasSynced: () => entry.synced };
    return fake as unknown as Informer<KubeObject>;
  }
  async removeInformer(r: ResourceRef): Promise<void> {
    this.live.delete(key(r));
    this.stopped.push(key(r));
  }
  add(r: ResourceRef, o: KubeObject): void {
    for (const h of this.live.get(key(r))!.handlers) h.onAdd?.(o, { revision: 1 });
  }
}
const key = (r: ResourceRef): string => `${r.resource}.${r.group}/${r.version}`;

function setupMonitors(clock = { now: 0 }) {
  const queued: string[] = [];
  const resolver = new KindResolver(resolvableKinds(BUILTIN_RESOURCES));
  const graph = new DependencyGraph({
    resolver, absentOwners: new AbsentOwnerCache(),
    queues: { attemptToDelete: (n: GraphNode) => queued.push(n.identity.uid), attemptToOrphan: () => undefined, invalidOwnerNamespace: () => undefined },
  });
  const informers = new FakeInformers();
  const monitors = new Monitors({ informers, graph, resolver, ignoredResources: ['events'], logger: createLogger('test', { write: () => undefined }), syncTimeoutMs: 1000, now: () => clock.now });
  return { queued, resolver, graph, informers, monitors };
}

describe('Monitors', () => {
  const clusterCrontabs = { ...crontabsV1, resource: 'clustertabs', kind: 'ClusterTab', namespaced: false };

  test('a resource served later gets a monitor, and one no longer served is stopped', async () => {
    const { informers, monitors } = setupMonitors();
    const first = await monitors.sync([configmaps]);
    expect(names(first.started)).toEqual(['configmaps./v1']);
    const second = await monitors.sync([configmaps, crontabsV1]);
    expect(names(second.started)).toEqual(['crontabs.stable.example.com/v1']);
    expect(second.stopped).toEqual([]);
    expect([...informers.live.keys()]).toEqual(['configmaps./v1', 'crontabs.stable.example.com/v1']);
    const third = await monitors.sync([configmaps]);
    expect(names(third.stopped)).toEqual(['crontabs.stable.example.com/v1']);
    expect(informers.stopped).toEqual(['crontabs.stable.example.com/v1']);
    expect(names(monitors.resources)).toEqual(['configmaps./v1']);
  });

  test('the graph is synced only when every monitor is, including one started by a resync', async () => {
    const { informers, monitors } = setupMonitors();
    await monitors.sync([configmaps]);
    informers.live.get('configmaps./v1')!.synced = true;
    expect(monitors.synced()).toBe(true);
    await monitors.sync([configmaps, crontabsV1]);
    expect(monitors.synced()).toBe(false);
    informers.live.get('crontabs.stable.example.com/v1')!.synced = true;
    expect(monitors.synced()).toBe(true);
  });

  test('a monitor that cannot sync holds the workers only until the sync timeout', async () => {
    const clock = { now: 0 };
    const { monitors } = setupMonitors(clock);
    await monitors.sync([configmaps]);
    clock.now = 999;
    expect(monitors.synced()).toBe(false);
    clock.now = 1000;
    expect(monitors.synced()).toBe(true);
  });

  test('a new monitor feeds the graph, and a kind served from now on is addressable', async () => {
    const { informers, monitors, graph, resolver } = setupMonitors();
    await monitors.sync([configmaps]);
    expect(resolver.isNamespaced('stable.example.com/v1', 'CronTab')).toBeUndefined();
    await monitors.sync([configmaps, crontabsV1]);
    expect(resolver.resolve('stable.example.com/v1', 'CronTab')).toMatchObject({ resource: 'crontabs', namespaced: true });
    // Items of a list carry no apiVersion/kind: the monitor's resource says what they are.
    informers.add(crontabsV1, { metadata: { name: 'ct', namespace: 'default', uid: 'u-ct' } } as KubeObject);
    expect(graph.get('u-ct')).toMatchObject({ virtual: false, identity: { apiVersion: 'stable.example.com/v1', kind: 'CronTab', namespace: 'default' } });
  });

  test('virtual owners of a kind discovered later get its scope and are verified again at once', async () => {
    const { informers, monitors, graph, queued } = setupMonitors();
    await monitors.sync([configmaps]);
    const owner = { apiVersion: 'stable.example.com/v1', kind: 'ClusterTab', name: 'owner', uid: 'u-owner' };
    informers.add(configmaps, { metadata: { name: 'cm', namespace: 'default', uid: 'u-cm', ownerReferences: [owner] } } as KubeObject);
    // Unknown kind: the owner is guessed to live in its dependent's namespace.
    expect(graph.get('u-owner')).toMatchObject({ virtual: true, identity: { namespace: 'default' } });
    expect(queued).toEqual(['u-owner']);
    await monitors.sync([configmaps, clusterCrontabs]);
    expect(graph.get('u-owner')).toMatchObject({ virtual: true, identity: { namespace: '', kind: 'ClusterTab' } });
    expect(queued).toEqual(['u-owner', 'u-owner']);
    // An unchanged discovery queues nothing.
    await monitors.sync([configmaps, clusterCrontabs]);
    expect(queued).toEqual(['u-owner', 'u-owner']);
  });

  test('a monitor stopped with its resource leaves its nodes in the graph, so a version switch does not collect anything', async () => {
    const { informers, monitors, graph, queued } = setupMonitors();
    await monitors.sync([configmaps, crontabsV1]);
    informers.add(crontabsV1, { metadata: { name: 'ct', namespace: 'default', uid: 'u-ct' } } as KubeObject);
    informers.add(configmaps, { metadata: { name: 'cm', namespace: 'default', uid: 'u-cm', ownerReferences: [{ apiVersion: 'stable.example.com/v1', kind: 'CronTab', name: 'ct', uid: 'u-ct' }] } } as KubeObject);
    const v2 = { ...crontabsV1, version: 'v2' };
    const res = await monitors.sync([configmaps, v2]);
    expect(names(res.stopped)).toEqual(['crontabs.stable.example.com/v1']);
    expect(graph.get('u-ct')).toMatchObject({ virtual: false });
    expect(queued).toEqual([]);
    informers.add(v2, { metadata: { name: 'ct', namespace: 'default', uid: 'u-ct' } } as KubeObject);
    expect(graph.get('u-ct')!.identity.apiVersion).toBe('stable.example.com/v2');
    expect([...graph.get('u-ct')!.dependents].map((d) => d.identity.name)).toEqual(['cm']);
  });
});
