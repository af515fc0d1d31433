// What a DELETE answers, as kube-apiserver's generic store and delete handler do: a Status
// naming the removed object (details.kind is the resource), the object itself for kinds that
// return it (pods, namespaces, services, ...) and for objects only marked for deletion, and
// 202 only when the deprecated orphanDependents=false asked for a cascade still pending.
// Boolean query parameters (watch, orphanDependents, ...) are read as kube reads them.
import { startControlPlane, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

let c: ControlPlane;
beforeAll(async () => {
  c = await startControlPlane();
});
afterAll(async () => {
  await c?.stop();
});

const CMS = '/api/v1/namespaces/default/configmaps';
const DEPLOYS = '/apis/apps/v1/namespaces/default/deployments';
type Json = Record<string, any>;

async function create(path: string, obj: Json): Promise<Json> {
  const r = await c.request('POST', path, { body: JSON.stringify(obj), headers: { 'content-type': 'application/json' } });
  expect(r.status).toBe(201);
  return JSON.parse(r.body);
}
async function del(path: string, body?: Json): Promise<{ status: number; json: Json }> {
  // Node sends a DELETE body neither chunked nor sized unless told its length.
  const raw = body ? JSON.stringify(body) : undefined;
  const r = await c.request('DELETE', path, raw ? { body: raw, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(raw)) } } : {});
  return { status: r.status, json: JSON.parse(r.body) };
}
const cm = (name: string, finalizers?: string[]): Json => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(finalizers ? { finalizers } : {}) } });
const deployment = (name: string): Json => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
});

describe('DELETE', () => {
  test('an object removed at once answers a Status with name, kind (the resource) and uid', async () => {
    const created = await create(CMS, cm('gone'));
    const { status, json } = await del(`${CMS}/gone`);
    expect(status).toBe(200);
    expect(json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'gone', kind: 'configmaps', uid: created.metadata.uid } });
    expect((await c.request('GET', `${CMS}/gone`)).status).toBe(404);
  });

  test('the Status of a grouped resource names its group', async () => {
    const created = await create(DEPLOYS, deployment('web'));
    const { status, json } = await del(`${DEPLOYS}/web`);
    expect(status).toBe(200);
    expect(json.details).toEqual({ name: 'web', group: 'apps', kind: 'deployments', uid: created.metadata.uid });
  });

  test('an object held by a finalizer comes back marked for deletion, 200', async () => {
    await create(CMS, cm('held', ['example.com/hold']));
    const { status, json } = await del(`${CMS}/held`);
    expect(status).toBe(200);
    expect(json).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    expect(json.metadata.deletionTimestamp).toEqual(expect.any(String));
  });

  test('foreground propagation with no garbage collector running: the pending object, 200', async () => {
    await create(DEPLOYS, deployment('fg'));
    const { status, json } = await del(`${DEPLOYS}/fg`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' });
    expect(status).toBe(200);
    expect(json).toMatchObject({ kind: 'Deployment', metadata: { name: 'fg', finalizers: ['foregroundDeletion'] } });
  });

  test('orphanDependents=false on an object not yet removed is 202 Accepted (body or query, any boolean spelling)', async () => {
    await create(CMS, cm('cascade', ['example.com/hold']));
    const viaBody = await del(`${CMS}/cascade`, { kind: 'DeleteOptions', apiVersion: 'v1', orphanDependents: false });
    expect(viaBody.status).toBe(202);
    expect(viaBody.json.kind).toBe('ConfigMap');
    await create(CMS, cm('cascade-q', ['example.com/hold']));
    const viaQuery = await del(`${CMS}/cascade-q?orphanDependents=False`);
    expect(viaQuery.status).toBe(202);
  });

  test('orphanDependents=True in the query adds the orphan finalizer', async () => {
    await create(CMS, cm('orphaned', ['example.com/hold']));
    const { status, json } = await del(`${CMS}/orphaned?orphanDependents=True`);
    expect(status).toBe(200);
    expect(json.metadata.finalizers).toEqual(expect.arrayContaining(['example.com/hold', 'orphan']));
  });

  test('pods answer with the deleted pod itself (ReturnDeletedObject)', async () => {
    const created = await create('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const { status, json } = await del('/api/v1/namespaces/default/pods/p');
    expect(status).toBe(200);
    expect(json).toMatchObject({ kind: 'Pod', metadata: { name: 'p', uid: created.metadata.uid } });
    expect((await c.request('GET', '/api/v1/namespaces/default/pods/p')).status).toBe(404);
  });

  test('a Service answers with itself (ReturnDeletedObject), a Secret with a Status', async () => {
    const svc = await create('/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } });
    const gone = await del('/api/v1/namespaces/default/services/s');
    expect(gone.status).toBe(200);
    expect(gone.json).toMatchObject({ kind: 'Service', metadata: { name: 's', uid: svc.metadata.uid } });
    const secret = await create('/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'k' }, stringData: { a: 'b' } });
    expect((await del('/api/v1/namespaces/default/secrets/k')).json).toMatchObject({ kind: 'Status', details: { name: 'k', kind: 'secrets', uid: secret.metadata.uid } });
  });

  test('a namespace answers with itself, Terminating', async () => {
    await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    const { status, json } = await del('/api/v1/namespaces/doomed');
    expect(status).toBe(200);
    expect(json).toMatchObject({ kind: 'Namespace', metadata: { name: 'doomed' }, status: { phase: 'Terminating' } });
  });

  test('a dry run answers the same Status and removes nothing', async () => {
    const created = await create(CMS, cm('kept'));
    const { status, json } = await del(`${CMS}/kept?dryRun=All`);
    expect(status).toBe(200);
    expect(json).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'kept', kind: 'configmaps', uid: created.metadata.uid } });
    expect((await c.request('GET', `${CMS}/kept`)).status).toBe(200);
  });

  test('kubectl delete still reports the deletion and waits for it', async () => {
    await create(CMS, cm('by-kubectl'));
    expect(await c.k('delete', 'configmap', 'by-kubectl')).toContain('configmap "by-kubectl" deleted');
  });
});

describe('boolean query parameters', () => {
  const lines = (body: string): Json[] => body.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

  test.each(['True', 'true', '1', 't', 'TRUE'])('watch=%s is a watch', async (v) => {
    const r = await c.request('GET', `${CMS}?watch=${v}&timeoutSeconds=1`);
    expect(r.status).toBe(200);
    for (const e of lines(r.body)) expect(e.type).toBe('ADDED'); // a watch stream, not a ConfigMapList
    expect(r.body).not.toContain('ConfigMapList');
  });

  test.each(['False', 'false', '0', 'FALSE'])('watch=%s is a list', async (v) => {
    const r = await c.request('GET', `${CMS}?watch=${v}`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).kind).toBe('ConfigMapList');
  });

  test('allowWatchBookmarks=True with sendInitialEvents=True ends the initial events with a bookmark', async () => {
    const r = await c.request('GET', `${CMS}?watch=True&sendInitialEvents=True&allowWatchBookmarks=True&resourceVersionMatch=NotOlderThan&timeoutSeconds=1`);
    const events = lines(r.body);
    const bookmark = events.find((e) => e.type === 'BOOKMARK');
    expect(bookmark?.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });

  test('sendInitialEvents=False sends no initial events', async () => {
    const r = await c.request('GET', `${CMS}?watch=True&sendInitialEvents=False&timeoutSeconds=1`);
    expect(lines(r.body)).toEqual([]);
  });
});
