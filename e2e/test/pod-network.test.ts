// Pods with their own network (issue 12): node IPAM gives each Node a podCIDR, each process
// pod gets a network namespace with an IP from it on the node's bridge. Two replicas of
// `python3 -m http.server 8080` run on one node without conflict; a third pod reaches each of
// them by pod IP, on its node and across two process nodes of this machine; the containers of
// one pod share localhost; hostNetwork pods keep the host's; a deleted pod leaves no namespace
// or veth. Needs root (CI runs as root), as the kubelet does to make namespaces.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane, until, type ControlPlane } from '@keelson/testing';

jest.setTimeout(180_000);

type Json = Record<string, any>;
const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
// A block of its own, so a cluster started next to this one (npm start, another suite) keeps its routes.
const CLUSTER_CIDR = `10.${200 + Math.floor(Math.random() * 50)}.0.0/16`;
const NODES = ['net-a', 'net-b'];
const FAST = { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '500' };
let cp: ControlPlane;

// A rule a killed kubelet left for its bridge, which someone has deleted since (the bridge, not the rule).
const GONE_BRIDGE = `kb${randomBytes(5).toString('hex')}`;
const goneBridgeRule = ['FORWARD', '-i', GONE_BRIDGE, '-m', 'comment', '--comment', `keelson pod network ${GONE_BRIDGE}`, '-j', 'ACCEPT'];
const hasRule = (rule: string[]): boolean => {
  try {
    execFileSync('iptables', ['-w', '-C', ...rule], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  execFileSync('iptables', ['-w', '-A', ...goneBridgeRule]);
  cp = await startControlPlane({ nats: true, services: ['node-lifecycle-controller', 'kubelet'], nodes: NODES });
  await cp.startService('node-lifecycle-controller', { env: { ...FAST, KEELSON_CLUSTER_CIDR: CLUSTER_CIDR } });
  for (const n of NODES) {
    await cp.startService('kubelet', {
      instance: n,
      env: { NODE_NAME: n, KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet', n), KEELSON_LEADER_ELECT: 'false', KEELSON_NODE_STATUS_UPDATE_MS: '1000', KEELSON_NODE_LEASE_RENEW_MS: '1000' },
    });
  }
});
afterAll(async () => {
  await cp?.kubectl(['delete', 'pods', '--all', '--wait=true', '--timeout=30s']).catch(() => undefined);
  await cp?.stop();
  if (hasRule(goneBridgeRule)) execFileSync('iptables', ['-w', '-D', ...goneBridgeRule]);
});

const getJson = async (...args: string[]): Promise<Json> => JSON.parse(await cp.k(...args, '-o', 'json')) as Json;
const apply = (obj: Json) => cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) }).then((r) => expect(r.stderr).toBe(''));
const pod = (name: string, node: string, containers: Json[], spec: Json = {}): Json => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, terminationGracePeriodSeconds: 2, automountServiceAccountToken: false, ...spec, containers: containers.map((c) => ({ image: 'python', ...c })) },
});
/** A web server on :8080 that answers with its pod's name. */
const web = (name: string, node: string): Json => pod(name, node, [{ name: 'web', command: ['/bin/sh', '-c', `echo ${name} > index.html && exec ${PY} -m http.server 8080`] }]);
const running = (name: string): Promise<Json> => until(`${name} Running`, async () => {
  const p = await getJson('get', 'pod', name);
  return p.status?.phase === 'Running' && p.status.podIP && p;
}, 60_000);
/** A pod that fetches each URL once (retrying while the server comes up) and prints what it got. */
const client = (name: string, node: string, urls: string[]): Json => pod(name, node, [{
  name: 'get',
  command: [PY, '-c', [
    'import sys, time, urllib.request',
    'for u in sys.argv[1:]:',
    '    for i in range(100):',
    '        try:',
    '            print(u, urllib.request.urlopen(u, timeout=2).read().decode().strip(), flush=True); break',
    '        except Exception as e:',
    '            err = e; time.sleep(0.2)',
    '    else:',
    '        print(u, "FAILED", err, flush=True)',
  ].join('\n'), ...urls],
}], { restartPolicy: 'Never' });
const logsWhenDone = (name: string): Promise<string> => until(`${name} finished`, async () => {
  const p = await getJson('get', 'pod', name);
  return p.status?.phase === 'Succeeded' && cp.k('logs', name);
}, 60_000);

const ipInCidr = (ip: string, cidr: string): boolean => {
  const n = (s: string) => s.split('.').reduce((a, b) => a * 256 + Number(b), 0);
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(n(ip) / size) === Math.floor(n(base) / size);
};

describe('node IPAM and the pod network', () => {
  const cidrs = new Map<string, string>();
  const ips = new Map<string, string>();

  test('each Node gets its own podCIDR from the cluster CIDR and says its pods are networked', async () => {
    for (const n of NODES) {
      const node = await until(`${n} podCIDR`, async () => {
        const o = await getJson('get', 'node', n);
        return o.spec?.podCIDR && o;
      });
      expect(node.spec.podCIDRs).toEqual([node.spec.podCIDR]);
      expect(ipInCidr(node.spec.podCIDR.split('/')[0], CLUSTER_CIDR)).toBe(true);
      expect(node.spec.podCIDR).toMatch(/\/24$/);
      cidrs.set(n, node.spec.podCIDR);
    }
    expect(cidrs.get('net-a')).not.toBe(cidrs.get('net-b'));
    await until('NetworkUnavailable=False PodNetworkReady on both nodes', async () => {
      const out = await cp.k('describe', 'nodes', ...NODES);
      return (out.match(/NetworkUnavailable\s+False\s+.*PodNetworkReady\s+each pod has its own network namespace/g) ?? []).length === 2;
    });
  });

  test('a kubelet starting removes the iptables rules of pod bridges that no longer exist', () => {
    expect(existsSync(`/sys/class/net/${GONE_BRIDGE}`)).toBe(false);
    expect(hasRule(goneBridgeRule)).toBe(false);
  });

  test('two replicas of python3 -m http.server 8080 run on one node, each with its own IP from the podCIDR', async () => {
    await apply(web('web-1', 'net-a'));
    await apply(web('web-2', 'net-a'));
    await apply(web('web-3', 'net-b'));
    for (const [name, node] of [['web-1', 'net-a'], ['web-2', 'net-a'], ['web-3', 'net-b']]) {
      const p = await running(name);
      expect(ipInCidr(p.status.podIP, cidrs.get(node)!)).toBe(true);
      expect(p.status.podIPs).toEqual([{ ip: p.status.podIP }]);
      expect(p.status.hostIP).toBeTruthy();
      ips.set(name, p.status.podIP);
    }
    expect(new Set(ips.values()).size).toBe(3);
    // Both replicas stay up: neither crashed on "Address already in use".
    await new Promise((r) => setTimeout(r, 1500));
    for (const name of ['web-1', 'web-2']) expect((await getJson('get', 'pod', name)).status.containerStatuses[0]).toMatchObject({ ready: true, restartCount: 0 });
    expect(await cp.k('get', 'pods', '-o', 'wide')).toMatch(new RegExp(`^web-1\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${ips.get('web-1')!.replace(/\./g, '\\.')}\\s+net-a\\s`, 'm'));
  });

  test('a third pod reaches each replica by pod IP, on its node and across nodes', async () => {
    const urls = ['web-1', 'web-2', 'web-3'].map((n) => `http://${ips.get(n)!}:8080/index.html`);
    await apply(client('client-a', 'net-a', urls));
    await apply(client('client-b', 'net-b', urls));
    for (const c of ['client-a', 'client-b']) {
      const out = await logsWhenDone(c);
      for (const [i, n] of ['web-1', 'web-2', 'web-3'].entries()) expect(out).toContain(`${urls[i]} ${n}`);
    }
  });

  test('a pod\'s server binds port 80 as its unprivileged user (ip_unprivileged_port_start=0 in its namespace, as containerd and Docker set it)', async () => {
    await apply(pod('port80', 'net-a', [{ name: 'web', command: ['/bin/sh', '-c', `id -u > index.html && exec ${PY} -m http.server 80`] }]));
    const ip = (await running('port80')).status.podIP as string;
    await apply(client('client-80', 'net-b', [`http://${ip}/index.html`]));
    // The server runs as the pod identity (not root) and answers on :80.
    expect(await logsWhenDone('client-80')).toMatch(new RegExp(`^http://${ip.replace(/\./g, '\\.')}/index.html [1-9]\\d*$`, 'm'));
    expect((await getJson('get', 'pod', 'port80')).status.containerStatuses[0].restartCount).toBe(0);
  });

  test('the containers of one pod share localhost; its IP is not the host\'s', async () => {
    await apply(pod('pair', 'net-b', [
      { name: 'server', command: ['/bin/sh', '-c', `echo from-the-sidecar > index.html && exec ${PY} -m http.server 8081 --bind 127.0.0.1`] },
      { name: 'reader', command: [PY, '-c', 'import time, urllib.request\nwhile True:\n    try:\n        print(urllib.request.urlopen("http://127.0.0.1:8081/index.html", timeout=2).read().decode().strip(), flush=True)\n    except Exception as e:\n        print("error", e, flush=True)\n    time.sleep(0.5)'] },
    ]));
    await running('pair');
    await until('the reader got the server over localhost', async () => (await cp.k('logs', 'pair', '-c', 'reader')).includes('from-the-sidecar'));
    // The host's own 127.0.0.1:8081 is not the pod's.
    await expect(fetch('http://127.0.0.1:8081/index.html')).rejects.toThrow();
  });

  test('a pod reaches the API at KUBERNETES_SERVICE_HOST:PORT (the gateway on the host\'s loopback), at the kubernetes Service\'s cluster IP and at https://kubernetes.default.svc, verifying its certificate', async () => {
    const vip = (await getJson('get', 'service', 'kubernetes', '-n', 'default')).spec.clusterIP as string;
    expect(vip).toMatch(/^\d+\.\d+\.\d+\.1$/);
    await apply(pod('api-caller', 'net-a', [{
      name: 'get',
      command: [PY, '-c', [
        'import os, ssl, sys, time, urllib.request',
        "sa = '/var/run/secrets/kubernetes.io/serviceaccount/'",
        // As in-cluster clients do: the cluster CA, the host name checked, the pod's token.
        "ctx = ssl.create_default_context(cafile=sa + 'ca.crt')",
        "auth = {'Authorization': 'Bearer ' + open(sa + 'token').read()}",
        'for host in ["%s:%s" % (os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"]), sys.argv[1] + ":443", "kubernetes.default.svc"]:',
        '    url = "https://%s/version" % host',
        '    for i in range(50):',
        '        try:',
        '            print(url, "answered", urllib.request.urlopen(urllib.request.Request(url, headers=auth), context=ctx, timeout=3).status, flush=True); break',
        '        except Exception as e:',
        '            err = e; time.sleep(0.2)',
        '    else:',
        '        print(url, "failed", err, flush=True)',
      ].join('\n'), vip],
    }], { restartPolicy: 'Never', automountServiceAccountToken: true }));
    const out = await logsWhenDone('api-caller');
    // A pod's own 127.0.0.1 has nothing listening, and kube-proxy is not running here: both reach the gateway through the kubelet's relay.
    expect(out).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/version answered 200$/m);
    expect(out).toContain(`https://${vip}:443/version answered 200`);
    // By name, as clients that are not told KUBERNETES_SERVICE_HOST do: the node's cluster DNS answers the cluster IP.
    expect(out).toContain('https://kubernetes.default.svc/version answered 200');
  });

  test('a hostNetwork pod keeps the host network', async () => {
    await apply(pod('on-host', 'net-a', [{ name: 'sleep', command: ['/bin/sleep', '3600'] }], { hostNetwork: true }));
    const p = await running('on-host');
    expect(p.status.podIP).toBe('127.0.0.1');
  });

  test('a deleted pod leaves no network namespace or veth behind', async () => {
    const uid = (await getJson('get', 'pod', 'web-2')).metadata.uid as string;
    const veth0 = `kv${createHash('sha256').update(uid).digest('hex').slice(0, 12)}`;
    expect(existsSync(`/sys/class/net/${veth0}`)).toBe(true);
    expect(execFileSync('ip', ['netns', 'list']).toString()).toContain(`keelson-${uid}`);
    await cp.k('delete', 'pod', 'web-2', '--wait=true', '--timeout=30s');
    await until('the namespace gone', async () => !execFileSync('ip', ['netns', 'list']).toString().includes(`keelson-${uid}`));
    expect(existsSync(`/run/netns/keelson-${uid}`)).toBe(false);
    // The host end of its veth pair is named from the uid (runtime/network/pod-network.ts vethName).
    const veth = `kv${createHash('sha256').update(uid).digest('hex').slice(0, 12)}`;
    expect(existsSync(`/sys/class/net/${veth}`)).toBe(false);
  });
});
