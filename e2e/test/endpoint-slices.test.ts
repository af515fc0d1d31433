// Services' endpoints end to end (issue 13 item 5): `kubectl expose` of a Deployment, then the
// endpointslice-controller's EndpointSlices and Endpoints list the Ready pods' IPs with the
// named targetPort resolved per pod, and follow scale-up, scale-down and readiness changes.
// Chain: deployment → replicaset → scheduler → simulated kubelets (pods get IPs) → endpoints.
import { join } from 'node:path';
import { startControlPlane, type ControlPlane, type ServiceProcess, until } from '@keelson/testing';

jest.setTimeout(180_000);

const FAST = { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '500' };
const SERVICES = ['deployment-controller', 'replicaset-controller', 'scheduler', 'kubelet', 'endpointslice-controller'];
let cp: ControlPlane;
let controller: ServiceProcess;
let kubelet: ServiceProcess;

beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: SERVICES });
  const env = (n: string): Record<string, string> =>
    n === 'kubelet' ? { ...FAST, KEELSON_KUBELET_RUNTIME: 'simulated', NODE_NAME: 'eps', NODE_COUNT: '2', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet') }
      // Slices hold 100 endpoints by default (kube's --max-endpoints-per-slice); 10 here keeps the split test to 12 pods.
      : n === 'endpointslice-controller' ? { ...FAST, KEELSON_EPS_MAX_ENDPOINTS_PER_SLICE: '10' } : FAST;
  // One at a time: several services connecting to NATS at once time out on a loaded machine.
  for (const n of SERVICES) {
    const p = await cp.startService(n, { env: env(n) });
    if (n === 'endpointslice-controller') controller = p;
    if (n === 'kubelet') kubelet = p;
  }
}, 300_000); // a loaded CI machine takes minutes to start the services
afterAll(async () => {
  await cp?.stop();
});

interface Endpoint { addresses: string[]; conditions: { ready: boolean; serving: boolean; terminating: boolean }; nodeName?: string; targetRef: { kind: string; name: string } }
interface Slice { metadata: { name: string; labels: Record<string, string>; ownerReferences?: Array<{ kind: string; name: string; controller?: boolean }> }; addressType: string; endpoints: Endpoint[] | null; ports: Array<{ name?: string; port: number; protocol: string }> | null }
interface Pod { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string }; status: { podIP?: string; conditions?: Array<{ type: string; status: string }> } }

async function json<T>(path: string): Promise<T> {
  const r = await cp.request('GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}
const slices = async (svc: string) => (await json<{ items: Slice[] }>(`/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D${svc}`)).items;
const endpointsOf = async (svc: string) => (await slices(svc)).flatMap((s) => s.endpoints ?? []);
const readyPods = async (app: string) =>
  (await json<{ items: Pod[] }>(`/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`)).items
    .filter((p) => !p.metadata.deletionTimestamp && p.status.podIP && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
const sorted = (xs: string[]) => [...xs].sort();

/** Waits until the slices' ready endpoints are exactly the Ready pods' IPs, `n` of them. */
async function readyIpsFollow(app: string, n: number): Promise<string[]> {
  return until(`${n} ready endpoints of ${app} matching its Ready pods`, async () => {
    const pods = await readyPods(app);
    if (pods.length !== n) return undefined;
    const want = sorted(pods.map((p) => p.status.podIP!));
    const got = sorted((await endpointsOf(app)).filter((e) => e.conditions.ready).flatMap((e) => e.addresses));
    return JSON.stringify(got) === JSON.stringify(want) ? want : undefined;
  }, 60_000, 200);
}

const deployment = (name: string, replicas: number): string => JSON.stringify({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: {
    replicas, selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }] }] },
    },
  },
});

test('kubectl expose: slices and Endpoints list the Ready pods, follow scale-up, scale-down and readiness', async () => {
  await cp.kubectl(['apply', '-f', '-'], { input: deployment('web', 2) }).then((r) => expect(r.stderr).toBe(''));
  await cp.k('rollout', 'status', 'deployment/web', '--timeout=60s');
  await cp.k('expose', 'deployment', 'web', '--port=80', '--target-port=http');

  const ips = await readyIpsFollow('web', 2);
  const [slice] = await slices('web');
  // The named targetPort resolved from the pods' container port; kube's labels and owner.
  expect(slice.addressType).toBe('IPv4');
  expect(slice.ports).toEqual([{ name: '', port: 8080, protocol: 'TCP' }]);
  expect(slice.metadata.labels['endpointslice.kubernetes.io/managed-by']).toBe('endpointslice-controller.k8s.io');
  expect(slice.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Service', name: 'web', controller: true })]);
  for (const e of slice.endpoints ?? []) {
    expect(e.conditions).toEqual({ ready: true, serving: true, terminating: false });
    expect(e.targetRef.kind).toBe('Pod');
    expect(e.nodeName).toMatch(/^eps/);
  }
  // The legacy Endpoints agree, and kubectl describe reads them.
  const ep = await until('Endpoints of web', async () => {
    const e = await json<{ subsets?: Array<{ addresses?: Array<{ ip: string }>; ports?: Array<{ port: number }> }> }>('/api/v1/namespaces/default/endpoints/web');
    return e.subsets?.[0]?.addresses?.length === 2 ? e : undefined;
  });
  expect(sorted(ep.subsets![0].addresses!.map((a) => a.ip))).toEqual(ips);
  expect(ep.subsets![0].ports).toEqual([{ name: '', port: 8080, protocol: 'TCP' }].map(({ port, protocol }) => expect.objectContaining({ port, protocol })));
  // kubectl describe reads the slices (in their order): the same addresses with the resolved port.
  const described = /Endpoints:\s+(\S+)/.exec(await cp.k('describe', 'service', 'web'))?.[1] ?? '';
  expect(sorted(described.split(','))).toEqual(ips.map((ip) => `${ip}:8080`));
  expect(await cp.k('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web')).toContain('IPv4');

  // Scale up: the new pods appear once Ready.
  await cp.k('scale', 'deployment', 'web', '--replicas=4');
  await readyIpsFollow('web', 4);

  // Scale down: removed pods leave the slices (after being listed as terminating while they stop).
  await cp.k('scale', 'deployment', 'web', '--replicas=1');
  const [last] = await readyIpsFollow('web', 1);
  await until('only the remaining pod listed', async () => {
    const eps = await endpointsOf('web');
    return eps.length === 1 && eps[0].addresses[0] === last;
  });

  // Readiness lost (the node's kubelet is down and the pod is marked not ready, as kube's node
  // lifecycle controller does): listed but neither ready nor serving; Endpoints move it to
  // notReadyAddresses. The kubelet back makes it Ready again, and the endpoints follow.
  const [victim] = await readyPods('web');
  await kubelet.kill('SIGKILL');
  const patch = JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'ContainersReady', status: 'False' }] } });
  await cp.k('patch', 'pod', victim.metadata.name, '--subresource=status', '--type=strategic', '-p', patch);
  await until('the unready pod listed as not ready', async () => {
    const e = (await endpointsOf('web')).find((x) => x.targetRef.name === victim.metadata.name);
    return e && !e.conditions.ready && !e.conditions.serving ? e : undefined;
  });
  let seen = '';
  await until('Endpoints moved it to notReadyAddresses', async () => {
    const e = await json<{ subsets?: Array<{ notReadyAddresses?: Array<{ ip: string }> }> }>('/api/v1/namespaces/default/endpoints/web');
    seen = JSON.stringify(e);
    return e.subsets?.some((s) => s.notReadyAddresses?.some((a) => a.ip === victim.status.podIP));
  }, 30_000, 100, () => `${seen}\n${controller.log().slice(-3000)}`);
  await kubelet.start();
  await readyIpsFollow('web', 1);
});

test('a Service with no ready pods keeps one empty slice; one with more endpoints than a slice holds is split', async () => {
  await cp.k('create', 'service', 'clusterip', 'nobody', '--tcp=80:8080');
  // `kubectl create service` selects app=nobody: nothing matches, so one empty placeholder slice.
  const [placeholder] = await until('placeholder slice', async () => {
    const s = await slices('nobody');
    return s.length === 1 ? s : undefined;
  });
  expect(placeholder.endpoints ?? []).toEqual([]);
  // A selector-less Service is left alone (its Endpoints are the user's).
  await cp.k('create', 'service', 'externalname', 'alias', '--external-name=example.com');
  await cp.k('create', 'service', 'clusterip', 'manual', '--clusterip=None');
  await cp.request('PATCH', '/api/v1/namespaces/default/services/manual', { body: JSON.stringify([{ op: 'remove', path: '/spec/selector' }]), headers: { 'content-type': 'application/json-patch+json' } });
  await cp.kubectl(['apply', '-f', '-'], { input: deployment('many', 12) }).then((r) => expect(r.stderr).toBe(''));
  await cp.k('expose', 'deployment', 'many', '--port=80', '--target-port=8080');
  await readyIpsFollow('many', 12);
  const sizes = (await slices('many')).map((s) => (s.endpoints ?? []).length).sort((a, b) => a - b);
  expect(sizes).toEqual([2, 10]);
  expect(await slices('alias')).toEqual([]);
  expect(await slices('manual')).toEqual([]);
});
