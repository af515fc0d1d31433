// The scheduling loop without servers: a fake binding client, the real framework and cache.
import { ApiError, type KubeObject } from '@keelson/api';
import { createLogger } from '@keelson/telemetry';
import { fitErrorMessage, schedulePod } from '../src/framework';
import { defaultProfile } from '../src/plugins';
import { Scheduler } from '../src/scheduler';
import { SchedulerCache } from '../src/scheduler-cache';
import { info, node, pod } from './fixtures';

function harness(bindImpl: (ns: string, name: string, node: string) => Promise<void> = async () => undefined) {
  const pods = new Map<string, KubeObject>();
  const events: { reason: string; message: string }[] = [];
  const patches: unknown[] = [];
  const enqueued: string[] = [];
  const delayed: [string, number][] = [];
  const bound: [string, string][] = [];
  const s = new Scheduler({
    client: {
      bind: async (ns, name, n) => {
        await bindImpl(ns, name, n);
        bound.push([name, n]);
        return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
      },
      patch: async (_r, _ns, _n, body) => {
        patches.push(body);
        return {} as never;
      },
    },
    pods: { get: (k: string) => pods.get(k) } as never,
    profiles: [{ schedulerName: 'default-scheduler', profile: defaultProfile(), recorder: { event: (_o, _t, reason, message) => events.push({ reason, message }) } }],
    config: { schedulerName: 'default-scheduler', configuration: { profiles: [], ignored: [] }, backoffInitialMs: 1000, backoffMaxMs: 4000, bindConcurrency: 4, assumedTtlMs: 30_000, scheduledEvents: false },
    log: createLogger('test', { write: () => undefined }),
    queue: { enqueue: (k) => enqueued.push(k), enqueueAfter: (k, ms) => delayed.push([k, ms]) },
  });
  const add = (p: KubeObject) => pods.set(`default/${p.metadata.name}`, p);
  return { s, add, events, patches, enqueued, delayed, bound };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

test('fit errors read like kube: sorted "count reason" strings', () => {
  const cache = new SchedulerCache();
  cache.setNode(node('a', { cpu: '1' }));
  cache.setNode(node('b', { cpu: '1' }));
  cache.setNode(node('c', { cpu: '4', unschedulable: true }));
  const r = schedulePod(defaultProfile(), info(pod('p', { cpu: '2' })), cache.nodeInfos());
  expect(r.ok).toBe(false);
  if (!r.ok) expect(fitErrorMessage(r.numAllNodes, r.failures)).toBe('0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.');
});

test('back-to-back pods see earlier assumptions and do not overcommit a node', async () => {
  const h = harness();
  h.s.nodeHandler().onAdd!(node('a', { cpu: '1' }), { revision: 1 });
  h.s.nodeHandler().onAdd!(node('b', { cpu: '1' }), { revision: 1 });
  for (const n of ['p1', 'p2', 'p3']) h.add(pod(n, { cpu: '600m' }));
  for (const n of ['p1', 'p2', 'p3']) await h.s.reconcile(`default/${n}`);
  await settle();
  expect(new Set(h.bound.map(([, n]) => n))).toEqual(new Set(['a', 'b']));
  expect(h.events).toEqual([{ reason: 'FailedScheduling', message: '0/2 nodes are available: 2 Insufficient cpu.' }]);
  expect(h.patches).toEqual([{ status: { conditions: [expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available: 2 Insufficient cpu.' })] } }]);
  expect(h.delayed).toEqual([['default/p3', 1000]]);
});

test('a failed bind forgets the assumption; back-off doubles to its cap; a new node retries at once', async () => {
  const h = harness(async (_ns, name) => {
    if (name === 'p1') throw new ApiError(500, 'InternalError', 'etcd unavailable');
  });
  h.s.nodeHandler().onAdd!(node('a', { cpu: '1' }), { revision: 1 });
  h.add(pod('p1', { cpu: '1' }));
  await h.s.reconcile('default/p1');
  await settle();
  expect(h.s.cache.isAssumed('default/p1')).toBe(false);
  expect(h.s.cache.nodeInfo('a')!.requested.get('cpu')).toBe(0);
  expect(h.events[0]).toEqual({ reason: 'FailedScheduling', message: 'Binding rejected: etcd unavailable' });

  h.add(pod('big', { cpu: '8' }));
  for (let i = 0; i < 4; i++) await h.s.reconcile('default/big');
  expect(h.delayed.filter(([k]) => k === 'default/big').map(([, ms]) => ms)).toEqual([1000, 2000, 4000, 4000]);
  // Its own status write does not cut the back-off short; a node with room does.
  h.s.podHandler().onUpdate!(pod('big', { cpu: '8' }), pod('big', { cpu: '8' }), { revision: 2 });
  expect(h.enqueued).not.toContain('default/big');
  h.s.nodeHandler().onAdd!(node('huge', { cpu: '16' }), { revision: 3 });
  expect(h.enqueued).toContain('default/big');
});

test('pods of another scheduler, bound or terminating pods are left alone; the informer confirms assumptions', async () => {
  const h = harness();
  h.s.nodeHandler().onAdd!(node('a'), { revision: 1 });
  const other = pod('o', { schedulerName: 'other' });
  const deleting = pod('d', {}, { deletionTimestamp: '2025-01-01T00:00:00Z' });
  for (const p of [other, deleting]) h.s.podHandler().onAdd!(p, { revision: 1 });
  expect(h.enqueued).toEqual([]);
  h.add(pod('p'));
  await h.s.reconcile('default/p');
  expect(h.s.cache.isAssumed('default/p')).toBe(true);
  h.s.podHandler().onUpdate!(pod('p'), pod('p', { nodeName: 'a' }), { revision: 2 });
  expect(h.s.cache.isAssumed('default/p')).toBe(false);
  expect(h.s.cache.nodeInfo('a')!.podCount).toBe(1);
});
