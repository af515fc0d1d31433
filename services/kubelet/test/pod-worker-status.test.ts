// The status a pod worker hands to the status writer keeps its conditions' transition times
// from what the worker itself computed last, not from the pod as the informer shows it: that
// copy lags the kubelet's own writes, and stamping a changed condition anew on every publish
// before the echo arrived made each publish a new write (under load the writes and their
// echoes kept each other going).
import { createLogger } from '@keelson/telemetry';
import { Backoff } from '../src/backoff';
import { PodWorker } from '../src/pod-worker';
import { SimulatedRuntime } from '../src/runtime/simulated-runtime';
import { SIMULATED_RUN_MS_ANNOTATION } from '../src/runtime/simulated/job-pods';
import type { Pod, PodStatus } from '../src/types';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await sleep(10);
  if (!check()) throw new Error('condition not reached');
}

test('a stale pod from the informer does not re-stamp the transition times the worker already wrote', async () => {
  const pod: Pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: 'job-pod', namespace: 'ns', uid: 'uid-1', annotations: { [SIMULATED_RUN_MS_ANNOTATION]: '50' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'job-uid', controller: true }],
    },
    spec: { nodeName: 'sim-0', restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] },
  };
  const written: PodStatus[] = [];
  const worker = new PodWorker(pod, {
    runtime: new SimulatedRuntime(1),
    crashBackoff: new Backoff(10_000, 300_000),
    pullBackoff: new Backoff(10_000, 300_000),
    hostIP: '127.0.0.1',
    log: createLogger('test', { write: () => undefined }),
    writeStatus: (_p, s) => written.push(structuredClone(s)),
    confirmDeletion: async () => undefined,
    event: () => undefined,
  });
  worker.sync();
  await until(() => written.some((s) => s.phase === 'Running'));
  const running = written.find((s) => s.phase === 'Running')!;
  await until(() => written.some((s) => s.phase === 'Succeeded'));
  const succeeded = written.find((s) => s.phase === 'Succeeded')!;
  const ready = (s: PodStatus) => s.conditions.find((c) => c.type === 'Ready')!;
  expect(ready(running).status).toBe('True');
  expect(ready(succeeded).status).toBe('False');

  // Events keep bringing the pod as the informer last showed it: Running, Ready=True.
  const stale: Pod = { ...pod, status: running };
  for (let i = 0; i < 3; i++) {
    await sleep(5);
    const before = written.length;
    worker.update(stale);
    await until(() => written.length > before);
  }
  const last = written[written.length - 1];
  expect(last.phase).toBe('Succeeded');
  expect(last.conditions).toEqual(succeeded.conditions);
  worker.detach();
});
