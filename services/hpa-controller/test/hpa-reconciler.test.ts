import type { KubeObject } from '@keelson/api';
import type { ReadOnlyCache, ReconcileContext } from '@keelson/controller-runtime';
import type { HpaControllerConfig } from '../src/config';
import { HpaReconciler, scalePath } from '../src/hpa-reconciler';
import type { HorizontalPodAutoscaler, PodMetrics } from '../src/types';

const NOW = Date.parse('2024-01-01T01:00:00Z');
const config: HpaControllerConfig = { syncPeriodMs: 15_000, downscaleStabilizationSeconds: 300, tolerance: 0.1, cpuInitializationPeriodMs: 300_000, delayOfInitialReadinessStatusMs: 30_000, workers: 1 };

function cache<T extends KubeObject>(items: T[]): ReadOnlyCache<T> {
  const byNs = (ns: string) => items.filter((o) => o.metadata.namespace === ns);
  return { get: () => undefined, getByName: (ns, n) => items.find((o) => o.metadata.namespace === ns && o.metadata.name === n), list: () => items, keys: () => [], size: () => items.length, byNamespace: byNs, byOwnerUid: () => [] } as unknown as ReadOnlyCache<T>;
}
const pod = (name: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', resources: { requests: { cpu: '100m' } } }] },
  status: { phase: 'Running', startTime: '2024-01-01T00:00:00Z', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:05Z' }] },
});
const usage = (name: string, cpu: string): PodMetrics => ({ metadata: { name, namespace: 'ns' }, timestamp: '2024-01-01T00:59:50Z', window: '30s', containers: [{ name: 'c', usage: { cpu, memory: '10Mi' } }] });
const hpa = (): HorizontalPodAutoscaler => ({
  apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'ns', generation: 1 },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
});
const ctx = { signal: new AbortController().signal } as ReconcileContext;

function setup(replicas: number, pods: KubeObject[], metrics: PodMetrics[]) {
  const calls: Array<{ method: string; path: string; body?: unknown }> = [];
  const statuses: HorizontalPodAutoscaler[] = [];
  const events: string[] = [];
  const client = {
    raw: async <T>(method: string, path: string, opts?: { body?: unknown }): Promise<T> => {
      calls.push({ method, path, body: opts?.body });
      return { spec: { replicas }, status: { replicas, selector: 'app=web' } } as T;
    },
    patch: async () => { throw new Error('unused'); },
    updateStatus: async <T>(_r: unknown, obj: T): Promise<T> => { statuses.push(obj as HorizontalPodAutoscaler); return obj; },
  };
  const r = new HpaReconciler({
    client: client as never, hpas: cache([hpa()]), pods: cache(pods), config, now: () => NOW,
    fetchPodMetrics: async () => metrics,
    recorder: { event: (_o: KubeObject, type: string, reason: string, msg: string) => events.push(`${type} ${reason} ${msg}`) },
  });
  return { r, calls, statuses, events };
}

test('scale path of each target kind', () => {
  expect(scalePath('ns', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' })).toBe('/apis/apps/v1/namespaces/ns/deployments/web/scale');
  expect(scalePath('ns', { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' })).toBe('/apis/apps/v1/namespaces/ns/statefulsets/db/scale');
  expect(scalePath('ns', { apiVersion: 'v1', kind: 'ReplicationController', name: 'rc' })).toBe('/api/v1/namespaces/ns/replicationcontrollers/rc/scale');
});

test('scales up through /scale with the upstream event, status and conditions', async () => {
  const { r, calls, statuses, events } = setup(2, [pod('a'), pod('b')], [usage('a', '150m'), usage('b', '150m')]);
  expect(await r.reconcile('ns/web', ctx)).toEqual({ requeueAfter: 15_000 });
  // 150% of request against 50%: ratio 3 × 2 pods = 6, capped at maxReplicas 5.
  expect(calls.find((c) => c.method === 'PATCH')).toEqual({ method: 'PATCH', path: '/apis/apps/v1/namespaces/ns/deployments/web/scale', body: { spec: { replicas: 5 } } });
  expect(events).toEqual(['Normal SuccessfulRescale New size: 5; reason: cpu resource utilization (percentage of request) above target']);
  const st = statuses[0].status!;
  expect(st).toMatchObject({ currentReplicas: 2, desiredReplicas: 5, lastScaleTime: new Date(NOW).toISOString(), observedGeneration: 1 });
  expect(st.currentMetrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 150, averageValue: '150m' } } }]);
  expect(st.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([['AbleToScale', 'True', 'SucceededRescale'], ['ScalingActive', 'True', 'ValidMetricFound'], ['ScalingLimited', 'True', 'TooManyReplicas']]);
});

test('the default scale-down window holds the size; no metrics is ScalingActive False', async () => {
  const metrics = [usage('a', '50m'), usage('b', '50m'), usage('c', '50m')];
  const { r, calls, statuses } = setup(3, [pod('a'), pod('b'), pod('c')], metrics);
  await r.reconcile('ns/web', ctx);
  // The load drops: 10% recommends 1, but the recommendation of 3 is inside the 300 s window.
  metrics.splice(0, 3, usage('a', '10m'), usage('b', '10m'), usage('c', '10m'));
  await r.reconcile('ns/web', ctx);
  expect(calls.some((c) => c.method === 'PATCH')).toBe(false);
  expect(statuses[1].status?.desiredReplicas).toBe(3);
  expect(statuses[1].status?.conditions?.find((c) => c.type === 'AbleToScale')).toMatchObject({ status: 'True', reason: 'ScaleDownStabilized' });
  const none = setup(3, [pod('a')], []);
  await none.r.reconcile('ns/web', ctx);
  expect(none.statuses[0].status?.conditions?.find((c) => c.type === 'ScalingActive')).toMatchObject({ status: 'False', reason: 'FailedGetResourceMetric' });
  expect(none.events[0]).toMatch(/^Warning FailedGetResourceMetric failed to get cpu utilization: did not receive metrics for any ready pods$/);
  expect(statuses.length).toBe(2);
});
