// The client against a real gateway (etcd + HTTPS + token), configured from the environment.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { context, trace, ROOT_CONTEXT, TraceFlags } from '@opentelemetry/api';
import { ApiError, BUILTIN_RESOURCES, TRACEPARENT_ANNOTATION, type KubeObject, type ResourceInfo } from '@keelson/api';
import { startTelemetry, type TelemetryHandle } from '@keelson/telemetry';
import { startControlPlane, type ControlPlane } from '@keelson/testing';
import { KeelsonClient } from '@keelson/client';

jest.setTimeout(60_000);

const info = (resource: string): ResourceInfo => BUILTIN_RESOURCES.find((r) => r.resource === resource)!;
const CM = info('configmaps');
const PODS = info('pods');
const NODES = info('nodes');

let cp: ControlPlane;
let client: KeelsonClient;
let telemetry: TelemetryHandle;

beforeAll(async () => {
  telemetry = startTelemetry('client-test', { spanProcessors: [] });
  cp = await startControlPlane();
  const tokenFile = join(cp.dir, 'client-token');
  writeFileSync(tokenFile, `${cp.creds.adminToken}\n`);
  client = KeelsonClient.fromEnv({ KEELSON_API_URL: cp.url, KEELSON_TOKEN_FILE: tokenFile, KEELSON_CA_FILE: cp.creds.caFile });
});

afterAll(async () => {
  client?.close();
  await cp?.stop();
  await telemetry?.shutdown();
});

const cm = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels }, data: { a: '1' },
});

test('create, get, update with resourceVersion, conflict on a stale one, updateStatus', async () => {
  const created = await client.create(CM, cm('c1'));
  expect(created.metadata.uid).toBeTruthy();
  const got = await client.get(CM, 'default', 'c1');
  expect(got.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
  const updated = await client.update(CM, { ...got, data: { a: '2' } });
  expect(updated.data).toEqual({ a: '2' });
  const stale = client.update(CM, { ...got, data: { a: '3' } });
  await expect(stale).rejects.toBeInstanceOf(ApiError);
  await expect(stale).rejects.toMatchObject({ code: 409, reason: 'Conflict' });
  await expect(client.get(CM, 'default', 'missing')).rejects.toMatchObject({ code: 404, reason: 'NotFound' });
  await expect(client.create(CM, cm('c1'))).rejects.toMatchObject({ code: 409, reason: 'AlreadyExists' });

  const node = await client.create(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n-status' }, spec: {} });
  const withStatus = await client.updateStatus(NODES, { ...node, spec: { unschedulable: true }, status: { phase: 'Running' } });
  expect(withStatus.status).toMatchObject({ phase: 'Running' });
  expect(withStatus.spec?.unschedulable).toBeUndefined(); // the status subresource ignores spec
});

test('list pages through continue tokens and filters by label and field selectors', async () => {
  for (let i = 0; i < 7; i++) await client.create(CM, cm(`page-${i}`, { set: 'paging', parity: i % 2 ? 'odd' : 'even' }));
  const all = await client.list(CM, 'default', { labelSelector: 'set=paging', limit: 2 });
  expect(all.items.map((o) => o.metadata.name).sort()).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`));
  expect(Number(all.metadata.resourceVersion)).toBeGreaterThan(0);
  expect(all.metadata.continue).toBeUndefined();
  const odd = await client.list(CM, undefined, { labelSelector: 'set=paging,parity=odd' });
  expect(odd.items).toHaveLength(3);
  const byName = await client.list(CM, 'default', { fieldSelector: 'metadata.name=page-3' });
  expect(byName.items.map((o) => o.metadata.name)).toEqual(['page-3']);
});

test('patch: merge, strategic and JSON patch', async () => {
  await client.create(CM, cm('p1'));
  const merged = await client.patch(CM, 'default', 'p1', { data: { b: '2' } });
  expect(merged.data).toEqual({ a: '1', b: '2' });
  const strategic = await client.patch(CM, 'default', 'p1', { metadata: { labels: { s: 'y' } } }, { type: 'strategic' });
  expect(strategic.metadata.labels).toEqual({ s: 'y' });
  const json = await client.patch(CM, 'default', 'p1', [{ op: 'remove', path: '/data/a' }], { type: 'json' });
  expect(json.data).toEqual({ b: '2' });
  await expect(client.patch(CM, 'default', 'p1', { data: {} }, { type: 'json' })).rejects.toBeInstanceOf(TypeError);
});

test('patchWithoutResult writes the patch and throws the API error of a refused one', async () => {
  await client.create(CM, cm('p2'));
  await expect(client.patchWithoutResult(CM, 'default', 'p2', { data: { c: '3' } }, { fieldManager: 'quiet' })).resolves.toBeUndefined();
  const after = await client.get(CM, 'default', 'p2');
  expect(after.data).toEqual({ a: '1', c: '3' });
  expect(after.metadata.managedFields?.some((m) => m.manager === 'quiet')).toBe(true);
  const missing = await client.patchWithoutResult(CM, 'default', 'nope', { data: { c: '3' } }).catch((e: unknown) => e);
  expect(missing).toBeInstanceOf(ApiError);
  expect((missing as ApiError).code).toBe(404);
  const conflict = await client.patchWithoutResult(CM, 'default', 'p2', { metadata: { resourceVersion: '1' }, data: { d: '4' } }).catch((e: unknown) => e);
  expect((conflict as ApiError).code).toBe(409);
  expect((await client.get(CM, 'default', 'p2')).data).toEqual({ a: '1', c: '3' });
});

test('delete with DeleteOptions preconditions, and bind a pod to a node', async () => {
  const c = await client.create(CM, cm('d1'));
  await expect(client.delete(CM, 'default', 'd1', { preconditions: { uid: 'not-the-uid' } })).rejects.toMatchObject({ code: 409 });
  await client.delete(CM, 'default', 'd1', { preconditions: { uid: c.metadata.uid }, propagationPolicy: 'Background' });
  await expect(client.get(CM, 'default', 'd1')).rejects.toMatchObject({ code: 404 });

  await client.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
  await client.bind('default', 'web', 'node-a');
  const pod = await client.get(PODS, 'default', 'web');
  expect(pod.spec?.nodeName).toBe('node-a');
});

test('finalizeNamespace removes the kubernetes finalizer of a terminating namespace, which removes it', async () => {
  const NS = info('namespaces');
  await client.create(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fin' } });
  await client.delete(NS, undefined, 'fin');
  const terminating = await client.get(NS, undefined, 'fin');
  expect(terminating.spec?.finalizers).toEqual(['kubernetes']);
  await client.finalizeNamespace(terminating, []);
  await expect(client.get(NS, undefined, 'fin')).rejects.toMatchObject({ code: 404 });
});

test('every request carries the active trace context as traceparent', async () => {
  const traceId = 'a1'.repeat(16);
  const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: 'b2'.repeat(8), traceFlags: TraceFlags.SAMPLED, isRemote: true });
  const created = await context.with(ctx, () => client.create(CM, cm('traced')));
  expect(created.metadata.annotations?.[TRACEPARENT_ANNOTATION]?.split('-')[1]).toBe(traceId);
});
