// The Service data plane (issue 12 item 5): kube-proxy on each process node programs nftables so
// a ClusterIP answers from any pod (and the host), balancing across the Ready replicas; scaled
// to zero the VIP refuses connections (kube's REJECT), scaled back it answers again; a node
// port answers on the node; ClientIP affinity keeps a client on one replica. Everything runs as
// `npm start` runs it: node IPAM, two process kubelets with pod networks, the replicaset and
// endpointslice controllers, one kube-proxy per node. Needs root (CI runs as root).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { startControlPlane, until, type ControlPlane } from '@keelson/testing';

// Bounds for a loaded 2-core machine (a quiet one runs each test in seconds).
jest.setTimeout(240_000);

type Json = Record<string, any>;
const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
// Blocks of their own, so a cluster running next to this one (npm start, another suite) keeps its routes and VIPs.
const CLUSTER_CIDR = `10.${200 + Math.floor(Math.random() * 50)}.0.0/16`;
const SERVICE_CIDR = `10.${100 + Math.floor(Math.random() * 50)}.0.0/16`;
const NODES = ['proxy-a', 'proxy-b'];
const FAST = { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '500', KEELSON_LEADER_ELECT: 'false' };
let cp: ControlPlane;
const proxies: Array<{ kill(signal?: NodeJS.Signals): Promise<void>; log(): string }> = [];
/** The nftables table of a node's kube-proxy (keelson-proxy-<node>-<hash of this cluster's API URL>). */
const tableOf = (node: string): string | undefined => /table ip (keelson-proxy-\S+)/g.exec(
  execFileSync('nft', ['list', 'tables']).toString().split('\n').filter((l) => l.startsWith(`table ip keelson-proxy-${node}-`)).join('\n'),
)?.[1];

beforeAll(async () => {
  cp = await startControlPlane({
    nats: true, nodes: NODES, env: { KEELSON_SERVICE_CLUSTER_IP_RANGE: SERVICE_CIDR },
    services: ['node-lifecycle-controller', 'replicaset-controller', 'endpointslice-controller', 'kubelet', 'kube-proxy'],
  });
  // One at a time: on a busy 2-core machine, seven processes loading at once time out their NATS handshakes.
  await cp.startService('node-lifecycle-controller', { env: { ...FAST, KEELSON_CLUSTER_CIDR: CLUSTER_CIDR } });
  await cp.startService('replicaset-controller', { env: FAST });
  await cp.startService('endpointslice-controller', { env: FAST });
  for (const n of NODES) {
    await cp.startService('kubelet', {
      instance: n,
      env: { NODE_NAME: n, KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet', n), KEELSON_LEADER_ELECT: 'false', KEELSON_NODE_STATUS_UPDATE_MS: '1000', KEELSON_NODE_LEASE_RENEW_MS: '1000' },
    });
    proxies.push(await cp.startService('kube-proxy', { instance: n, env: { NODE_NAME: n } }));
  }
}, 300_000);
afterAll(async () => {
  await cp?.kubectl(['delete', 'rs,pods', '--all', '--wait=true', '--timeout=30s']).catch(() => undefined);
  await cp?.stop();
});

const getJson = async (...args: string[]): Promise<Json> => JSON.parse(await cp.k(...args, '-o', 'json')) as Json;
const apply = (obj: Json) => cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) }).then((r) => expect(r.stderr).toBe(''));

/** Two web servers on :8080 (container port named http), each answering with its pod's name; Ready once listening. */
const replicaSet = (replicas: number): Json => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
  spec: {
    replicas, selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        nodeName: 'proxy-a', terminationGracePeriodSeconds: 2,
        containers: [{
          name: 'web', image: 'python', ports: [{ name: 'http', containerPort: 8080 }],
          command: ['/bin/sh', '-c', `echo $HOSTNAME > index.html && exec ${PY} -m http.server 8080`],
          readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 1 },
        }],
      },
    },
  },
});

/** A one-shot pod on `node` running a Python `script` (lines) with `args`. */
const scriptPod = (name: string, node: string, script: string[], args: string[]): Json => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: {
    nodeName: node, restartPolicy: 'Never', terminationGracePeriodSeconds: 1,
    ...(name === 'dns-default' ? { dnsPolicy: 'Default' } : {}),
    containers: [{ name: 'get', image: 'python', command: [PY, '-c', script.join('\n'), ...args] }],
  },
});
/** Runs the pod to its end; the lines it printed. */
const runScript = async (name: string, node: string, script: string[], args: string[], timeoutMs = 60_000): Promise<string[]> => {
  await apply(scriptPod(name, node, script, args));
  const out = await until(`${name} finished`, async () => {
    const p = await getJson('get', 'pod', name);
    return (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') && cp.k('logs', name);
  }, timeoutMs);
  return out.trim().split('\n');
};

/** GETs argv[1] argv[2] times (a new connection each), one line per answer: the body, REFUSED or the error. */
const GET_SCRIPT = [
  'import sys, urllib.request, urllib.error',
  'for i in range(int(sys.argv[2])):',
  '    try:',
  '        print("ANSWER", urllib.request.urlopen(sys.argv[1], timeout=3).read().decode().strip(), flush=True)',
  '    except urllib.error.URLError as e:',
  '        print("REFUSED" if isinstance(e.reason, ConnectionRefusedError) else f"ERROR {e.reason!r}", flush=True)',
  '    except Exception as e:',
  '        print(f"ERROR {e!r}", flush=True)',
];
/** runScript, then the pod is deleted (not waited for). */
const runOnce = async (name: string, node: string, script: string[], args: string[] = []): Promise<string[]> => {
  const lines = await runScript(name, node, script, args);
  await cp.k('delete', 'pod', name, '--wait=false');
  return lines;
};
const runClient = (name: string, node: string, url: string, times: number): Promise<string[]> => runOnce(name, node, GET_SCRIPT, [url, String(times)]);

const SOURCE_PORTS = 40;
/** GETs http://host:port/index.html once from each of the source ports 40000.. (HTTP/1.0, 3 s timeout each), one line per port. */
const PORTS_SCRIPT = [
  'import socket, sys',
  'host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])',
  'for src in range(40000, 40000 + count):',
  '    try:',
  '        with socket.create_connection((host, port), timeout=3, source_address=("", src)) as s:',
  '            s.sendall(b"GET /index.html HTTP/1.0\\r\\n\\r\\n")',
  '            data = b""',
  '            while chunk := s.recv(65536): data += chunk',
  '        print("ANSWER", src, data.decode().split("\\r\\n\\r\\n", 1)[-1].strip(), flush=True)',
  '    except Exception as e:',
  '        print("ERROR", src, repr(e), flush=True)',
];
const runPortClient = (name: string, node: string, host: string, port: number): Promise<string[]> =>
  runScript(name, node, PORTS_SCRIPT, [host, String(port), String(SOURCE_PORTS)], 180_000);

/** One GET from the host (this test process): the body, or the error code (ECONNREFUSED...). */
const hostGet = (host: string, port: number): Promise<string> => new Promise((resolve) => {
  const req = request({ host, port, path: '/index.html', agent: false, timeout: 3000 }, (res) => {
    let body = '';
    res.on('data', (d: Buffer) => { body += d.toString(); });
    res.on('end', () => resolve(body.trim()));
  });
  req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
  req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  req.end();
});

/** The host's resolv.conf: its search domains (after the cluster's) and nameservers. */
const hostResolv = (): string[] => (existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf', 'utf8') : '').split('\n').map((l) => l.replace(/[#;].*$/, '').trim());
const hostSearch = (): string => {
  const last = hostResolv().filter((l) => /^(search|domain)\s/.test(l)).at(-1);
  return last ? ` ${last.split(/\s+/).slice(1).join(' ')}` : '';
};
const hostNameservers = (): string[] => hostResolv().filter((l) => /^nameserver\s/.test(l)).map((l) => `nameserver ${l.split(/\s+/)[1]}`);

const readyPods = async (): Promise<string[]> => {
  const pods = await getJson('get', 'pods', '-l', 'app=web');
  return (pods.items as Json[])
    .filter((p) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True'))
    .map((p) => p.metadata.name as string).sort();
};

describe('kube-proxy: ClusterIP, NodePort and session affinity through nftables', () => {
  let vip = '';
  let nodePort = 0;
  let replicas: string[] = [];

  test('a Service in front of two http.server replicas gets a cluster IP from the service CIDR', async () => {
    await until('pod networks ready on both nodes', async () => {
      const out = await cp.k('describe', 'nodes', ...NODES);
      return (out.match(/PodNetworkReady/g) ?? []).length === 2;
    }, 60_000);
    await apply(replicaSet(2));
    await apply({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
      spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
    });
    const svc = await getJson('get', 'service', 'web');
    vip = svc.spec.clusterIP;
    nodePort = svc.spec.ports[0].nodePort;
    expect(vip.split('.').slice(0, 2).join('.')).toBe(SERVICE_CIDR.split('.').slice(0, 2).join('.'));
    replicas = await until('two Ready replicas', async () => { const r = await readyPods(); return r.length === 2 && r; }, 60_000);
    // Each node's kube-proxy holds its own table with the VIP in it.
    await until('both nodes program the VIP', async () => NODES.every((n) => execFileSync('nft', ['list', 'map', 'ip', tableOf(n) ?? 'none', 'service-ips']).toString().includes(vip)));
  });

  test('the VIP answers from a pod on the other node and from one on the same node, balancing across both replicas', async () => {
    for (const [name, node] of [['client-b', 'proxy-b'], ['client-a', 'proxy-a']]) {
      const lines = await runClient(name, node, `http://${vip}/index.html`, 20);
      expect(lines.filter((l) => !l.startsWith('ANSWER'))).toEqual([]);
      expect(new Set(lines.map((l) => l.slice('ANSWER '.length)))).toEqual(new Set(replicas));
    }
  });

  test('a pod started after the Service finds it by the kubelet\'s service variables (WEB_SERVICE_HOST, WEB_PORT…) and reaches it', async () => {
    const script = [
      'import os, urllib.request',
      'print("VARS", os.environ["WEB_SERVICE_HOST"], os.environ["WEB_SERVICE_PORT"], os.environ["WEB_PORT"], os.environ["WEB_PORT_80_TCP_ADDR"], flush=True)',
      'print("ANSWER", urllib.request.urlopen(f"http://{os.environ[\'WEB_SERVICE_HOST\']}:{os.environ[\'WEB_SERVICE_PORT\']}/index.html", timeout=5).read().decode().strip(), flush=True)',
      'print("KUBERNETES", "KUBERNETES_SERVICE_HOST" in os.environ, os.environ.get("KUBERNETES_PORT", "").startswith("tcp://"), flush=True)',
    ];
    const lines = await runOnce('env-client', 'proxy-b', script);
    expect(lines[0]).toBe(`VARS ${vip} 80 tcp://${vip}:80 ${vip}`);
    expect(replicas).toContain(lines[1].slice('ANSWER '.length));
    expect(lines[2]).toBe('KUBERNETES True True');
  });

  test('pods resolve Services by name through their node\'s cluster DNS: short and full names, a headless Service\'s named pod, the host\'s resolv.conf for dnsPolicy Default', async () => {
    // A headless Service and a pod named into it (hostname + subdomain, as a StatefulSet's pods are).
    await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432 }] } });
    await apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db-0', labels: { app: 'db' } }, spec: { nodeName: 'proxy-a', hostname: 'db-0', subdomain: 'db', terminationGracePeriodSeconds: 1, containers: [{ name: 'db', image: 'postgres', command: ['sleep', '600'] }] } });
    const dbIP = await until('db-0 has an IP and is Ready', async () => {
      const p = await getJson('get', 'pod', 'db-0');
      return (p.status?.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True') && (p.status.podIP as string);
    }, 60_000);
    await until('db-0 in the db EndpointSlice', async () => (await cp.k('get', 'endpointslices', '-l', 'kubernetes.io/service-name=db', '-o', 'jsonpath={.items[*].endpoints[*].hostname}')).includes('db-0'));
    const script = [
      'import socket, urllib.request',
      'conf = open("/etc/resolv.conf").read()',
      'print("SEARCH", [l for l in conf.splitlines() if l.startswith("search")][0], flush=True)',
      'print("OPTIONS", [l for l in conf.splitlines() if l.startswith("options")][0], flush=True)',
      'for n in ["web", "web.default", "web.default.svc", "web.default.svc.cluster.local", "db-0.db", "db.default.svc.cluster.local"]:',
      '    print("NAME", n, socket.gethostbyname(n), flush=True)',
      'print("ANSWER", urllib.request.urlopen("http://web/index.html", timeout=5).read().decode().strip(), flush=True)',
      'try:',
      '    socket.gethostbyname("nope.default.svc.cluster.local")',
      '    print("NOPE resolved")',
      'except socket.gaierror as e:',
      '    print("NOPE", e.errno == socket.EAI_NONAME, flush=True)',
    ];
    const lines = await runOnce('dns-client', 'proxy-b', script);
    expect(lines).toEqual([
      'SEARCH search default.svc.cluster.local svc.cluster.local cluster.local' + hostSearch(),
      'OPTIONS options ndots:5',
      `NAME web ${vip}`, `NAME web.default ${vip}`, `NAME web.default.svc ${vip}`, `NAME web.default.svc.cluster.local ${vip}`,
      `NAME db-0.db ${dbIP}`, `NAME db.default.svc.cluster.local ${dbIP}`,
      expect.stringMatching(/^ANSWER /),
      'NOPE True',
    ]);
    expect(replicas).toContain(lines[8].slice('ANSWER '.length));

    // dnsPolicy Default: the node's own resolv.conf, as the kubelet reads it.
    const plain = await runOnce('dns-default', 'proxy-b', ['print(open("/etc/resolv.conf").read(), flush=True)']);
    expect(plain.filter((l) => l.startsWith('nameserver'))).toEqual(hostNameservers());
    await cp.k('delete', 'pod,service', 'db-0', 'db', '--wait=false').catch(() => undefined);
  });

  test('the VIP answers from the host, and the node port on the node\'s addresses', async () => {
    const answers = new Set<string>();
    for (let i = 0; i < 20; i++) answers.add(await hostGet(vip, 80));
    expect(answers).toEqual(new Set(replicas));
    expect(replicas).toContain(await hostGet('127.0.0.1', nodePort));
    const podGateway = (await getJson('get', 'node', 'proxy-b')).spec.podCIDR.replace(/\.0\/\d+$/, '.1');
    expect(replicas).toContain(await hostGet(podGateway, nodePort));
  });

  test('scaled to zero, the VIP refuses connections (from a pod and from the host); scaled back, it answers', async () => {
    await cp.k('scale', 'rs', 'web', '--replicas=0');
    await until('no replica left', async () => (await getJson('get', 'pods', '-l', 'app=web')).items.length === 0, 60_000);
    await until('the VIP refuses from the host', async () => (await hostGet(vip, 80)) === 'ECONNREFUSED');
    expect(await hostGet('127.0.0.1', nodePort)).toBe('ECONNREFUSED');
    expect(await runClient('client-zero', 'proxy-b', `http://${vip}/index.html`, 3)).toEqual(['REFUSED', 'REFUSED', 'REFUSED']);

    await cp.k('scale', 'rs', 'web', '--replicas=2');
    replicas = await until('two Ready replicas again', async () => { const r = await readyPods(); return r.length === 2 && r; }, 60_000);
    await until('the VIP answers from the host again', async () => replicas.includes(await hostGet(vip, 80)));
    const lines = await runClient('client-back', 'proxy-b', `http://${vip}/index.html`, 20);
    expect(lines.filter((l) => !l.startsWith('ANSWER'))).toEqual([]);
    expect(new Set(lines.map((l) => l.slice('ANSWER '.length)))).toEqual(new Set(replicas));
  });

  test('a pod that takes a deleted pod\'s place reaches the VIP at once, even from the source ports its predecessor used to reach a replica directly', async () => {
    // The first pod talks to a replica by pod IP from fixed source ports (a busy client uses
    // every ephemeral port, so a successor meets its ports anyway; fixed ones make it certain).
    // The server closes first (HTTP/1.0), so each of those connections lingers (TIME_WAIT, in the
    // server's namespace and in conntrack) after the pod is gone. The next pod on the node must
    // not inherit them: when it got the same IP, connections from the same ports through the
    // VIP (DNAT to the same replica) collided with them and hung in SYN_SENT.
    const target = (await getJson('get', 'pod', replicas[0])).status.podIP as string;
    const first = await runPortClient('ports-first', 'proxy-a', target, 8080);
    expect(first.filter((l) => !l.startsWith('ANSWER'))).toEqual([]);
    await cp.k('delete', 'pod', 'ports-first', '--wait=true');
    const next = await runPortClient('ports-next', 'proxy-a', vip, 80);
    expect(next.filter((l) => !l.startsWith('ANSWER'))).toEqual([]);
    expect(next).toHaveLength(SOURCE_PORTS);
  });

  test('sessionAffinity ClientIP keeps one client on one replica', async () => {
    await cp.k('patch', 'service', 'web', '-p', JSON.stringify({ spec: { sessionAffinity: 'ClientIP' } }));
    await until('affinity sets programmed on both nodes', async () => NODES.every((n) => /set aff-/.test(execFileSync('nft', ['list', 'table', 'ip', tableOf(n) ?? 'none']).toString())), 60_000);
    const lines = await runClient('client-sticky', 'proxy-b', `http://${vip}/index.html`, 12);
    expect(lines).toHaveLength(12);
    expect(new Set(lines)).toEqual(new Set([lines[0]]));
    expect(replicas.map((r) => `ANSWER ${r}`)).toContain(lines[0]);
  });

  test('a kube-proxy that stops cleanly removes its nftables table', async () => {
    const table = tableOf('proxy-a');
    expect(table).toBeDefined();
    await proxies[0].kill('SIGTERM');
    expect(execFileSync('nft', ['list', 'tables']).toString()).not.toContain(`table ip ${table}\n`);
    // The other node's proxy still serves the VIP for this machine.
    expect(replicas).toContain(await hostGet(vip, 80));
  });
});
