// Custom resources flow like built-in ones: objects of a CRD are stored under
// /registry/<group>/<plural>/, the relay publishes them on keelson.events.<group with _>.<plural>.<ns>,
// and an unchanged Informer lists and follows them (ADDED/MODIFIED/DELETED). A second gateway
// replica serves the CRD too, since each replica follows its own CRD watch cache.
import { connect, type NatsConnection } from 'nats';
import type { KubeObject } from '@keelson/api';
import { KeelsonClient } from '@keelson/client';
import { createLogger } from '@keelson/telemetry';
import { startControlPlane, until, type ControlPlane } from '@keelson/testing';
import { Informer } from '@keelson/controller-runtime';

jest.setTimeout(90_000);

const CRDS = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' };
const WIDGETS = { group: 'widgets.example.com', version: 'v1alpha1', resource: 'widgets' };
const quiet = createLogger('test', { write: () => undefined });
let cp: ControlPlane;
let nc: NatsConnection;
let client: KeelsonClient;

const crd: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.widgets.example.com' },
  spec: {
    group: 'widgets.example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [{
      name: 'v1alpha1', served: true, storage: true,
      schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', default: 3 } } } } } },
    }],
  },
};
const widget = (name: string, size?: number): KubeObject => ({ apiVersion: 'widgets.example.com/v1alpha1', kind: 'Widget', metadata: { name, namespace: 'default' }, spec: size === undefined ? {} : { size } });

beforeAll(async () => {
  cp = await startControlPlane({ nats: { services: ['controller'] } });
  client = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem });
  nc = await connect(cp.nats!.connectOptions('controller'));
  await client.create(CRDS, crd);
  await until('the Widget CRD is Established', async () => {
    const got = await client.get(CRDS, undefined, 'widgets.widgets.example.com');
    return ((got.status?.conditions as { type: string; status: string }[] | undefined) ?? []).some((c) => c.type === 'Established' && c.status === 'True');
  });
});
afterAll(async () => {
  await nc?.close();
  client?.close();
  await cp?.stop();
});

test('an informer on a custom resource sees ADDED, MODIFIED and DELETED over NATS', async () => {
  await client.create(WIDGETS, widget('listed', 1));
  const inf = new Informer({ client, nats: nc, resource: WIDGETS, namespace: 'default', logger: quiet });
  const seen: string[] = [];
  inf.addEventHandler({
    onAdd: (o) => seen.push(`ADDED ${o.metadata.name} ${String((o.spec as { size?: number }).size)}`),
    onUpdate: (_, o) => seen.push(`MODIFIED ${o.metadata.name} ${String((o.spec as { size?: number }).size)}`),
    onDelete: (o) => seen.push(`DELETED ${o.metadata.name}`),
  });
  await inf.start();
  try {
    await until('the listed widget', async () => seen.includes('ADDED listed 1'));
    const created = await client.create(WIDGETS, widget('live'));
    await until('ADDED live, defaulted', async () => seen.includes('ADDED live 3'));
    await client.update(WIDGETS, { ...created, spec: { size: 7 } });
    await until('MODIFIED live', async () => seen.includes('MODIFIED live 7'));
    await client.delete(WIDGETS, 'default', 'live');
    await until('DELETED live', async () => seen.includes('DELETED live'));
    expect(inf.cache.getByName('default', 'listed')).toBeDefined();
    expect(inf.cache.getByName('default', 'live')).toBeUndefined();
  } finally {
    await inf.stop();
  }
});

test('a second gateway replica serves the CRD and stops serving it when it is deleted', async () => {
  const replica = await cp.addGatewayReplica();
  const other = new KeelsonClient({ url: replica.url, token: cp.creds.adminToken, ca: cp.creds.caPem });
  try {
    const list = await until('widgets on the second replica', async () => other.list(WIDGETS, 'default').catch(() => undefined));
    expect(list.items.map((o) => o.metadata.name)).toContain('listed');
    await client.delete(CRDS, undefined, 'widgets.widgets.example.com');
    await until('the CRD is gone', async () => client.get(CRDS, undefined, 'widgets.widgets.example.com').then(() => false, () => true));
    await until('widgets no longer served by the replica', async () => other.list(WIDGETS, 'default').then(() => false, (e: { code?: number }) => e.code === 404));
  } finally {
    other.close();
  }
});
