// pods/binding as kube's BindingREST answers it: the scheduler's write sets spec.nodeName and the
// PodScheduled condition and nothing else the scheduler did not send; the Binding is validated
// (ValidatePodBinding), its uid and resourceVersion are preconditions, its annotations are merged;
// a pod that is bound already, terminating or gated is a Conflict on pods/binding; managedFields
// stay as they were (kube writes storage directly).
import { startControlPlane, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

let c: ControlPlane;
beforeAll(async () => {
  c = await startControlPlane();
});
afterAll(async () => {
  await c?.stop();
});

type Json = Record<string, any>;
const PODS = '/api/v1/namespaces/default/pods';
const post = async (path: string, obj: Json): Promise<{ status: number; json: Json }> => {
  const r = await c.request('POST', path, { body: JSON.stringify(obj), headers: { 'content-type': 'application/json' } });
  return { status: r.status, json: JSON.parse(r.body) as Json };
};
const get = async (name: string): Promise<Json> => JSON.parse((await c.request('GET', `${PODS}/${name}`)).body) as Json;
const pod = (name: string, spec: Json = {}): Json => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, annotations: { keep: 'me' } }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });
const bind = (name: string, target: Json, metadata: Json = {}): Promise<{ status: number; json: Json }> =>
  post(`${PODS}/${name}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name, ...metadata }, target });

test('a binding sets the node and PodScheduled, merges its annotations, leaves managedFields; a second one is a Conflict', async () => {
  const created = (await post(PODS, pod('b1'))).json;
  const r = await bind('b1', { kind: 'Node', name: 'node-a' }, { uid: created.metadata.uid, annotations: { 'scheduler.example/score': '7' } });
  expect(r).toEqual({ status: 201, json: expect.objectContaining({ kind: 'Status', status: 'Success', code: 201 }) });
  const bound = await get('b1');
  expect(bound.spec.nodeName).toBe('node-a');
  expect(bound.status.conditions).toEqual([expect.objectContaining({ type: 'PodScheduled', status: 'True' })]);
  expect(bound.metadata.annotations).toMatchObject({ keep: 'me', 'scheduler.example/score': '7' });
  expect(bound.metadata.managedFields).toEqual(created.metadata.managedFields);

  const again = await bind('b1', { name: 'node-b' });
  expect(again.status).toBe(409);
  expect(again.json).toMatchObject({ reason: 'Conflict', details: { name: 'b1', kind: 'pods/binding' }, message: 'Operation cannot be fulfilled on pods/binding "b1": pod b1 is already assigned to node "node-a"' });
  expect((await get('b1')).spec.nodeName).toBe('node-a');
});

test('ValidatePodBinding: a target name is required, a target kind other than Node is not supported', async () => {
  await post(PODS, pod('b2'));
  const noName = await bind('b2', { kind: 'Node' });
  expect(noName.status).toBe(422);
  expect(noName.json.details.causes).toEqual([{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
  const wrongKind = await bind('b2', { kind: 'Pod', name: 'x' });
  expect(wrongKind.status).toBe(422);
  expect(wrongKind.json.details.causes).toEqual([expect.objectContaining({ reason: 'FieldValueNotSupported', field: 'target.kind' })]);
  expect((await get('b2')).spec.nodeName).toBeUndefined();
  // The body's kind may be left out, as the Python client does when it is unset.
  const r = await post(`${PODS}/b2/binding`, { metadata: { name: 'b2' }, target: { name: 'node-a' } });
  expect(r.status).toBe(201);
  expect((await post(`${PODS}/b2/binding`, { kind: 'Pod', target: { name: 'node-a' } })).status).toBe(400);
});

test('the Binding\'s uid and resourceVersion are preconditions', async () => {
  const created = (await post(PODS, pod('b3'))).json;
  const uid = await bind('b3', { name: 'node-a' }, { uid: 'not-the-uid' });
  expect(uid.status).toBe(409);
  expect(uid.json.message).toContain(`Precondition failed: UID in precondition: not-the-uid, UID in object meta: ${created.metadata.uid}`);
  const rv = await bind('b3', { name: 'node-a' }, { resourceVersion: '1' });
  expect(rv.status).toBe(409);
  expect(rv.json.message).toContain('Precondition failed: ResourceVersion in precondition: 1');
  expect((await bind('b3', { name: 'node-a' }, { uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion })).status).toBe(201);
});

test('a gated pod and a terminating pod are not bound', async () => {
  await post(PODS, pod('gated', { schedulingGates: [{ name: 'example.com/wait' }] }));
  const gated = await bind('gated', { name: 'node-a' });
  expect(gated.status).toBe(409);
  expect(gated.json.message).toBe('Operation cannot be fulfilled on pods/binding "gated": pod gated has non-empty .spec.schedulingGates');

  await post(PODS, { ...pod('leaving'), metadata: { name: 'leaving', finalizers: ['example.com/hold'] } });
  expect((await c.request('DELETE', `${PODS}/leaving`)).status).toBe(200);
  const leaving = await bind('leaving', { name: 'node-a' });
  expect(leaving.status).toBe(409);
  expect(leaving.json.message).toContain('pod leaving is being deleted, cannot be assigned to a host');
  await c.request('PATCH', `${PODS}/leaving`, { body: JSON.stringify({ metadata: { finalizers: null } }), headers: { 'content-type': 'application/merge-patch+json' } });
});

test('a missing pod is 404', async () => {
  expect((await bind('nobody', { name: 'node-a' })).status).toBe(404);
});
