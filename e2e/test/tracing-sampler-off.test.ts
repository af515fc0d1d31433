// OTEL_TRACES_SAMPLER=always_off, as a user sets it for `npm start`: with an exporter
// configured, not one span reaches the receiver, and the cluster behaves exactly as traced —
// a Deployment rolls out on both nodes and its objects still carry their (unsampled) context.
import { startLocalCluster, startOtlpReceiver, type LocalCluster, type OtlpReceiver } from '@keelson/testing';

jest.setTimeout(90_000);

let c: LocalCluster | undefined;
let otlp: OtlpReceiver;

// The hook's timeout is above startLocalCluster's own ready deadline (180 s), which then reports
// which service was not ready and the cluster log, and stops the supervisor (a jest hook timeout
// would leave it running). In CI ~25 processes load their modules on 2 cores: 90 s was too short.
beforeAll(async () => {
  otlp = await startOtlpReceiver();
  c = await startLocalCluster({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, OTEL_TRACES_SAMPLER: 'always_off' } });
}, 200_000);
afterAll(async () => {
  await c?.stop();
  await otlp?.stop();
});

interface PodJson { metadata: { annotations?: Record<string, string> }; spec: { nodeName?: string }; status?: { phase?: string } }

test('always_off exports nothing and changes no behaviour', async () => {
  const cluster = c!;
  await cluster.k('create', 'deployment', 'quiet', '--replicas=2', '--image=busybox', '--', 'sleep', '3600');
  let pods: PodJson[] = [];
  while (pods.filter((p) => p.status?.phase === 'Running').length < 2) {
    pods = (JSON.parse(await cluster.k('get', 'pods', '-l', 'app=quiet', '-o', 'json')) as { items: PodJson[] }).items;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(new Set(pods.map((p) => p.spec.nodeName))).toEqual(new Set(['node-1', 'node-2']));
  await cluster.k('rollout', 'status', 'deployment/quiet', '--timeout=30s');
  // Trace context still propagates (flag 00: not sampled), so sampling stays a per-trace decision.
  const d = JSON.parse(await cluster.k('get', 'deployment', 'quiet', '-o', 'json')) as PodJson;
  expect(d.metadata.annotations?.['keelson.dev/traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  await cluster.k('scale', 'deployment', 'quiet', '--replicas=1');
  await cluster.k('rollout', 'status', 'deployment/quiet', '--timeout=30s');

  // A graceful stop flushes every process's exporter: whatever was recorded would arrive now.
  await cluster.stop();
  c = undefined;
  expect(otlp.spans).toEqual([]);
});
