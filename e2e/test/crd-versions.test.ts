// Custom resources beyond the basics: status and scale subresources (generation counts spec
// changes only), two served versions with conversion None (apiVersion rewritten on read and
// watch), categories and discovery, and NamesAccepted=False for names another CRD holds.
import { startControlPlane as startCluster, type ControlPlane as TestCluster, until } from '@keelson/testing';

jest.setTimeout(60_000);

let c: TestCluster;

const schema = {
  openAPIV3Schema: {
    type: 'object',
    properties: {
      spec: { type: 'object', properties: { replicas: { type: 'integer', minimum: 0 }, selector: { type: 'string' } } },
      status: { type: 'object', properties: { replicas: { type: 'integer' }, selector: { type: 'string' } } },
    },
  },
};
const subresources = { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } };
const crd = (name: string, group: string, names: Record<string, unknown>) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name },
  spec: {
    group,
    scope: 'Namespaced',
    names,
    versions: [
      { name: 'v1beta1', served: true, storage: false, schema, subresources },
      { name: 'v1', served: true, storage: true, schema, subresources },
    ],
  },
});
const json = { 'content-type': 'application/json' };
const V1 = '/apis/fleet.example.com/v1/namespaces/default/ships';
const V1BETA1 = '/apis/fleet.example.com/v1beta1/namespaces/default/ships';

beforeAll(async () => {
  c = await startCluster();
  await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(crd('ships.fleet.example.com', 'fleet.example.com', { plural: 'ships', kind: 'Ship', shortNames: ['sh'], categories: ['all', 'fleet'] })) });
  await c.k('wait', '--for=condition=Established', '--timeout=20s', 'crd/ships.fleet.example.com');
  const res = await c.request('POST', V1, { body: JSON.stringify({ apiVersion: 'fleet.example.com/v1', kind: 'Ship', metadata: { name: 'argo' }, spec: { replicas: 2 }, status: { replicas: 9 } }), headers: json });
  expect(res.status).toBe(201);
});
afterAll(async () => {
  await c?.stop();
});

test('both versions are served; reads through v1beta1 rewrite apiVersion (conversion None)', async () => {
  const viaBeta = JSON.parse((await c.request('GET', `${V1BETA1}/argo`)).body);
  expect(viaBeta).toMatchObject({ apiVersion: 'fleet.example.com/v1beta1', kind: 'Ship', spec: { replicas: 2 } });
  const list = JSON.parse((await c.request('GET', V1BETA1)).body);
  expect(list).toMatchObject({ apiVersion: 'fleet.example.com/v1beta1', kind: 'ShipList' });
  expect(list.items[0].apiVersion).toBe('fleet.example.com/v1beta1');
  const watched = await c.kubectl(['get', 'ships.v1beta1.fleet.example.com', '--watch', '--output-watch-events', '-o', 'json', '--request-timeout=2s']);
  expect(watched.stdout).toContain('"apiVersion":"fleet.example.com/v1beta1"');
  const groups = JSON.parse((await c.request('GET', '/apis')).body);
  const fleet = groups.groups.find((g: { name: string }) => g.name === 'fleet.example.com');
  expect(fleet.preferredVersion.version).toBe('v1');
  expect(fleet.versions.map((v: { version: string }) => v.version).sort()).toEqual(['v1', 'v1beta1']);
});

test('the status subresource owns status: creates drop it, main writes keep it, generation counts spec changes', async () => {
  const created = JSON.parse((await c.request('GET', `${V1}/argo`)).body);
  expect(created.status).toBeUndefined();
  expect(created.metadata.generation).toBe(1);
  await c.k('patch', 'ship', 'argo', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":2,"selector":"app=argo"}}');
  await c.k('label', 'ship', 'argo', 'tier=front');
  const afterStatus = JSON.parse(await c.k('get', 'ship', 'argo', '-o', 'json'));
  expect(afterStatus.status).toEqual({ replicas: 2, selector: 'app=argo' });
  expect(afterStatus.metadata.generation).toBe(1);
  await c.k('patch', 'ship', 'argo', '--type=merge', '-p', '{"spec":{"replicas":3},"status":{"replicas":100}}');
  const afterSpec = JSON.parse(await c.k('get', 'ship', 'argo', '-o', 'json'));
  expect(afterSpec.metadata.generation).toBe(2);
  expect(afterSpec.status.replicas).toBe(2);
});

test('the scale subresource reads and writes the CRD paths; kubectl scale works', async () => {
  const scale = JSON.parse((await c.request('GET', `${V1}/argo/scale`)).body);
  expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 3 }, status: { replicas: 2, selector: 'app=argo' } });
  await c.k('scale', 'ship/argo', '--replicas=5');
  expect(JSON.parse(await c.k('get', 'ship', 'argo', '-o', 'json')).spec.replicas).toBe(5);
});

test('short names and categories reach kubectl', async () => {
  expect(await c.k('get', 'sh', '-o', 'name')).toContain('ship.fleet.example.com/argo');
  expect(await c.k('get', 'fleet', '-o', 'name')).toContain('ship.fleet.example.com/argo');
  expect(await c.k('get', 'all', '-o', 'name')).toContain('ship.fleet.example.com/argo');
});

test('a CRD whose names another CRD holds is NamesAccepted=False and not served', async () => {
  await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(crd('boats.fleet.example.com', 'fleet.example.com', { plural: 'boats', kind: 'Boat', shortNames: ['sh'] })) });
  const cond = await until('the naming verdict', async () => {
    const got = JSON.parse(await c.k('get', 'crd', 'boats.fleet.example.com', '-o', 'json'));
    return (got.status?.conditions ?? []).find((x: { type: string }) => x.type === 'NamesAccepted');
  });
  expect(cond).toMatchObject({ status: 'False', reason: 'ShortNamesConflict', message: '"sh" is already in use' });
  expect((await c.request('GET', '/apis/fleet.example.com/v1/namespaces/default/boats')).status).toBe(404);
  // Releasing the name lets the second CRD in.
  await c.k('delete', 'crd', 'ships.fleet.example.com');
  await c.k('wait', '--for=condition=Established', '--timeout=20s', 'crd/boats.fleet.example.com');
  expect((await c.request('GET', '/apis/fleet.example.com/v1/namespaces/default/boats')).status).toBe(200);
});
