// The garbage collector against the running cluster, driven by real kubectl: background,
// foreground and orphan cascades, owners that never existed, cluster-scoped owners, and
// owners referenced across namespaces.
import { startControlPlane, type ControlPlane, until } from '@keelson/testing';

jest.setTimeout(90_000);

let c: ControlPlane;
beforeAll(async () => {
  c = await startControlPlane({ nats: true, services: ['garbage-collector'] });
  await c.startService('garbage-collector', { env: { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '300' } });
});
afterAll(async () => {
  await c?.stop();
});

interface Meta {
  name: string;
  uid: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  ownerReferences?: { uid: string; name: string; kind: string }[];
}

interface Ref {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  blockOwnerDeletion?: boolean;
  controller?: boolean;
}

async function meta(kind: string, name: string, ns = 'default'): Promise<Meta | undefined> {
  const r = await c.kubectl(['get', kind, name, '-n', ns, '-o', 'json']);
  if (r.code !== 0) {
    if (/NotFound|not found/.test(r.stderr)) return undefined;
    throw new Error(r.stderr);
  }
  return (JSON.parse(r.stdout) as { metadata: Meta }).metadata;
}

async function refTo(kind: string, name: string, apiVersion = 'v1', extra: Partial<Ref> = {}): Promise<Ref> {
  const m = await meta(kind, name);
  if (!m) throw new Error(`${kind}/${name} not found`);
  return { apiVersion, kind: kindName(kind), name, uid: m.uid, ...extra };
}

const kindName = (k: string): string => ({ configmap: 'ConfigMap', replicaset: 'ReplicaSet', node: 'Node', pod: 'Pod' })[k] ?? k;

function configMap(name: string, owners: Ref[], opts: { ns?: string; finalizers?: string[] } = {}): object {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: opts.ns ?? 'default', ownerReferences: owners, finalizers: opts.finalizers }, data: { a: '1' } };
}

function pod(name: string, owners: Ref[]): object {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ownerReferences: owners }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
}

async function apply(...objs: object[]): Promise<void> {
  for (const o of objs) {
    const r = await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(o) });
    if (r.code !== 0) throw new Error(r.stderr);
  }
}


const gone = (kind: string, name: string, ns?: string) => async () => (await meta(kind, name, ns)) === undefined;

test('kubectl delete (background) removes dependents; one with another live owner only loses the reference', async () => {
  await c.k('create', 'configmap', 'bg-owner');
  await c.k('create', 'configmap', 'bg-other');
  const owner = await refTo('configmap', 'bg-owner', 'v1', { controller: true, blockOwnerDeletion: true });
  const other = await refTo('configmap', 'bg-other');
  await apply(pod('bg-pod', [owner]), configMap('bg-dep', [owner]), configMap('bg-shared', [owner, other]));
  // Owned objects of a live owner are left alone.
  await new Promise((r) => setTimeout(r, 1000));
  expect(await meta('pod', 'bg-pod')).toBeDefined();

  await c.k('delete', 'configmap', 'bg-owner');
  await until('dependents are deleted', async () => (await gone('pod', 'bg-pod')()) && (await gone('configmap', 'bg-dep')()));
  await until('the shared dependent drops the dangling reference', async () => (await meta('configmap', 'bg-shared'))?.ownerReferences?.length === 1);
  expect((await meta('configmap', 'bg-shared'))!.ownerReferences!.map((r) => r.name)).toEqual(['bg-other']);
});

test('a dependent of an owner that never existed is collected; one of a live cluster-scoped owner stays until it goes', async () => {
  await c.k('create', 'configmap', 'ghost-owner');
  const ghost = await refTo('configmap', 'ghost-owner');
  await c.k('delete', 'configmap', 'ghost-owner');
  await apply({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'gc-node' } });
  const node = await refTo('node', 'gc-node');
  await apply(configMap('orphaned-at-birth', [{ ...ghost, uid: '00000000-0000-4000-8000-00000000dead' }]), configMap('on-node', [node]));

  await until('the dependent of a missing owner is deleted', gone('configmap', 'orphaned-at-birth'));
  expect(await meta('configmap', 'on-node')).toBeDefined();
  await c.k('delete', 'node', 'gc-node');
  await until('the dependent of the deleted node is deleted', gone('configmap', 'on-node'));
});

test('kubectl delete --cascade=foreground removes blocking dependents first, then the owner', async () => {
  const rs = {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'fg-rs', namespace: 'default' },
    spec: { replicas: 0, selector: { matchLabels: { app: 'fg' } }, template: { metadata: { labels: { app: 'fg' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  };
  await apply(rs);
  const owner = await refTo('replicaset', 'fg-rs', 'apps/v1', { controller: true, blockOwnerDeletion: true });
  // A held dependent (its own finalizer) keeps the owner waiting in the foreground.
  await apply(pod('fg-pod', [owner]), configMap('fg-held', [owner], { finalizers: ['keelson.dev/hold'] }), configMap('fg-loose', [{ ...owner, blockOwnerDeletion: false }]));

  await c.k('delete', 'replicaset', 'fg-rs', '--cascade=foreground', '--wait=false');
  await until('unheld dependents are deleted', async () => (await gone('pod', 'fg-pod')()) && (await gone('configmap', 'fg-loose')()));
  const waiting = await meta('replicaset', 'fg-rs');
  expect(waiting?.deletionTimestamp).toBeDefined();
  expect(waiting?.finalizers).toContain('foregroundDeletion');
  expect((await meta('configmap', 'fg-held'))?.deletionTimestamp).toBeDefined();

  await c.k('patch', 'configmap', 'fg-held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
  await until('the owner goes once its blocking dependents are gone', gone('replicaset', 'fg-rs'));
  expect(await meta('configmap', 'fg-held')).toBeUndefined();
});

test('kubectl delete --cascade=orphan removes the owner and leaves dependents without the reference', async () => {
  await c.k('create', 'configmap', 'or-owner');
  await c.k('create', 'configmap', 'or-other');
  const owner = await refTo('configmap', 'or-owner', 'v1', { controller: true, blockOwnerDeletion: true });
  const other = await refTo('configmap', 'or-other');
  await apply(pod('or-pod', [owner]), configMap('or-two', [owner, other]));

  await c.k('delete', 'configmap', 'or-owner', '--cascade=orphan');
  await until('the owner is deleted', gone('configmap', 'or-owner'));
  expect((await meta('pod', 'or-pod'))?.ownerReferences ?? []).toEqual([]);
  expect((await meta('configmap', 'or-two'))?.ownerReferences?.map((r) => r.name)).toEqual(['or-other']);
  // Orphans are not collected later either.
  await new Promise((r) => setTimeout(r, 1000));
  expect(await meta('pod', 'or-pod')).toBeDefined();
});

test('an owner in another namespace is treated as absent, with an OwnerRefInvalidNamespace event', async () => {
  await c.k('create', 'namespace', 'gc-elsewhere');
  await c.k('create', 'configmap', 'xns-owner');
  const owner = await refTo('configmap', 'xns-owner');
  await apply(configMap('xns-dep', [owner], { ns: 'gc-elsewhere' }));

  await until('the cross-namespace dependent is deleted', gone('configmap', 'xns-dep', 'gc-elsewhere'));
  await until('the event is recorded', async () => {
    const events = JSON.parse(await c.k('get', 'events', '-n', 'gc-elsewhere', '-o', 'json')) as { items: { reason: string; involvedObject: { name: string } }[] };
    return events.items.some((e) => e.reason === 'OwnerRefInvalidNamespace' && e.involvedObject.name === 'xns-dep');
  });
  expect(await meta('configmap', 'xns-owner')).toBeDefined();
});

test('a foreground cascade goes down a chain: grandchildren, then the child, then the owner', async () => {
  await c.k('create', 'configmap', 'chain-a');
  const a = await refTo('configmap', 'chain-a', 'v1', { controller: true, blockOwnerDeletion: true });
  await apply(configMap('chain-b', [a]));
  const b = await refTo('configmap', 'chain-b', 'v1', { controller: true, blockOwnerDeletion: true });
  await apply(configMap('chain-c', [b], { finalizers: ['keelson.dev/hold'] }));

  await c.k('delete', 'configmap', 'chain-a', '--cascade=foreground', '--wait=false');
  // The child is deleted in the foreground too, so both wait for the held grandchild.
  await until('the child waits in the foreground', async () => ((await meta('configmap', 'chain-b'))?.finalizers ?? []).includes('foregroundDeletion'));
  expect((await meta('configmap', 'chain-a'))?.deletionTimestamp).toBeDefined();
  await c.k('patch', 'configmap', 'chain-c', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
  await until('the whole chain is gone', async () => (await gone('configmap', 'chain-b')()) && (await gone('configmap', 'chain-a')()));
});
