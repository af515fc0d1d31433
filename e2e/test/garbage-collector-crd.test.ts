// The garbage collector follows resources served at run time: a CRD applied with real kubectl
// after the collector is running gets a monitor through discovery, so ownerReferences from and
// to custom objects are collected in the background and in the foreground (the operator
// pattern), and deleting the CRD stops the monitor again.
import { startControlPlane, type ControlPlane, until } from '@keelson/testing';

jest.setTimeout(60_000);

let c: ControlPlane;
beforeAll(async () => {
  c = await startControlPlane({ nats: true, services: ['garbage-collector'] });
  // Discovery every 500 ms so the test does not wait kube's 30 s for the new resource.
  await c.startService('garbage-collector', { env: { KEELSON_GC_DISCOVERY_RESYNC_MS: '500', KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '300' } });
  // Applied only now: the collector did not serve it at start.
  await apply({
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.gc.example.com' },
    spec: {
      group: 'gc.example.com', scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  });
  await c.k('wait', '--for=condition=Established', '--timeout=20s', 'crd/widgets.gc.example.com');
});
afterAll(async () => {
  await c?.stop();
});

interface Ref {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  blockOwnerDeletion?: boolean;
  controller?: boolean;
}
interface Meta {
  uid: string;
  deletionTimestamp?: string;
  finalizers?: string[];
}

async function meta(kind: string, name: string): Promise<Meta | undefined> {
  const r = await c.kubectl(['get', kind, name, '-n', 'default', '-o', 'json']);
  if (r.code !== 0) {
    if (/NotFound|not found/.test(r.stderr)) return undefined;
    throw new Error(r.stderr);
  }
  return (JSON.parse(r.stdout) as { metadata: Meta }).metadata;
}

async function refTo(kind: string, name: string, extra: Partial<Ref> = {}): Promise<Ref> {
  const m = await meta(kind, name);
  if (!m) throw new Error(`${kind}/${name} not found`);
  const coords = kind === 'widget' ? { apiVersion: 'gc.example.com/v1', kind: 'Widget' } : { apiVersion: 'v1', kind: 'ConfigMap' };
  return { ...coords, name, uid: m.uid, ...extra };
}

async function apply(...objs: object[]): Promise<void> {
  for (const o of objs) {
    const r = await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(o) });
    if (r.code !== 0) throw new Error(r.stderr);
  }
}

const widget = (name: string, owners: Ref[] = [], finalizers?: string[]) =>
  ({ apiVersion: 'gc.example.com/v1', kind: 'Widget', metadata: { name, namespace: 'default', ownerReferences: owners, finalizers }, spec: { size: 1 } });
const configMap = (name: string, owners: Ref[] = [], finalizers?: string[]) =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', ownerReferences: owners, finalizers }, data: { a: '1' } });
const gone = (kind: string, name: string) => async () => (await meta(kind, name)) === undefined;

test('deleting a custom object (background) deletes the ConfigMap it owns; a live one keeps its dependent', async () => {
  await apply(widget('bg-owner'), widget('bg-keeper'));
  const owner = await refTo('widget', 'bg-owner', { controller: true, blockOwnerDeletion: true });
  await apply(configMap('bg-dep', [owner]), configMap('bg-kept', [await refTo('widget', 'bg-keeper')]));

  await c.k('delete', 'widget', 'bg-owner');
  await until('the ConfigMap owned by the deleted widget is deleted', gone('configmap', 'bg-dep'));
  expect(await meta('configmap', 'bg-kept')).toBeDefined();
});

test('a custom object owned by a ConfigMap is deleted with it', async () => {
  await apply(configMap('cm-owner'));
  await apply(widget('owned-widget', [await refTo('configmap', 'cm-owner')]));
  expect(await meta('widget', 'owned-widget')).toBeDefined();

  await c.k('delete', 'configmap', 'cm-owner');
  await until('the widget owned by the deleted ConfigMap is deleted', gone('widget', 'owned-widget'));
});

test('kubectl delete --cascade=foreground of a custom object waits for its blocking dependents', async () => {
  await apply(widget('fg-owner'));
  const owner = await refTo('widget', 'fg-owner', { controller: true, blockOwnerDeletion: true });
  // A held dependent (its own finalizer) keeps the owner waiting; the child widget goes at once.
  await apply(configMap('fg-held', [owner], ['keelson.dev/hold']), widget('fg-child', [owner]));

  await c.k('delete', 'widget', 'fg-owner', '--cascade=foreground', '--wait=false');
  await until('the unheld dependent widget is deleted', gone('widget', 'fg-child'));
  const waiting = await meta('widget', 'fg-owner');
  expect(waiting?.deletionTimestamp).toBeDefined();
  expect(waiting?.finalizers).toContain('foregroundDeletion');
  expect((await meta('configmap', 'fg-held'))?.deletionTimestamp).toBeDefined();

  await c.k('patch', 'configmap', 'fg-held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
  await until('the owner goes once its blocking dependents are gone', gone('widget', 'fg-owner'));
  expect(await meta('configmap', 'fg-held')).toBeUndefined();
});

test('deleting the CRD deletes its objects, and their dependents are collected', async () => {
  await apply(widget('last-owner'));
  await apply(configMap('last-dep', [await refTo('widget', 'last-owner')]));
  await c.k('delete', 'crd', 'widgets.gc.example.com');
  await until('the dependent of a widget removed with its CRD is deleted', gone('configmap', 'last-dep'));
});
