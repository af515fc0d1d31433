// The compose stack's checks, the way a user would look: every container healthy, HA as declared
// (3 etcd members, the events stream on 3 NATS servers, two gateways behind one address), each
// service under its own uid seeing only its own credentials, a Deployment rolled out with kubectl
// through the load balancer (also with one gateway killed), one trace across the containers at the
// receiver. `npm run test:compose` (chaos/src/compose-ci.ts) runs these on a fresh stack, then a
// 2-minute chaos run on it, then tears everything down and checks nothing is left.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, sleep } from './run';
import type { ComposeStack } from './types';

const UIDS: Record<string, string> = {
  'api-gateway-1': '10001', 'etcd-1': '10010', 'nats-1': '10020', 'namespace-controller-1': '10031', 'node-lifecycle-controller-1': '10032',
  'scheduler-1': '10033', 'replicaset-controller-1': '10034', 'deployment-controller-2': '10035', 'garbage-collector-1': '10036', 'node-1': '0', 'nodes-sim': '10040',
};

export interface Check { name: string; ok: boolean; detail: string }

async function check(checks: Check[], name: string, fn: () => Promise<string>): Promise<void> {
  const t = Date.now();
  try {
    const detail = await fn();
    checks.push({ name, ok: true, detail: `${detail} (${((Date.now() - t) / 1000).toFixed(1)} s)` });
  } catch (e) {
    checks.push({ name, ok: false, detail: e instanceof Error ? e.message : String(e) });
  }
  const c = checks[checks.length - 1];
  process.stderr.write(`[compose-test] ${c.ok ? 'PASS' : 'FAIL'} ${name}: ${c.detail}\n`);
}

async function retry<T>(what: string, fn: () => Promise<T>, attempts = 60, delayMs = 2000): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (e) {
      last = e;
      await sleep(delayMs);
    }
  }
  throw new Error(`${what}: ${last instanceof Error ? last.message : String(last)}`);
}

function kubectl(stack: ComposeStack, cacheDir: string) {
  return async (args: string[], input?: string): Promise<string> => {
    const r = await run('kubectl', ['--kubeconfig', stack.kubeconfig, '--cache-dir', cacheDir, ...args], { input, timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout;
  };
}

interface JaegerTrace {
  traceID: string;
  spans: { spanID: string; operationName: string; processID: string }[];
  processes: Record<string, { serviceName: string; tags: { key: string; value: unknown }[] }>;
}

async function jaeger<T>(stack: ComposeStack, path: string): Promise<T> {
  const res = await fetch(`${stack.jaegerUrl}${path}`);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
  return (await res.json()) as T;
}

const DEPLOYMENT = (name: string): string => JSON.stringify({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      // Pinned to the process nodes so the pods really run (sim-* nodes only simulate).
      spec: { nodeSelector: { 'kubernetes.io/hostname': 'node-1' }, containers: [{ name: 'main', image: 'keelson/sleep', command: ['sleep', '3600'] }] },
    },
  },
});

const NODEPOOL = JSON.stringify({
  apiVersion: 'autoscaling.keelson.dev/v1alpha1', kind: 'NodePool', metadata: { name: 'boxes' },
  spec: { minNodes: 0, maxNodes: 1, provider: 'container', nodeTemplate: { allocatable: { cpu: '2', memory: '2Gi', pods: '10' }, labels: { tier: 'boxes' } } },
});
const BOXED_POD = JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'boxed', namespace: 'default' },
  spec: { nodeSelector: { tier: 'boxes' }, terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'keelson/sleep', command: ['/bin/sh', '-c', 'echo running in a pool container; exec sleep 3600'] }] },
});

/**
 * Runs every check against a healthy stack; each result is printed as it comes and returned.
 * `containerNodes`: the stack was brought up with infra/compose/container-nodes.yml.
 */
export async function runComposeChecks(stack: ComposeStack, opts: { containerNodes?: boolean } = {}): Promise<Check[]> {
  const checks: Check[] = [];
  const cacheDir = mkdtempSync(join(tmpdir(), 'keelson-compose-kubectl-'));
  const k = kubectl(stack, cacheDir);
  try {
    await check(checks, 'every container healthy', async () => {
      const states = await stack.ps();
      const services = new Set(states.map((s) => s.service));
      // Every service the compose file declares has its container; the HA core is named outright,
      // and every controller (any service named <x>-controller-N, the scheduler, the garbage
      // collector) runs as two replicas.
      const declared = await stack.services();
      const controllers = [...new Set(declared.filter((d) => /^(.+-controller|scheduler|garbage-collector)-\d$/.test(d)).map((d) => d.replace(/-\d$/, '')))];
      const expected = [...new Set(['etcd-1', 'etcd-2', 'etcd-3', 'nats-1', 'nats-2', 'nats-3', 'api-gateway-1', 'api-gateway-2', 'api-gateway', 'jaeger',
        'node-1', 'node-2', 'nodes-sim', 'credentials', ...controllers.flatMap((c) => [`${c}-1`, `${c}-2`]), ...declared])];
      const absent = expected.filter((s) => !services.has(s));
      assert.deepEqual(absent, [], `services missing: ${absent.join(', ')}`);
      const bad = states.filter((s) => (s.service === 'credentials' ? s.exitCode !== 0 : s.status !== 'running' || s.health === 'unhealthy'));
      assert.deepEqual(bad.map((s) => `${s.service}:${s.status}/${s.health}`), []);
      return `${states.length} containers`;
    });

    await check(checks, 'etcd: 3 started members', async () => {
      const r = await stack.exec('etcd-1', ['etcdctl', '--endpoints=https://127.0.0.1:2379', '--cacert=/var/lib/keelson/pki/ca.crt',
        '--cert=/var/lib/keelson/pki/etcd-server.crt', '--key=/var/lib/keelson/pki/etcd-server.key', 'member', 'list']);
      assert.equal(r.code, 0, r.stderr);
      const started = r.stdout.split('\n').filter((l) => /, started, etcd-\d,/.test(l));
      assert.equal(started.length, 3, r.stdout);
      return started.map((l) => l.split(', ')[2]).join(' ');
    });

    await check(checks, 'NATS: events stream replicated on 3 servers', async () => {
      return retry('stream replicas', async () => {
        const r = await stack.exec('nats-1', ['wget', '-q', '-O', '-', 'http://127.0.0.1:8222/jsz?streams=true&config=true']);
        assert.equal(r.code, 0, r.stderr);
        const jsz = JSON.parse(r.stdout) as { account_details?: { stream_detail?: { name: string; config?: { num_replicas: number }; cluster?: { leader?: string; replicas?: { name: string; current: boolean }[] } }[] }[] };
        const stream = (jsz.account_details ?? []).flatMap((a) => a.stream_detail ?? []).find((s) => s.name === 'KEELSON_EVENTS');
        assert.ok(stream, 'KEELSON_EVENTS not found in /jsz');
        assert.equal(stream.config?.num_replicas, 3);
        // /jsz lists the stream's other peers as nats-1 sees them (the leader among them unless nats-1 leads).
        const replicas = stream.cluster?.replicas ?? [];
        const peers = new Set(['nats-1', ...replicas.map((x) => x.name)]);
        assert.equal(replicas.length, 2, `peers: ${JSON.stringify(stream.cluster)}`);
        assert.deepEqual([...peers].sort(), ['nats-1', 'nats-2', 'nats-3'], `peers: ${JSON.stringify(stream.cluster)}`);
        return `on ${[...peers].sort().join(', ')}; leader ${stream.cluster?.leader}${replicas.some((x) => !x.current) ? `; behind: ${replicas.filter((x) => !x.current).map((x) => x.name).join(', ')}` : ''}`;
      }, 15);
    });

    await check(checks, 'each service its own uid and only its own credentials', async () => {
      const lines: string[] = [];
      for (const [svc, uid] of Object.entries(UIDS)) {
        const id = await stack.exec(svc, ['id', '-u']);
        assert.equal(id.stdout.trim(), uid, `${svc} runs as ${id.stdout.trim()}`);
        const files = (await stack.exec(svc, ['find', '/var/lib/keelson', '-type', 'f'])).stdout.split('\n').filter(Boolean).map((f) => f.replace('/var/lib/keelson/', '')).sort();
        const base = svc.replace(/-\d$/, '');
        // Nobody but the gateway holds the token file or etcd's client key; no controller another's token.
        if (base !== 'api-gateway') assert.ok(!files.includes('tokens.csv') && !files.includes('pki/etcd-client.key'), `${svc} holds ${files.join(' ')}`);
        assert.ok(!files.includes('pki/ca.key'), `${svc} holds the CA key`);
        const foreign = files.filter((f) => /^(tokens|nats)\/[^/]+\.(token|password)$/.test(f) && !f.includes(`/${base}.`) && !(base.startsWith('node') || base === 'nodes-sim') );
        assert.deepEqual(foreign, [], `${svc} holds another service's credentials`);
        lines.push(`${svc}=${uid}:${files.length}`);
      }
      // A controller cannot read another controller's bundle: it is not even mounted.
      const peek = await stack.exec('scheduler-1', ['cat', '/var/lib/keelson/tokens/deployment-controller.token']);
      assert.notEqual(peek.code, 0);
      return lines.join(' ');
    });

    await check(checks, 'kubectl through the load balancer: Deployment rolled out', async () => {
      await retry('kubectl get nodes', async () => {
        const nodes = await k(['get', 'nodes', '-o', 'name']);
        assert.ok(nodes.includes('node/node-1') && nodes.includes('node/node-2') && nodes.includes('node/sim-0'), nodes);
      }, 30);
      await k(['apply', '-f', '-'], DEPLOYMENT('web'));
      await k(['rollout', 'status', 'deployment/web', '--timeout=120s']);
      const pods = await k(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.status.phase} {end}']);
      assert.equal(pods.trim(), 'Running Running');
      return `${stack.apiUrl}: 2/2 pods Running`;
    });

    await check(checks, 'one trace across gateway, controllers, scheduler and kubelet containers', async () => {
      return retry('trace', async () => {
        const wanted = ['api-gateway', 'deployment-controller', 'replicaset-controller', 'scheduler', 'kubelet'];
        const { data: services } = await jaeger<{ data: string[] }>(stack, '/api/services');
        const { data: traces } = await jaeger<{ data: JaegerTrace[] }>(stack, '/api/traces?service=kubelet&limit=200');
        let best: { id: string; services: string[]; hosts: number } | undefined;
        for (const t of traces) {
          const names = [...new Set(t.spans.map((s) => t.processes[s.processID]?.serviceName))].filter((n): n is string => !!n);
          const hosts = new Set(Object.values(t.processes).map((p) => String(p.tags.find((x) => x.key === 'host.name')?.value ?? p.serviceName))).size;
          if (!best || names.length > best.services.length) best = { id: t.traceID, services: names.sort(), hosts };
        }
        const missing = wanted.filter((w) => !best?.services.includes(w));
        assert.deepEqual(missing, [], `services exporting: ${services.join(', ')}; widest trace ${best?.id}: ${best?.services.join(', ')}`);
        return `trace ${best?.id}: ${best?.services.join(', ')} (${best?.hosts} hosts)`;
      }, 20, 3000);
    });

    await check(checks, 'a gateway killed: kubectl still answers through the load balancer', async () => {
      await stack.kill('api-gateway-1');
      await k(['scale', 'deployment/web', '--replicas=1']);
      await retry('scaled', async () => {
        const n = await k(['get', 'deployment/web', '-o', 'jsonpath={.status.replicas}']);
        assert.equal(n.trim(), '1');
      }, 30);
      await stack.waitHealthy(['api-gateway-1'], 120_000);
      return 'scaled to 1 while api-gateway-1 was down; it came back healthy';
    });

    if (opts.containerNodes) {
      await check(checks, 'cluster autoscaler, container provider: a NodePool grows by a kubelet container whose pod runs, and the container goes with the pool', async () => {
        await k(['apply', '-f', '-'], NODEPOOL);
        await k(['apply', '-f', '-'], BOXED_POD);
        const node = await retry('the pod Running on a pool node', async () => {
          const p = JSON.parse(await k(['get', 'pod', 'boxed', '-o', 'json'])) as { spec: { nodeName?: string }; status: { phase?: string } };
          assert.equal(p.status.phase, 'Running', `phase ${p.status.phase} on ${p.spec.nodeName ?? 'no node'}`);
          return p.spec.nodeName!;
        }, 90);
        const machine = (await stack.ps()).find((c) => c.service === 'nodepool-boxes');
        assert.ok(machine && machine.status === 'running', `no running nodepool-boxes container: ${JSON.stringify(machine)}`);
        assert.ok(machine.container.endsWith(node), `${machine.container} is not ${node}'s`);
        // The gateway reaches the new kubelet at its Node address (the container's network alias).
        await retry('kubectl logs', async () => assert.match(await k(['logs', 'boxed']), /running in a pool container/), 30);
        await k(['delete', 'pod', 'boxed', '--wait=true', '--timeout=60s']);
        await k(['delete', 'nodepool', 'boxes', '--wait=true', '--timeout=60s']);
        await retry('the machine container removed', async () => {
          assert.equal((await stack.ps()).filter((c) => c.service === 'nodepool-boxes').length, 0);
        }, 60);
        await retry('the Node gone', async () => assert.equal((await k(['get', 'nodes', '-o', 'name'])).includes(`node/${node}`), false), 30);
        return `${node} in ${machine.container}: pod Running, logs read; removed with the pool`;
      });
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
  return checks;
}
