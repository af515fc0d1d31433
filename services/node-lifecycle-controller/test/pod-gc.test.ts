// Which pods the pod GC force-deletes, and when (kube's podgc controller).
import { errors, type KubeObject } from '@keelson/api';
import { ObjectCache, type ReconcileContext } from '@keelson/controller-runtime';
import { PodGcReconciler, TAINT_OUT_OF_SERVICE, type PodGcConfig } from '../src/pod-gc';

const pod = (name: string, extra: { nodeName?: string; phase?: string; deleting?: boolean; created?: string } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: extra.created ?? '2024-01-01T00:00:00Z', ...(extra.deleting ? { deletionTimestamp: '2024-01-01T00:01:00Z' } : {}) },
  spec: { containers: [], ...(extra.nodeName ? { nodeName: extra.nodeName } : {}) },
  status: { phase: extra.phase ?? 'Pending' },
});
const node = (name: string, ready: string, taints: unknown[] = []): KubeObject => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `uid-${name}` }, spec: { taints }, status: { conditions: [{ type: 'Ready', status: ready }] },
});

function setup(pods: KubeObject[], nodes: KubeObject[], config: Partial<PodGcConfig> = {}, apiNodes: string[] = nodes.map((n) => n.metadata.name!)) {
  const podCache = new ObjectCache();
  const nodeCache = new ObjectCache();
  pods.forEach((p) => podCache.set(p));
  nodes.forEach((n) => nodeCache.set(n));
  const deleted: { name: string; grace?: number; uid?: string }[] = [];
  const statuses: KubeObject[] = [];
  let now = 0;
  const client = {
    get: async (_r: unknown, _ns: string | undefined, name: string) => {
      if (!apiNodes.includes(name)) throw errors.notFound('nodes', name); // as the client throws it
      return node(name, 'True');
    },
    updateStatus: async (_r: unknown, obj: KubeObject) => (statuses.push(obj), obj),
    delete: async (_r: unknown, _ns: string | undefined, name: string, opts: { gracePeriodSeconds?: number; preconditions?: { uid?: string } }) => {
      deleted.push({ name, grace: opts.gracePeriodSeconds, uid: opts.preconditions?.uid });
      return {} as KubeObject;
    },
  };
  const gc = new PodGcReconciler({
    client: client as never,
    nodes: nodeCache,
    pods: podCache,
    config: { periodMs: 20_000, quarantineMs: 40_000, terminatedThreshold: 0, ...config },
    now: () => now,
  });
  const ctx: ReconcileContext = { signal: new AbortController().signal, logger: { info() {}, debug() {}, warn() {}, error() {} } as never, requeues: 0 };
  return { gc, ctx, deleted, statuses, advance: (ms: number) => (now += ms) };
}

test('pods on a missing node go only after the quarantine, with grace 0, marked Failed by PodGC first', async () => {
  const t = setup([pod('orphan', { nodeName: 'ghost' }), pod('kept', { nodeName: 'n1' })], [node('n1', 'True')]);
  const first = await t.gc.reconcile('pod-gc', t.ctx);
  expect(t.deleted).toEqual([]);
  expect(first).toEqual({ requeueAfter: 20_000 });
  t.advance(39_000);
  expect(await t.gc.reconcile('pod-gc', t.ctx)).toEqual({ requeueAfter: 1000 }); // the quarantine's end comes first
  expect(t.deleted).toEqual([]);
  t.advance(1000);
  await t.gc.reconcile('pod-gc', t.ctx);
  expect(t.deleted).toEqual([{ name: 'orphan', grace: 0, uid: 'uid-orphan' }]);
  expect(t.statuses[0].status).toMatchObject({ phase: 'Failed', conditions: [expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC' })] });
});

test('a node missing from the cache but present in the API (a lagging cache) keeps its pods', async () => {
  const t = setup([pod('p', { nodeName: 'new-node' })], [], { quarantineMs: 0 }, ['new-node']);
  await t.gc.reconcile('pod-gc', t.ctx);
  expect(t.deleted).toEqual([]);
});

test('terminating pods: never scheduled, or on a NotReady out-of-service node, are force-deleted; on a NotReady node without the taint they wait', async () => {
  const t = setup(
    [
      pod('unscheduled', { deleting: true }),
      pod('oos', { nodeName: 'down', deleting: true }),
      pod('oos-running', { nodeName: 'down' }),
      pod('waits', { nodeName: 'flaky', deleting: true }),
    ],
    [node('down', 'False', [{ key: TAINT_OUT_OF_SERVICE, value: 'nodeshutdown', effect: 'NoExecute' }]), node('flaky', 'Unknown')],
  );
  await t.gc.reconcile('pod-gc', t.ctx);
  expect(t.deleted.map((d) => d.name).sort()).toEqual(['oos', 'unscheduled']);
});

test('terminated pods beyond the threshold go, oldest first', async () => {
  const t = setup(
    [
      pod('new', { phase: 'Succeeded', created: '2024-01-03T00:00:00Z' }),
      pod('old', { phase: 'Failed', created: '2024-01-01T00:00:00Z' }),
      pod('mid', { phase: 'Succeeded', created: '2024-01-02T00:00:00Z' }),
      pod('running', { phase: 'Running', created: '2023-01-01T00:00:00Z' }),
    ],
    [],
    { terminatedThreshold: 1 },
  );
  await t.gc.reconcile('pod-gc', t.ctx);
  expect(t.deleted.map((d) => d.name)).toEqual(['old', 'mid']);
  expect(t.statuses).toEqual([]); // already terminal: not re-marked
});
