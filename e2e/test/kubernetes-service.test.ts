// Issue 12: the `kubernetes` Service in `default` routes to the API, as kube-apiserver's endpoint
// reconciler makes it: each gateway lists its advertised address in the Endpoints and the
// EndpointSlice `kubernetes`, and kube-proxy forwards the Service's cluster IP (port 443) there, so
// a pod reaches the API at https://<cluster IP>/ with its ServiceAccount token. A second gateway
// adds itself; one that stops takes itself out. Needs root (pod network, nftables).
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, until, type ControlPlane } from '@keelson/testing';

jest.setTimeout(180_000);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const CLUSTER_CIDR = `10.${200 + Math.floor(Math.random() * 50)}.0.0/16`;
const SERVICE_CIDR = `10.${100 + Math.floor(Math.random() * 50)}.0.0/16`;
const NODE = 'api-node';
const PY = '/usr/bin/python3';
// What the gateway advertises when it listens on every address: the host's first non-loopback IPv4.
const ADVERTISED = Object.values(networkInterfaces()).flatMap((a) => a ?? []).find((a) => a.family === 'IPv4' && !a.internal)?.address;
let cp: ControlPlane;
let port = 0;

beforeAll(async () => {
  cp = await startControlPlane({
    nats: true, nodes: [NODE], env: { KEELSON_SERVICE_CLUSTER_IP_RANGE: SERVICE_CIDR, KEELSON_API_HOST: '0.0.0.0' },
    services: ['node-lifecycle-controller', 'kubelet', 'kube-proxy'],
  });
  port = Number(new URL(cp.url).port);
  await cp.startService('node-lifecycle-controller', { env: { KEELSON_LEADER_ELECT: 'false', KEELSON_CLUSTER_CIDR: CLUSTER_CIDR } });
  await cp.startService('kubelet', { instance: NODE, env: { NODE_NAME: NODE, KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet', NODE), KEELSON_LEADER_ELECT: 'false' } });
  await cp.startService('kube-proxy', { instance: NODE, env: { NODE_NAME: NODE } });
}, 240_000);
afterAll(async () => {
  await cp?.kubectl(['delete', 'pods', '--all', '--wait=true', '--timeout=30s']).catch(() => undefined);
  await cp?.stop();
});

const getJson = async (...args: string[]): Promise<Json> => JSON.parse(await cp.k(...args, '-o', 'json')) as Json;
const addresses = (ep: Json): string[] => (ep.subsets ?? []).flatMap((s: Json) => (s.addresses ?? []).map((a: Json) => `${a.ip}:${s.ports[0].port}`)).sort();

test('the host has an address to advertise', () => {
  expect(ADVERTISED).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
});

test('Endpoints and EndpointSlice default/kubernetes list the gateway\'s advertised address and port', async () => {
  const ep = await until('kubernetes endpoints', async () => {
    const e = await getJson('get', 'endpoints', 'kubernetes', '-n', 'default').catch(() => undefined);
    return e?.subsets?.length && e;
  }, 30_000);
  expect(ep.subsets).toEqual([{ addresses: [{ ip: ADVERTISED }], ports: [{ name: 'https', port, protocol: 'TCP' }] }]);
  expect(ep.metadata.labels).toEqual({ 'endpointslice.kubernetes.io/skip-mirror': 'true' });
  const slice = await getJson('get', 'endpointslice', 'kubernetes', '-n', 'default');
  expect(slice.metadata.labels).toEqual({ 'kubernetes.io/service-name': 'kubernetes' });
  expect(slice.addressType).toBe('IPv4');
  expect(slice.endpoints).toEqual([{ addresses: [ADVERTISED], conditions: { ready: true } }]);
  expect(slice.ports).toEqual([{ name: 'https', port, protocol: 'TCP' }]);
  expect(await cp.k('get', 'endpoints', 'kubernetes', '-n', 'default')).toMatch(new RegExp(`^kubernetes\\s+${ADVERTISED!.replace(/\./g, '\\.')}:${port}\\s`, 'm'));
});

test('a pod reaches the API through the kubernetes Service\'s cluster IP (kube-proxy), with its ServiceAccount token and the cluster CA', async () => {
  const vip = (await getJson('get', 'service', 'kubernetes', '-n', 'default')).spec.clusterIP as string;
  expect(vip).toBe(SERVICE_CIDR.replace(/\.0\/\d+$/, '.1'));
  const script = [
    'import json, ssl, sys, time, urllib.request',
    "sa = '/var/run/secrets/kubernetes.io/serviceaccount/'",
    // Verified as any in-cluster client does: the cluster CA, and the serving certificate names the cluster IP.
    "ctx = ssl.create_default_context(cafile=sa + 'ca.crt')",
    "req = urllib.request.Request('https://' + sys.argv[1] + '/version', headers={'Authorization': 'Bearer ' + open(sa + 'token').read()})",
    'for i in range(150):',
    '    try:',
    "        print('version', json.load(urllib.request.urlopen(req, context=ctx, timeout=3))['gitVersion'], flush=True); break",
    '    except Exception as e:',
    '        err = e; time.sleep(0.2)',
    'else:',
    "    print('FAILED', err, flush=True); sys.exit(1)",
  ].join('\n');
  await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'api-client', namespace: 'default' },
    spec: { nodeName: NODE, restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'python', command: [PY, '-c', script, vip] }] },
  }) });
  const p = await until('api-client finished', async () => {
    const x = await getJson('get', 'pod', 'api-client', '-n', 'default');
    return ['Succeeded', 'Failed'].includes(x.status?.phase) && x;
  }, 120_000);
  const log = await cp.k('logs', 'api-client', '-n', 'default');
  expect(log).toMatch(/^version v\d+\.\d+\.\d+/);
  expect(p.status.phase).toBe('Succeeded');
  expect(p.status.podIP).not.toBe(ADVERTISED); // it came from its own network namespace, through the Service
});

test('a second gateway adds its address; when it stops, it takes it out again', async () => {
  const second = await cp.addGatewayReplica();
  const port2 = Number(new URL(second.url).port);
  const both = [`${ADVERTISED}:${port}`, `${ADVERTISED}:${port2}`].sort();
  await until('both gateways listed', async () => JSON.stringify(addresses(await getJson('get', 'endpoints', 'kubernetes', '-n', 'default'))) === JSON.stringify(both), 30_000);
  const slices = (await getJson('get', 'endpointslices', '-n', 'default', '-l', 'kubernetes.io/service-name=kubernetes')).items as Json[];
  expect(slices.map((s) => `${s.endpoints[0].addresses[0]}:${s.ports[0].port}`).sort()).toEqual(both);
  await second.kill('SIGTERM');
  await until('the stopped gateway removed', async () => JSON.stringify(addresses(await getJson('get', 'endpoints', 'kubernetes', '-n', 'default'))) === JSON.stringify([`${ADVERTISED}:${port}`]), 30_000);
  await until('its slice removed', async () => (await getJson('get', 'endpointslices', '-n', 'default', '-l', 'kubernetes.io/service-name=kubernetes')).items.length === 1, 30_000);
});
