// Removing a pod's tracking finalizer: one strategic merge patch that deletes only that entry
// (others' finalizers stay, no resourceVersion, so no 409 and re-read when the kubelet wrote the
// pod meanwhile); the pod's uid is a precondition, and a pod replaced under the same name is
// not ours to touch.
import { errors } from '@keelson/api';
import { PodControl } from '../src/pod-control';
import { JOB_TRACKING_FINALIZER, type Pod } from '../src/types';

const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'uid-1', resourceVersion: '5', finalizers: ['example.com/keep', JOB_TRACKING_FINALIZER] }, spec: {} };

function control(patch: (body: unknown, opts: { type?: string }) => Promise<unknown>, current?: Pod) {
  const calls: string[] = [];
  const client = {
    patch: async (_r: unknown, _ns: string, _name: string, body: unknown, opts: { type?: string }) => {
      calls.push('patch');
      return patch(body, opts);
    },
    get: async () => {
      calls.push('get');
      if (!current) throw errors.notFound('pods', 'p');
      return current;
    },
    create: async () => ({}),
    delete: async () => ({}),
  };
  return { pc: new PodControl(client as never, { event: () => undefined }), calls };
}

test('the finalizer goes with one strategic patch naming only it, with the uid as precondition', async () => {
  let sent: unknown;
  let type: string | undefined;
  const { pc, calls } = control(async (body, opts) => {
    sent = body;
    type = opts.type;
    return pod;
  });
  await pc.removeTrackingFinalizer(pod);
  expect(calls).toEqual(['patch']);
  expect(type).toBe('strategic');
  expect(sent).toEqual({ metadata: { uid: 'uid-1', '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] } });
});

test('a pod without the finalizer, or gone, needs nothing', async () => {
  const { pc, calls } = control(async () => {
    throw errors.notFound('pods', 'p');
  });
  await pc.removeTrackingFinalizer({ ...pod, metadata: { ...pod.metadata, finalizers: ['example.com/keep'] } });
  expect(calls).toEqual([]);
  await pc.removeTrackingFinalizer(pod);
  expect(calls).toEqual(['patch']);
});

test('a uid conflict is done when another pod holds the name, an error when it is still ours', async () => {
  const conflict = async (): Promise<never> => {
    throw errors.conflict('pods', 'p', 'Precondition failed: UID in precondition: uid-1, UID in object meta: uid-2');
  };
  const replaced = control(conflict, { ...pod, metadata: { ...pod.metadata, uid: 'uid-2' } });
  await replaced.pc.removeTrackingFinalizer(pod);
  expect(replaced.calls).toEqual(['patch', 'get']);

  const same = control(conflict, pod);
  await expect(same.pc.removeTrackingFinalizer(pod)).rejects.toThrow(/Precondition failed/);
});
