// The scale-up planner on the scheduler's own filters: pods that fit existing or upcoming
// nodes trigger nothing; the rest are packed first-fit-decreasing onto template nodes of the
// pool that helps most, capped by maxNodes; the others get upstream's reasons.
import type { KubeObject } from '@keelson/operator-sdk';
import { noScaleUpMessage, planScaleUp, scaleUpMessage } from '../src/planner';
import { clusterSimNode, podInfo, templateSimNode } from '../src/simulation';
import type { NodePool } from '../src/types';

const pool = (name: string, min: number, max: number, extra: Partial<NodePool['spec']['nodeTemplate']> = {}): NodePool => ({
  apiVersion: 'autoscaling.keelson.dev/v1alpha1', kind: 'NodePool', metadata: { name, uid: `uid-${name}` },
  spec: { minNodes: min, maxNodes: max, provider: 'simulated', nodeTemplate: { allocatable: { cpu: '2', memory: '4Gi', pods: '110' }, ...extra } },
});
const pod = (name: string, cpu: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: name },
  spec: { containers: [{ name: 'c', resources: { requests: { cpu, memory: '128Mi' } } }], ...spec },
});
const node = (name: string, cpu: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, labels: {} }, spec: {}, status: { allocatable: { cpu, memory: '8Gi', pods: '110' } },
});

test('pods that fit an existing node trigger no scale-up', () => {
  const plan = planScaleUp([podInfo(pod('a', '500m'))], [clusterSimNode(node('n1', '1'), undefined)], [{ pool: pool('workers', 0, 3), current: 0 }]);
  expect(plan.fitsExisting.get('default/a')).toBe('n1');
  expect(plan.scaleUps).toEqual([]);
});

test('a registering pool node counts with its template shape (no second scale-up for the same pods)', () => {
  const p = pool('workers', 0, 3);
  const upcoming: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'workers-abcde', labels: { 'autoscaling.keelson.dev/node-pool': 'workers' } }, spec: {} };
  const plan = planScaleUp([podInfo(pod('a', '1')), podInfo(pod('b', '1'))], [clusterSimNode(upcoming, p)], [{ pool: p, current: 1 }]);
  expect(plan.fitsExisting.size).toBe(2);
  expect(plan.scaleUps).toEqual([]);
});

test('first-fit decreasing: 1500m, 4 × 500m and 2 × 1000m on 2-cpu nodes take 3 nodes (the lower bound)', () => {
  const pods = [pod('a', '500m'), pod('b', '1500m'), pod('c', '1000m'), pod('d', '500m'), pod('e', '500m'), pod('f', '1000m'), pod('g', '500m')].map(podInfo);
  const plan = planScaleUp(pods, [], [{ pool: pool('workers', 0, 10), current: 0 }]);
  expect(plan.scaleUps).toHaveLength(1);
  expect(plan.scaleUps[0]).toMatchObject({ from: 0, to: 3 });
  expect(plan.scaleUps[0].pods).toHaveLength(7);
  expect(scaleUpMessage(plan.scaleUps[0])).toBe('pod triggered scale-up: [{workers 0->3 (max: 10)}]');
});

test('never above maxNodes: what does not fit is explained with upstream reasons', () => {
  const pods = Array.from({ length: 6 }, (_, i) => podInfo(pod(`p${i}`, '1')));
  const plan = planScaleUp(pods, [], [{ pool: pool('workers', 0, 2), current: 1 }]);
  expect(plan.scaleUps[0]).toMatchObject({ from: 1, to: 2 });
  expect(plan.scaleUps[0].pods).toHaveLength(2);
  expect(plan.noScaleUp.size).toBe(4);
  for (const { reasons } of plan.noScaleUp.values()) expect(noScaleUpMessage(reasons)).toBe("pod didn't trigger scale-up: 1 max node group size reached");
});

test('the scheduler filters decide the pool: taints, node selectors, and pods too big for any template', () => {
  const gpu = pool('gpu', 0, 5, { labels: { accel: 'gpu' }, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
  const general = pool('general', 0, 5);
  const sizes = [{ pool: gpu, current: 0 }, { pool: general, current: 0 }];
  const wantsGpu = pod('ml', '1', { nodeSelector: { accel: 'gpu' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] });
  const plan = planScaleUp([podInfo(wantsGpu), podInfo(pod('web', '1')), podInfo(pod('huge', '3'))], [], sizes);
  expect(plan.scaleUps.map((s) => [s.pool.metadata.name, s.pods.map((p) => p.pod.metadata.name)])).toEqual(
    expect.arrayContaining([['gpu', ['ml']], ['general', ['web']]]),
  );
  expect(noScaleUpMessage(plan.noScaleUp.get('default/huge')!.reasons)).toBe("pod didn't trigger scale-up: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu}");
  const untolerated = planScaleUp([podInfo(pod('x', '1', { nodeSelector: { accel: 'gpu' } }))], [], sizes);
  expect(noScaleUpMessage(untolerated.noScaleUp.get('default/x')!.reasons)).toBe(
    "pod didn't trigger scale-up: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}",
  );
});

test('the expander prefers the pool that helps the most pods, then the fewest nodes', () => {
  const small = pool('small', 0, 10);
  const big = pool('big', 0, 10, { allocatable: { cpu: '8', memory: '16Gi', pods: '110' } });
  const plan = planScaleUp(Array.from({ length: 8 }, (_, i) => podInfo(pod(`p${i}`, '1'))), [], [{ pool: small, current: 0 }, { pool: big, current: 0 }]);
  expect(plan.scaleUps).toHaveLength(1);
  expect(plan.scaleUps[0]).toMatchObject({ pool: big, from: 0, to: 1 });
  expect(templateSimNode(big).view.allocatable.get('cpu')).toBe(8000);
});
