// The namespace reconciler against an in-memory API: it empties a terminating namespace,
// reports what remains in kube's condition words, and finalizes only when nothing is left.
import type { KubeObject } from '@keelson/api';
import type { ResourceRef } from '@keelson/client';
import { createLogger } from '@keelson/telemetry';
import { ContentDeleter } from '../src/content-deleter';
import { mergeConditions, namespaceConditions } from '../src/namespace-conditions';
import { ContentRemainingError, NamespaceReconciler } from '../src/namespace-reconciler';

const PODS: ResourceRef = { group: '', version: 'v1', resource: 'pods' };
const CMS: ResourceRef = { group: '', version: 'v1', resource: 'configmaps' };
const obj = (kind: string, name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind, metadata: { name, namespace: 'x', ...extra } });

/** Pods listed here stay (terminating with a grace period); everything else goes at once. */
function fakeApi(content: Record<string, KubeObject[]>, graceful = new Set<string>()) {
  let ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', deletionTimestamp: '2024-01-01T00:00:00Z', resourceVersion: '1' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Terminating' } };
  const finalized: string[][] = [];
  const client = {
    get: async () => ns,
    updateStatus: async (_r: ResourceRef, o: KubeObject) => (ns = { ...o, metadata: { ...o.metadata, resourceVersion: String(Number(o.metadata.resourceVersion) + 1) } }),
    finalizeNamespace: async (_o: KubeObject, f: string[]) => {
      finalized.push(f);
      return ns;
    },
    list: async (r: ResourceRef) => ({ apiVersion: 'v1', kind: 'List', metadata: {}, items: [...(content[r.resource] ?? [])] }),
    delete: async (r: ResourceRef, _ns: string | undefined, name: string) => {
      const items = content[r.resource];
      const i = items.findIndex((o) => o.metadata.name === name);
      if (graceful.has(name)) {
        items[i] = { ...items[i], metadata: { ...items[i].metadata, deletionTimestamp: new Date(Date.now() + 30_000).toISOString() } };
        return items[i];
      }
      items.splice(i, 1);
      return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' as const };
    },
  };
  return { client, finalized, ns: () => ns };
}

const ctx = () => ({ signal: new AbortController().signal, logger: createLogger('test', { level: 'error' }), requeues: 0 });

test('empties the namespace, then removes only the kubernetes finalizer', async () => {
  const content = { pods: [obj('Pod', 'a'), obj('Pod', 'b')], configmaps: [obj('ConfigMap', 'c')] };
  const api = fakeApi(content);
  const r = new NamespaceReconciler(api.client as never, new ContentDeleter(api.client as never, { resources: async () => [PODS, CMS] }));
  await r.reconcile('x', ctx());
  expect(content.pods).toHaveLength(0);
  expect(content.configmaps).toHaveLength(0);
  expect(api.finalized).toEqual([[]]);
  const conds = api.ns().status!.conditions as { type: string; status: string }[];
  expect(conds.find((c) => c.type === 'NamespaceContentRemaining')?.status).toBe('False');
});

test('a pod in its grace period holds finalization and requeues for when it should end', async () => {
  const content = { pods: [obj('Pod', 'slow')], configmaps: [] };
  const api = fakeApi(content, new Set(['slow']));
  const r = new NamespaceReconciler(api.client as never, new ContentDeleter(api.client as never, { resources: async () => [PODS, CMS] }));
  const res = await r.reconcile('x', ctx());
  expect(res?.requeueAfter).toBeGreaterThan(25_000);
  expect(api.finalized).toEqual([]);
  const remaining = (api.ns().status!.conditions as { type: string; message: string }[]).find((c) => c.type === 'NamespaceContentRemaining');
  expect(remaining?.message).toBe('Some resources are remaining: pods has 1 resource instances');
});

test('content held by a finalizer is reported and retried with back-off', async () => {
  const content = { pods: [], configmaps: [obj('ConfigMap', 'held', { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['example.com/keep'] })] };
  const api = fakeApi(content);
  const r = new NamespaceReconciler(api.client as never, new ContentDeleter(api.client as never, { resources: async () => [PODS, CMS] }));
  await expect(r.reconcile('x', ctx())).rejects.toBeInstanceOf(ContentRemainingError);
  const f = (api.ns().status!.conditions as { type: string; message: string }[]).find((c) => c.type === 'NamespaceFinalizersRemaining');
  expect(f?.message).toBe('Some content in the namespace has finalizers remaining: example.com/keep in 1 resource instances');
});

test('conditions keep lastTransitionTime while their status holds, and an unchanged set is no write', () => {
  const pass = { errors: [], remaining: new Map([['pods', 1]]), finalizersRemaining: new Map() };
  const first = mergeConditions([], namespaceConditions(pass), 't1')!;
  expect(mergeConditions(first, namespaceConditions(pass), 't2')).toBeUndefined();
  const second = mergeConditions(first, namespaceConditions({ ...pass, remaining: new Map([['pods', 2]]) }), 't2')!;
  expect(second.find((c) => c.type === 'NamespaceContentRemaining')?.lastTransitionTime).toBe('t1');
});
