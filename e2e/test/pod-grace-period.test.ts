// A graceful pod deletion that no kubelet confirms still ends: the pod is marked (deletionTimestamp,
// deletionGracePeriodSeconds) and the gateway removes it once the grace period is over, unless a
// finalizer holds it — as kube-apiserver's pods do without their node. The gateway follows
// terminating pods through its watch cache without decoding the pods' other changes.
import { startControlPlane, until, type ControlPlane } from '@keelson/testing';

jest.setTimeout(60_000);

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane({ nodes: ['node-1'] });
});
afterAll(async () => {
  await cp?.stop();
});

const pod = (name: string, extraMeta: Record<string, unknown> = {}): string => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ...extraMeta },
  spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 3, containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] },
});
const exists = async (name: string): Promise<boolean> => (await cp.kubectl(['get', 'pod', name, '-o', 'name'])).code === 0;

test('a pod on a node without a kubelet is removed when its grace period ends; a finalizer holds it', async () => {
  await cp.kubectl(['apply', '-f', '-'], { input: pod('unconfirmed') });
  await cp.kubectl(['apply', '-f', '-'], { input: pod('held', { finalizers: ['example.com/hold'] }) });
  // Changes of a running pod (labels, status) before the deletion: none of them is terminating.
  await cp.k('label', 'pod', 'unconfirmed', 'stage=before');
  const deletedAt = Date.now();
  await cp.k('delete', 'pod', 'unconfirmed', 'held', '--wait=false');
  const marked = JSON.parse(await cp.k('get', 'pod', 'unconfirmed', '-o', 'json')) as { metadata: { deletionTimestamp?: string; deletionGracePeriodSeconds?: number } };
  expect(marked.metadata.deletionTimestamp).toBeDefined();
  expect(marked.metadata.deletionGracePeriodSeconds).toBe(3);
  await until('the pod removed after its grace period', async () => !(await exists('unconfirmed')), 20_000);
  // deletionTimestamp has whole seconds: the end of a 3 s grace period is 2–3 s after the delete.
  expect(Date.now() - deletedAt).toBeGreaterThanOrEqual(2000);
  // The finalizer keeps the other past its grace period; removing the finalizer lets it go.
  await new Promise((r) => setTimeout(r, 1000));
  expect(await exists('held')).toBe(true);
  await cp.k('patch', 'pod', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
  await until('the pod removed once its finalizer is gone', async () => !(await exists('held')), 20_000);
});
