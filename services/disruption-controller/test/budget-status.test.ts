import type { KubeObject } from '@keelson/api';
import { computeStatus, failSafeStatus, SyncError, type ControllerLookup } from '../src/budget-status';
import type { PodDisruptionBudget, ScaledController } from '../src/types';

const NOW = new Date('2024-01-01T00:10:00Z');

function pod(name: string, o: { ready?: boolean; deleting?: boolean; owner?: string } = {}): KubeObject {
  const p: KubeObject = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'web' } },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
  if (o.owner !== '') p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner ?? 'web-rs', uid: `uid-${o.owner ?? 'web-rs'}`, controller: true }];
  if (o.deleting) p.metadata.deletionTimestamp = '2024-01-01T00:09:00Z';
  return p;
}

function pdb(spec: PodDisruptionBudget['spec'], status?: PodDisruptionBudget['status']): PodDisruptionBudget {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'ns', generation: 2 }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec }, status };
}

const controllers: Record<string, ScaledController> = {
  'ReplicaSet/web-rs': { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-rs', namespace: 'ns', uid: 'uid-web-rs', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true }] }, spec: { replicas: 3 } },
  'Deployment/web': { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns', uid: 'uid-web' }, spec: { replicas: 4 } },
};
const lookup: ControllerLookup = (kind, _ns, name) => controllers[`${kind}/${name}`];

describe('PodDisruptionBudget status', () => {
  test('minAvailable as a number: expected = selected pods; unready and terminating pods are not healthy', () => {
    const { status } = computeStatus(pdb({ minAvailable: 2 }), [pod('a'), pod('b'), pod('c', { ready: false }), pod('d', { deleting: true })], lookup, NOW);
    expect(status).toMatchObject({ observedGeneration: 2, expectedPods: 4, currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0 });
    expect(status.conditions).toEqual([{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: 2, lastTransitionTime: '2024-01-01T00:10:00Z' }]);
  });

  test('maxUnavailable: expected pods from the Deployment that scales the pods\' ReplicaSet', () => {
    const { status } = computeStatus(pdb({ maxUnavailable: 1 }), [pod('a'), pod('b'), pod('c'), pod('d')], lookup, NOW);
    expect(status).toMatchObject({ expectedPods: 4, currentHealthy: 4, desiredHealthy: 3, disruptionsAllowed: 1 });
    expect(status.conditions?.[0]).toMatchObject({ status: 'True', reason: 'SufficientPods' });
  });

  test('a percentage rounds up; a pod whose controller is gone fails the sync (fail-safe: nothing allowed)', () => {
    expect(computeStatus(pdb({ minAvailable: '50%' }), [pod('a'), pod('b'), pod('c')], lookup, NOW).status).toMatchObject({ expectedPods: 4, desiredHealthy: 2, disruptionsAllowed: 1 });
    expect(() => computeStatus(pdb({ maxUnavailable: 1 }), [pod('a', { owner: 'gone' })], lookup, NOW)).toThrow(SyncError);
    const safe = failSafeStatus(pdb({ maxUnavailable: 1 }, { disruptionsAllowed: 2, currentHealthy: 3, desiredHealthy: 1, expectedPods: 3 }), new SyncError('found no controllers for pod "a"'), NOW);
    expect(safe).toMatchObject({ disruptionsAllowed: 0, observedGeneration: 2 });
    expect(safe.conditions?.[0]).toMatchObject({ status: 'False', reason: 'SyncFailed', message: 'found no controllers for pod "a"' });
  });

  test('pods an eviction let through stay unhealthy until seen going; stale entries expire', () => {
    const disruptedPods = { a: '2024-01-01T00:09:30Z', gone: '2024-01-01T00:09:30Z', old: '2024-01-01T00:01:00Z' };
    const { status, recheckAt } = computeStatus(pdb({ minAvailable: 1 }, { disruptedPods, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }), [pod('a'), pod('b'), pod('old')], lookup, NOW);
    expect(status.disruptedPods).toEqual({ a: '2024-01-01T00:09:30Z' });
    expect(status).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 1 });
    expect(recheckAt).toBe(Date.parse('2024-01-01T00:11:30Z'));
  });

  test('the transition time stays while the condition status does', () => {
    const prev = { type: 'DisruptionAllowed', status: 'True' as const, reason: 'SufficientPods', message: '', lastTransitionTime: '2023-12-31T00:00:00Z' };
    const { status } = computeStatus(pdb({ minAvailable: 1 }, { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2, conditions: [prev] }), [pod('a'), pod('b')], lookup, NOW);
    expect(status.conditions?.[0].lastTransitionTime).toBe('2023-12-31T00:00:00Z');
  });
});
