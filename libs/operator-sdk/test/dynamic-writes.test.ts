// The dynamic client's pod eviction (the policy/v1 Eviction subresource, as kubectl drain posts
// it) against a scripted API server, and createManifests' update mode: nothing sent when the
// object already holds the definition, a lost race (409) read again and retried.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '@keelson/api';
import { KeelsonClient } from '@keelson/client';
import { DynamicClient, PODS, CONFIGMAPS, createManifests, type KubeObject, type ResourceClient } from '../src';

let server: Server;
const seen: Array<{ method: string; path: string; body: unknown }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, path: req.url!, body: body ? JSON.parse(body) : undefined });
      if (req.url!.includes('/pods/blocked/')) {
        res.writeHead(429, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'TooManyRequests', code: 429, message: 'Cannot evict pod as it would violate the pod\'s disruption budget.' }));
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Success', code: 201 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

test('evict posts an Eviction to the pod\'s eviction subresource; a PDB refusal is an error', async () => {
  const dyn = new DynamicClient(new KeelsonClient({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 't' }));
  await dyn.resource(PODS).namespace('web').evict('web-1', { deleteOptions: { gracePeriodSeconds: 0 } });
  expect(seen.at(-1)).toEqual({
    method: 'POST', path: '/api/v1/namespaces/web/pods/web-1/eviction',
    body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-1', namespace: 'web' }, deleteOptions: { gracePeriodSeconds: 0 } },
  });
  await expect(dyn.resource(PODS).namespace('web').evict('blocked')).rejects.toMatchObject({ code: 429 });
  expect(() => dyn.resource(CONFIGMAPS).namespace('web').evict('x')).toThrow(/for pods/);
  expect(() => dyn.resource(PODS).evict('x')).toThrow(/namespace/);
  dyn.close();
});

function fakeDynamic(stored: KubeObject, conflicts: number): { dyn: DynamicClient; calls: string[] } {
  const calls: string[] = [];
  let current = stored;
  let left = conflicts;
  const rc = {
    create: async () => {
      calls.push('create');
      throw new ApiError(409, 'AlreadyExists', 'configmaps "c" already exists');
    },
    get: async () => (calls.push('get'), current),
    update: async (o: KubeObject) => {
      calls.push(`update rv=${o.metadata.resourceVersion}`);
      if (left-- > 0) {
        current = { ...current, metadata: { ...current.metadata, resourceVersion: String(Number(current.metadata.resourceVersion) + 1) } };
        throw new ApiError(409, 'Conflict', 'the object has been modified');
      }
      return (current = o);
    },
  } as unknown as ResourceClient;
  return { dyn: { forObject: async () => rc } as unknown as DynamicClient, calls };
}

const cm = (data: Record<string, string>, rv = '1'): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd', resourceVersion: rv, labels: { app: 'x' } }, data });

test('createManifests update: an object already holding the definition is left alone', async () => {
  const { dyn, calls } = fakeDynamic(cm({ a: '1', b: '2' }), 0);
  const [out] = await createManifests(dyn, [{ ...cm({ a: '1' }), metadata: { name: 'c', namespace: 'd' } }], { update: true });
  expect(calls).toEqual(['create', 'get']);
  expect(out.metadata.resourceVersion).toBe('1');
});

test('createManifests update: a 409 reads again and retries with the new resourceVersion', async () => {
  const { dyn, calls } = fakeDynamic(cm({ a: '0' }), 2);
  const [out] = await createManifests(dyn, [{ ...cm({ a: '1' }), metadata: { name: 'c', namespace: 'd' } }], { update: true });
  expect(calls).toEqual(['create', 'get', 'update rv=1', 'get', 'update rv=2', 'get', 'update rv=3']);
  expect(out.data).toEqual({ a: '1' });
});
