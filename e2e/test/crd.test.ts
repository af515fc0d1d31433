// CustomResourceDefinitions end to end with the real kubectl: the CronTab CRD from the
// Kubernetes documentation is served once Established (get, short name, printer columns,
// explain), its objects are validated (schema and CEL), defaulted and pruned, and deleting
// the CRD deletes its objects and removes the resource from discovery.
import { join } from 'node:path';
import { startControlPlane as startCluster, type ControlPlane as TestCluster, until } from '@keelson/testing';

jest.setTimeout(60_000);

const CRD = join(__dirname, 'fixtures/crontab-crd.yaml');
const CRONTABS = '/apis/stable.example.com/v1/namespaces/default/crontabs';
let c: TestCluster;

beforeAll(async () => {
  c = await startCluster();
  await c.k('apply', '-f', CRD);
  await c.k('wait', '--for=condition=Established', '--timeout=20s', 'crd/crontabs.stable.example.com');
});
afterAll(async () => {
  await c?.stop();
});

const crontab = (name: string, spec: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name }, spec });
const post = (body: string, query = '') => c.request('POST', `${CRONTABS}${query}`, { body, headers: { 'content-type': 'application/json' } });

test('the CRD is Established with its names accepted, and kubectl get crd prints it', async () => {
  const crd = JSON.parse(await c.k('get', 'crd', 'crontabs.stable.example.com', '-o', 'json'));
  const conditions = Object.fromEntries(crd.status.conditions.map((x: { type: string; status: string }) => [x.type, x.status]));
  expect(conditions).toMatchObject({ NamesAccepted: 'True', Established: 'True' });
  expect(crd.status.acceptedNames).toMatchObject({ plural: 'crontabs', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'] });
  expect(crd.metadata.finalizers).toContain('customresourcecleanup.apiextensions.k8s.io');
  expect((await c.k('get', 'crd')).split('\n')[0]).toMatch(/^NAME\s+CREATED AT$/);
});

test('kubectl applies a CronTab and prints it with the printer columns, by plural and short name', async () => {
  const manifest = 'apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: my-new-cron-object\nspec:\n  cronSpec: "* * * * */5"\n  image: my-awesome-cron-image:1.0\n';
  await c.kubectl(['apply', '-f', '-'], { input: manifest });
  const table = await c.k('get', 'crontabs');
  expect(table.split('\n')[0]).toMatch(/^NAME\s+SPEC\s+REPLICAS\s+AGE$/);
  expect(table).toMatch(/my-new-cron-object\s+\* \* \* \* \*\/5\s+1\s+\d+s/);
  expect(await c.k('get', 'ct', '-o', 'name')).toContain('crontab.stable.example.com/my-new-cron-object');
  // A second apply of the same manifest changes nothing.
  const again = await c.kubectl(['apply', '-f', '-'], { input: manifest });
  expect(again.stdout).toContain('crontab.stable.example.com/my-new-cron-object unchanged');
});

test('custom objects take merge and JSON patches, not strategic merge patches (415, as kube)', async () => {
  const strategic = await c.kubectl(['patch', 'crontab', 'my-new-cron-object', '-p', '{"spec":{"replicas":2}}']);
  expect(strategic.code).not.toBe(0);
  expect(strategic.stderr).toContain('application/strategic-merge-patch+json is not supported by stable.example.com/v1, Kind=CronTab');
  await c.k('patch', 'crontab', 'my-new-cron-object', '--type=merge', '-p', '{"spec":{"replicas":2}}');
  await c.k('patch', 'crontab', 'my-new-cron-object', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3}]');
  expect(JSON.parse(await c.k('get', 'ct', 'my-new-cron-object', '-o', 'json')).spec.replicas).toBe(3);
});

test('kubectl explain reads the schema from the served OpenAPI document', async () => {
  const out = await c.k('explain', 'crontab.spec');
  expect(out).toMatch(/GROUP:\s+stable\.example\.com\nKIND:\s+CronTab\nVERSION:\s+v1/);
  expect(out).toContain('The desired schedule of the CronTab.');
  expect(out).toMatch(/cronSpec\s+<string>/);
  expect(out).toMatch(/replicas\s+<integer>/);
  expect(out).toMatch(/image\s+<string> -required-/);
});

test('a schema violation is 422 Invalid with the field path as kube prints it', async () => {
  const res = await post(crontab('too-many', { cronSpec: '* * * * *', image: 'x:1', replicas: 20 }));
  expect(res.status).toBe(422);
  const s = JSON.parse(res.body);
  expect(s).toMatchObject({ kind: 'Status', reason: 'Invalid', details: { kind: 'CronTab', group: 'stable.example.com', name: 'too-many' } });
  expect(s.details.causes).toContainEqual({ reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: 20: spec.replicas in body should be less than or equal to 10' });
  const bad = await c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: bad-spec}\nspec: {cronSpec: "every minute", image: "x:1"}\n' });
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain('spec.cronSpec: Invalid value: "every minute": spec.cronSpec in body should match');
  const missing = JSON.parse((await post(crontab('no-image', { cronSpec: '* * * * *' }))).body);
  expect(missing.details.causes).toContainEqual(expect.objectContaining({ reason: 'FieldValueRequired', field: 'spec.image' }));
  const typed = JSON.parse((await post(crontab('typed', { image: 'x:1', replicas: 'three' }))).body);
  expect(typed.details.causes).toContainEqual(expect.objectContaining({ reason: 'FieldValueTypeInvalid', field: 'spec.replicas' }));
});

test('the CEL rule is enforced with its message and fieldPath', async () => {
  const res = await post(crontab('latest', { cronSpec: '* * * * *', image: 'busybox:latest' }));
  expect(res.status).toBe(422);
  expect(JSON.parse(res.body).details.causes).toContainEqual({ reason: 'FieldValueInvalid', field: 'spec.image', message: 'Invalid value: "object": image must be pinned to a tag other than latest' });
  const out = await c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: latest}\nspec: {image: "busybox:latest"}\n' });
  expect(out.stderr).toContain('image must be pinned to a tag other than latest');
});

test('defaults are applied and unknown fields are pruned (reported under fieldValidation=Warn)', async () => {
  const res = await post(crontab('pruned', { cronSpec: '* * * * *', image: 'x:1', colour: 'blue' }), '?fieldValidation=Warn');
  expect(res.status).toBe(201);
  expect(res.headers.get('warning')).toContain('unknown field \\"spec.colour\\"');
  const stored = JSON.parse((await c.request('GET', `${CRONTABS}/pruned`)).body);
  expect(stored.spec).toEqual({ cronSpec: '* * * * *', image: 'x:1', replicas: 1 });
  expect(stored.metadata.generation).toBe(1);
  // Strict (kubectl's default) refuses the unknown field instead.
  const strict = await post(crontab('strict', { image: 'x:1', colour: 'blue' }), '?fieldValidation=Strict');
  expect(strict.status).toBe(400);
  expect(JSON.parse(strict.body).message).toMatch(/^CronTab in version "v1" cannot be handled as a CronTab: strict decoding error: unknown field "spec.colour"$/);
});

test('kubectl explain describes the CRD kind itself, down to the recursive schema', async () => {
  const out = await c.k('explain', 'crd.spec.versions.schema.openAPIV3Schema');
  expect(out).toMatch(/KIND:\s+CustomResourceDefinition/);
  expect(out).toMatch(/x-kubernetes-validations\s+<\[\]ValidationRule>/);
  expect(out).toMatch(/properties\s+<map\[string\]JSONSchemaProps>/);
  expect(await c.k('explain', 'crd.spec.versions.schema.openAPIV3Schema.not.not')).toMatch(/FIELD: not <JSONSchemaProps>[\s\S]*x-kubernetes-int-or-string\s+<boolean>/);
});

test('a terminating CRD refuses new objects and waits for finalizers of its objects', async () => {
  await c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: held, finalizers: [example.com/hold]}\nspec: {image: "x:1"}\n' });
  await c.k('delete', 'crd', 'crontabs.stable.example.com', '--wait=false');
  const terminating = await until('the Terminating condition', async () => {
    const crd = JSON.parse(await c.k('get', 'crd', 'crontabs.stable.example.com', '-o', 'json'));
    return crd.status.conditions.find((x: { type: string; status: string }) => x.type === 'Terminating' && x.status === 'True');
  });
  expect(terminating).toMatchObject({ reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' });
  const refused = await post(crontab('too-late', { image: 'x:1' }));
  expect(refused.status).toBe(405);
  expect(JSON.parse(refused.body).message).toBe('create not allowed while custom resource definition is terminating');
  // The held object is marked for deletion; once its finalizer goes, the CRD goes.
  expect(JSON.parse((await c.request('GET', `${CRONTABS}/held`)).body).metadata.deletionTimestamp).toBeDefined();
  await c.k('patch', 'crontab', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
  await until('the CRD is removed', async () => (await c.kubectl(['get', 'crd', 'crontabs.stable.example.com'])).code !== 0);
  await c.k('apply', '-f', CRD);
  await c.k('wait', '--for=condition=Established', '--timeout=20s', 'crd/crontabs.stable.example.com');
});

test('kubectl delete crd deletes its objects and the resource leaves discovery', async () => {
  await c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: second}\nspec: {image: "x:2"}\n' });
  expect(await c.k('get', 'ct', '-o', 'name')).toContain('crontab.stable.example.com/second');
  await c.k('delete', 'crd', 'crontabs.stable.example.com', '--timeout=30s');
  expect((await c.request('GET', '/apis/stable.example.com/v1')).status).toBe(404);
  const groups = JSON.parse((await c.request('GET', '/apis')).body);
  expect(groups.groups.map((g: { name: string }) => g.name)).not.toContain('stable.example.com');
  expect(await c.k('api-resources', '--cached=false', '-o', 'name')).not.toMatch(/crontabs/);
  const fails = await c.kubectl(['get', 'crontabs']);
  expect(fails.code).not.toBe(0);
  expect(fails.stderr).toContain(`the server doesn't have a resource type "crontabs"`);
  // Every object is gone from storage too: a re-created CRD starts empty.
  await c.k('apply', '-f', CRD);
  await c.k('wait', '--for=condition=Established', '--timeout=20s', 'crd/crontabs.stable.example.com');
  await until('crontabs served again', async () => (await c.request('GET', CRONTABS)).status === 200);
  expect(JSON.parse((await c.request('GET', CRONTABS)).body).items).toEqual([]);
});
