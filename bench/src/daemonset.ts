// `npm run bench -- daemonset`: one DaemonSet across 500 simulated nodes (one simulated kubelet
// hosting them all), from `kubectl apply`-equivalent create to every daemon pod Running, through
// the whole chain (daemonset-controller → scheduler binds each pod by its node affinity →
// kubelet). Baseline in the same run: 500 pods a client creates itself (16 in flight), already
// bound with spec.nodeName, to Running: the API and kubelet share of the path, without the
// controller or the scheduler. KEELSON_BENCH_NODES overrides the node count.
import { join } from 'node:path';
import type { KubeObject } from '@keelson/api';
import { KeelsonClient } from '@keelson/client';
import { startControlPlane, type ControlPlane, type ServiceProcess } from '@keelson/testing';
import { apiRequestCounts, requestRows } from './api-calls';
import { profileNodeArgs, startLong } from './long-start';
import { measure, printTable, round, writeResult } from './stats';

const NODES = Number(process.env.KEELSON_BENCH_NODES ?? 500);
const CONCURRENCY = 16;
const PODS = { group: '', version: 'v1', resource: 'pods' };
const NODE_RES = { group: '', version: 'v1', resource: 'nodes' };
const DAEMONSETS = { group: 'apps', version: 'v1', resource: 'daemonsets' };
const CONTAINERS = [{ name: 'main', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }];

interface PodJson extends KubeObject { spec?: { nodeName?: string }; status?: { phase?: string } }

/** Seconds from `since` until `count` pods with `label` are Running (polled from the API every 500 ms). */
async function untilRunning(client: KeelsonClient, label: string, count: number, since: bigint): Promise<number> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    // A list the loaded gateway does not answer in time is a poll that saw nothing yet.
    const items = await client.list<PodJson>(PODS, 'default', { labelSelector: label }).then((l) => l.items, () => []);
    const running = items.filter((p) => p.status?.phase === 'Running').length;
    if (running >= count) return Number(process.hrtime.bigint() - since) / 1e9;
    if (Date.now() > deadline) throw new Error(`only ${running}/${count} pods (${label}) Running after 10 minutes`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function waitForNodes(client: KeelsonClient): Promise<void> {
  const deadline = Date.now() + 300_000;
  // A list the loaded gateway does not answer in time counts as no nodes yet.
  while ((await client.list(NODE_RES, undefined).then((l) => l.items.length, () => 0)) < NODES) {
    if (Date.now() > deadline) throw new Error(`fewer than ${NODES} nodes registered in 5 minutes`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function runDaemonSetBench(): Promise<void> {
  const services = ['daemonset-controller', 'scheduler', 'kubelet'];
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: '' };
  const cp: ControlPlane = await startControlPlane({ nats: true, services, env, nodeArgs: profileNodeArgs });
  const client = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem });
  const procs: ServiceProcess[] = [];
  try {
    const kubelet = await startLong(cp, 'kubelet', { ...env, KEELSON_KUBELET_RUNTIME: 'simulated', NODE_NAME: 'sim', NODE_COUNT: String(NODES), KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet') });
    await waitForNodes(client);
    procs.push(kubelet);
    procs.push(await startLong(cp, 'scheduler', env));
    procs.push(await startLong(cp, 'daemonset-controller', env));

    // Baseline: the client creates one bound pod per node itself.
    const t0 = process.hrtime.bigint();
    const create = await measure(NODES, CONCURRENCY, async (i) => {
      await client.create(PODS, {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: `bare-${i}`, namespace: 'default', labels: { bench: 'bare' } },
        spec: { nodeName: `sim-${i}`, terminationGracePeriodSeconds: 0, containers: CONTAINERS },
      });
    });
    const bareSeconds = await untilRunning(client, 'bench=bare', NODES, t0);

    const callsBefore = await apiRequestCounts(cp);
    const t1 = process.hrtime.bigint();
    await client.create(DAEMONSETS, {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'bench-ds', namespace: 'default' },
      spec: { selector: { matchLabels: { bench: 'ds' } }, template: { metadata: { labels: { bench: 'ds' } }, spec: { terminationGracePeriodSeconds: 0, containers: CONTAINERS } } },
    });
    const dsSeconds = await untilRunning(client, 'bench=ds', NODES, t1);
    // Every request meanwhile (controller, scheduler, kubelet heartbeats of all nodes, this poll), per daemon pod.
    const calls = requestRows(callsBefore, await apiRequestCounts(cp), NODES);
    // The controller's own account agrees (status is written after the pods it counts).
    const deadline = Date.now() + 60_000;
    let status: Record<string, number> = {};
    while (Date.now() < deadline) {
      status = ((await client.get(DAEMONSETS, 'default', 'bench-ds').catch(() => ({ status }))).status ?? {}) as Record<string, number>;
      if (status.numberReady === NODES && status.desiredNumberScheduled === NODES) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    if (status.numberReady !== NODES) throw new Error(`DaemonSet status: ${JSON.stringify(status)}`);
    const perNodeDs = (await client.list<PodJson>(PODS, 'default', { labelSelector: 'bench=ds' })).items;
    const nodesCovered = new Set(perNodeDs.map((p) => p.spec?.nodeName)).size;
    if (perNodeDs.length !== NODES || nodesCovered !== NODES) throw new Error(`${perNodeDs.length} daemon pods on ${nodesCovered} nodes, wanted one on each of ${NODES}`);

    printTable(
      ['measure', 'pods', 'seconds', 'pods/s'],
      [
        [`baseline: client creates bound pods (c=${CONCURRENCY}) → Running`, NODES, round(bareSeconds), round(NODES / bareSeconds)],
        ['DaemonSet create → every daemon pod Running', NODES, round(dsSeconds), round(NODES / dsSeconds)],
      ],
    );
    printTable(['API requests until every daemon pod ran', 'count', 'per pod'], calls);
    const ratio = round(dsSeconds / bareSeconds, 3);
    process.stdout.write(`DaemonSet / baseline time: ${ratio}\n`);
    const file = writeResult('daemonset', {
      benchmark: 'daemonset', nodes: NODES,
      daemonset_all_running_s: round(dsSeconds),
      daemonset_pods_per_s: round(NODES / dsSeconds),
      baseline: 'client-created pods with spec.nodeName (16 in flight), to Running',
      baseline_all_running_s: round(bareSeconds),
      baseline_pods_per_s: round(NODES / bareSeconds),
      baseline_create_per_s: create.per_s,
      baseline_create_p99_ms: create.p99_ms,
      ratio_daemonset_vs_baseline_s: ratio,
      daemonset_status: status,
      api_requests_per_pod: Object.fromEntries(calls.map(([what, , perPod]) => [what, perPod])),
    });
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    for (const p of procs.reverse()) await p.kill('SIGTERM').catch(() => undefined);
    client.close();
    await cp.stop();
  }
}
