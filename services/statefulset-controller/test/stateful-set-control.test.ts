import { CONTROLLER_REVISION_HASH_LABEL, newControllerRevision, templatePatch, type ControllerRevision } from '@keelson/controller-runtime';
import type { StatefulPodControl } from '../src/stateful-pod-control';
import { completeRollingUpdate, StatefulSetControl } from '../src/stateful-set-control';
import { newVersionedStatefulSetPod, podName } from '../src/stateful-set-utils';
import { STATEFULSET_KIND, type Pod, type StatefulSet } from '../src/types';

const set = (spec: Partial<NonNullable<StatefulSet['spec']>> = {}, status?: StatefulSet['status']): StatefulSet => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'default', uid: 'set-uid', generation: 2 },
  spec: {
    replicas: 3, serviceName: 'web', selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v2' }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }],
    ...spec,
  },
  ...(status ? { status } : {}),
});
const revision = (s: StatefulSet, image: string, n: number): ControllerRevision => {
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } };
  return newControllerRevision(s, STATEFULSET_KIND, { app: 'web' }, templatePatch(template), n, 0, `h${n}`);
};

/** A pod as the API would hold it: created (uid) at `rev`, Running and Ready unless told otherwise. */
function pod(s: StatefulSet, ordinal: number, rev: ControllerRevision, state: 'ready' | 'pending' | 'terminating' | 'failed' = 'ready'): Pod {
  const p = newVersionedStatefulSetPod(s, s, rev.metadata.name!, rev.metadata.name!, ordinal);
  p.metadata.uid = `uid-${ordinal}`;
  p.metadata.labels![CONTROLLER_REVISION_HASH_LABEL] = rev.metadata.name!;
  if (state === 'terminating') p.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  p.status = state === 'failed' ? { phase: 'Failed' } : state === 'pending' ? { phase: 'Pending' } : { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  return p;
}

function recorder() {
  const calls: string[] = [];
  const control = {
    createStatefulPod: async (_s: StatefulSet, p: Pod) => void calls.push(`create ${p.metadata.name} ${p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]}`),
    deleteStatefulPod: async (_s: StatefulSet, p: Pod) => void calls.push(`delete ${p.metadata.name}`),
    updateStatefulPod: async (_s: StatefulSet, p: Pod) => void calls.push(`update ${p.metadata.name}`),
    updateClaimOwners: async () => undefined,
  } as unknown as StatefulPodControl;
  return { calls, control: new StatefulSetControl(control) };
}

test('OrderedReady creates the lowest missing ordinal only, with its identity and claim', async () => {
  const s = set();
  const rev = revision(s, 'v2', 1);
  const { calls, control } = recorder();
  await control.updateStatefulSet(s, rev, rev, 0, [], undefined);
  expect(calls).toEqual(['create web-0 web-h1']);
  const p = newVersionedStatefulSetPod(s, s, 'web-h1', 'web-h1', 1);
  expect(p.metadata.name).toBe(podName(s, 1));
  expect(p.spec).toMatchObject({ hostname: 'web-1', subdomain: 'web', volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } }] });
  expect(p.metadata.labels).toMatchObject({ 'statefulset.kubernetes.io/pod-name': 'web-1', 'apps.kubernetes.io/pod-index': '1' });
});

test('OrderedReady waits for a pending predecessor; Parallel does not', async () => {
  const rev = revision(set(), 'v2', 1);
  const ordered = recorder();
  await ordered.control.updateStatefulSet(set(), rev, rev, 0, [pod(set(), 0, rev, 'pending')], undefined);
  expect(ordered.calls).toEqual([]);
  const parallel = recorder();
  const s = set({ podManagementPolicy: 'Parallel' });
  await parallel.control.updateStatefulSet(s, rev, rev, 0, [pod(s, 0, rev, 'pending')], undefined);
  expect(parallel.calls).toEqual(['create web-1 web-h1', 'create web-2 web-h1']);
});

test('scale-down deletes the highest ordinal first, one at a time', async () => {
  const s = set({ replicas: 1 });
  const rev = revision(s, 'v2', 1);
  const { calls, control } = recorder();
  await control.updateStatefulSet(s, rev, rev, 0, [0, 1, 2].map((i) => pod(s, i, rev)), undefined);
  expect(calls).toEqual(['delete web-2']);
});

test('a rolling update with partition 2 replaces only web-2, then completes no further', async () => {
  const s = set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
  const old = revision(s, 'v1', 1);
  const cur = revision(s, 'v2', 2);
  const { calls, control } = recorder();
  const outcome = await control.updateStatefulSet(s, old, cur, 0, [0, 1, 2].map((i) => pod(s, i, old)), undefined);
  expect(calls).toEqual(['delete web-2']);
  // web-2 recreated at the update revision: nothing more to do below the partition.
  const after = recorder();
  const pods = [pod(s, 0, old), pod(s, 1, old), pod(s, 2, cur)];
  const next = await after.control.updateStatefulSet(s, old, cur, 0, pods, undefined);
  expect(after.calls).toEqual([]);
  expect(next.status).toMatchObject({ replicas: 3, currentReplicas: 2, updatedReplicas: 1, currentRevision: 'web-h1', updateRevision: 'web-h2' });
  expect(completeRollingUpdate(s, next.status).currentRevision).toBe('web-h1');
  expect(outcome.status.observedGeneration).toBe(2);
});

test('a missing pod below the partition is recreated at the current revision', async () => {
  const s = set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
  const old = revision(s, 'v1', 1);
  const cur = revision(s, 'v2', 2);
  const { calls, control } = recorder();
  await control.updateStatefulSet(s, old, cur, 0, [pod(s, 0, old), pod(s, 2, cur)], undefined);
  expect(calls).toEqual(['create web-1 web-h1']);
});

test('OnDelete never deletes outdated pods; a failed pod is replaced', async () => {
  const s = set({ updateStrategy: { type: 'OnDelete' } });
  const old = revision(s, 'v1', 1);
  const cur = revision(s, 'v2', 2);
  const { calls, control } = recorder();
  await control.updateStatefulSet(s, old, cur, 0, [pod(s, 0, old), pod(s, 1, old, 'failed'), pod(s, 2, old)], undefined);
  expect(calls).toEqual(['delete web-1']);
});

test('maxUnavailable 2 replaces two pods at once, from the top', async () => {
  const s = set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 2 } } });
  const old = revision(s, 'v1', 1);
  const cur = revision(s, 'v2', 2);
  const { calls, control } = recorder();
  await control.updateStatefulSet(s, old, cur, 0, [0, 1, 2].map((i) => pod(s, i, old)), undefined);
  expect(calls).toEqual(['delete web-2', 'delete web-1']);
});

test('every replica updated and ready: the update revision becomes current', () => {
  const s = set();
  const status = { replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentReplicas: 0, currentRevision: 'a', updateRevision: 'b' };
  expect(completeRollingUpdate(s, status)).toMatchObject({ currentRevision: 'b', currentReplicas: 3 });
});
