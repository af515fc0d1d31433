// Quota charging, LimitRanger defaults/limits, and the eviction's spend of a controller-kept budget.
import { ApiError, type KubeObject, type ResourceInfo } from '@keelson/api';
import { applyLimitRangeDefaults, limitRangeViolations } from '../src/admission/limit-ranger';
import { chargeQuota } from '../src/admission/resource-quota';
import { controllerLeaseLive, decideFromStatus } from '../src/registry/eviction-budget';

const PODS: ResourceInfo = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true } as ResourceInfo;
const pod = (name: string, resources?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' },
  spec: { containers: [{ name: 'c', image: 'x', ...(resources ? { resources } : {}) }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
});
const quota = (hard: Record<string, string>, used?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ns' }, spec: { hard }, status: used ? { hard, used } : {},
});
const refusal = (fn: () => unknown): ApiError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('not refused');
};

describe('ResourceQuota admission', () => {
  test('charges what the quota constrains; refuses past hard with kube\'s message', () => {
    const delta = { pods: 1, 'count/pods': 1, 'requests.cpu': 0.5 };
    const next = chargeQuota(quota({ pods: '2', 'requests.cpu': '1' }, { pods: '1', 'requests.cpu': '250m' }), delta, PODS, pod('a'));
    expect(next?.status).toEqual({ hard: { pods: '2', 'requests.cpu': '1' }, used: { pods: '2', 'requests.cpu': '750m' } });
    const e = refusal(() => chargeQuota(next!, delta, PODS, pod('b')));
    expect(e.code).toBe(403);
    expect(e.message).toBe('pods "b" is forbidden: exceeded quota: q, requested: pods=1,requests.cpu=500m, used: pods=2,requests.cpu=750m, limited: pods=2,requests.cpu=1');
  });

  test('a quota whose usage is unknown refuses; one that constrains nothing of the object is not charged', () => {
    expect(refusal(() => chargeQuota(quota({ pods: '2' }), { pods: 1 }, PODS, pod('a'))).message).toBe('pods "a" is forbidden: status unknown for quota: q, resource: pods');
    expect(chargeQuota(quota({ secrets: '2' }, { secrets: '0' }), { pods: 1 }, PODS, pod('a'))).toBeUndefined();
  });
});

describe('LimitRanger', () => {
  const range: KubeObject = {
    apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l', namespace: 'ns' },
    spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '100m' }, max: { cpu: '1' }, min: { cpu: '50m' } }, { type: 'Pod', max: { memory: '1Gi' } }] },
  };
  test('missing requests and limits are defaulted and noted; set ones kept', () => {
    const p = pod('a', { limits: { cpu: '800m' } });
    expect(applyLimitRangeDefaults(p, [range])).toBe('LimitRanger plugin set: cpu request for container c');
    expect((p.spec as { containers: Array<{ resources: unknown }> }).containers[0].resources).toEqual({ limits: { cpu: '800m' }, requests: { cpu: '100m' } });
  });
  test('min, max and the Pod max in kube\'s words', () => {
    const p = pod('a', { requests: { cpu: '10m', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi' } });
    expect(limitRangeViolations(p, [range])).toEqual([
      'minimum cpu usage per Container is 50m, but request is 10m',
      'maximum cpu usage per Container is 1, but limit is 2',
      'maximum memory usage per Pod is 1Gi, but limit is 2Gi',
    ]);
  });
});

describe('eviction against a controller-kept budget', () => {
  const NOW = new Date('2024-01-01T00:00:00Z');
  const budget = (status: Record<string, unknown>, generation = 1): KubeObject => ({
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'ns', generation }, spec: {}, status: { observedGeneration: 1, ...status },
  });
  test('spends one disruption and records the pod', () => {
    const d = decideFromStatus(budget({ disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, conditions: [{ type: 'DisruptionAllowed', status: 'True' }] }), pod('a'), NOW);
    expect(d.kind).toBe('spend');
    const status = (d as { next: KubeObject }).next.status as Record<string, unknown>;
    expect(status).toMatchObject({ disruptionsAllowed: 0, disruptedPods: { a: '2024-01-01T00:00:00Z' } });
    expect(status.conditions).toEqual([expect.objectContaining({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' })]);
  });
  test('none left, or a budget not yet processed: kube\'s 429 causes', () => {
    expect(refusal(() => decideFromStatus(budget({ disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 }), pod('a'), NOW)).details?.causes?.[0].message)
      .toBe('The disruption budget web needs 2 healthy pods and has 2 currently');
    expect(refusal(() => decideFromStatus(budget({ disruptionsAllowed: 1 }, 2), pod('a'), NOW)).details?.causes?.[0].message)
      .toBe('The disruption budget web is still being processed by the server.');
  });
  test('an unready pod of a met budget is deleted without spending', () => {
    const unready = { ...pod('a'), status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } };
    expect(decideFromStatus(budget({ disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 }), unready, NOW)).toEqual({ kind: 'deleteUnhealthy' });
  });
});

test('the budget status is trusted only while a disruption-controller holds its Lease', () => {
  const now = new Date('2024-01-01T00:00:10Z');
  const lease = (renewTime: string, holderIdentity = 'disruption-controller-1'): KubeObject => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'disruption-controller', namespace: 'kube-system' }, spec: { holderIdentity, leaseDurationSeconds: 15, renewTime } });
  expect(controllerLeaseLive(lease('2024-01-01T00:00:00.000000Z'), now)).toBe(true);
  expect(controllerLeaseLive(lease('2023-12-31T23:59:00.000000Z'), now)).toBe(false);
  expect(controllerLeaseLive(lease('2024-01-01T00:00:00.000000Z', ''), now)).toBe(false);
  expect(controllerLeaseLive(undefined, now)).toBe(false);
});
