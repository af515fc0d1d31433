// `npm run bench -- autoscaler`: 1,000 pending pods (four cpu sizes) and services/cluster-autoscaler
// with a NodePool of 16-cpu simulated nodes (max 200). Measures the time to the first scale-up
// decision, to the last node the autoscaler adds, and until every pod is Running on a node a
// simulated kubelet adopted; nodes used against the bin-packing lower bound computed here
// (ceil of total requests over a node's allocatable, per resource; first-fit-decreasing offline
// as a check). Baseline in the same run: the same pods onto as many pre-registered simulated
// nodes as the autoscaler ended with, scheduler only (what the autoscaling costs on top).
import { join } from 'node:path';
import type { KubeObject } from '@keelson/api';
import { KeelsonClient } from '@keelson/client';
import { startControlPlane, type ServiceProcess } from '@keelson/testing';
import { measure, printTable, round, writeResult } from './stats';

const PODS = Number(process.env.KEELSON_BENCH_PODS ?? 1000);
const NODE_CPU_M = 16000;
const NODE_MEM_MI = 64 * 1024;
const NODE_PODS = 110;
const MAX_NODES = 200;
const POD_RES = { group: '', version: 'v1', resource: 'pods' };
const NODE_RES = { group: '', version: 'v1', resource: 'nodes' };
const POOLS = { group: 'autoscaling.keelson.dev', version: 'v1alpha1', resource: 'nodepools' };
const SIZES = [{ cpu: 250, mem: 256 }, { cpu: 500, mem: 512 }, { cpu: 1000, mem: 1024 }, { cpu: 1500, mem: 2048 }];

const size = (i: number) => SIZES[(i * 7) % SIZES.length];
type PodJson = KubeObject & { spec?: { nodeName?: string }; status?: { phase?: string } };

function podObj(name: string, i: number, app: string) {
  const s = size(i);
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app } },
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: 'busybox', resources: { requests: { cpu: `${s.cpu}m`, memory: `${s.mem}Mi` } } }] },
  };
}

/** The lower bound on nodes: no packing does better than total requests over one node's room. */
export function lowerBound(n: number): number {
  let cpu = 0;
  let mem = 0;
  for (let i = 0; i < n; i++) {
    cpu += size(i).cpu;
    mem += size(i).mem;
  }
  return Math.max(Math.ceil(cpu / NODE_CPU_M), Math.ceil(mem / NODE_MEM_MI), Math.ceil(n / NODE_PODS));
}

/** First-fit decreasing offline, on the same sizes (an upper bound the autoscaler should meet). */
export function offlineFfd(n: number): number {
  const items = Array.from({ length: n }, (_, i) => size(i)).sort((a, b) => b.cpu - a.cpu || b.mem - a.mem);
  const bins: Array<{ cpu: number; mem: number; pods: number }> = [];
  for (const it of items) {
    let b = bins.find((x) => x.cpu + it.cpu <= NODE_CPU_M && x.mem + it.mem <= NODE_MEM_MI && x.pods < NODE_PODS);
    if (!b) bins.push((b = { cpu: 0, mem: 0, pods: 0 }));
    b.cpu += it.cpu;
    b.mem += it.mem;
    b.pods++;
  }
  return bins.length;
}

async function untilAll(client: KeelsonClient, app: string, want: number, timeoutMs: number, onPoll?: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const pods = await client.list<PodJson>(POD_RES, 'default', { labelSelector: `app=${app}` }).catch(() => undefined);
    if (pods && pods.items.filter((p) => p.status?.phase === 'Running').length === want) return (performance.now() - t0) / 1000;
    await onPoll?.();
    if (performance.now() - t0 > timeoutMs) throw new Error(`not every ${app} pod Running after ${timeoutMs} ms (${pods?.items.filter((p) => p.status?.phase === 'Running').length ?? '?'} of ${want})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function runAutoscalerBench(): Promise<void> {
  const cp = await startControlPlane({ nats: true, services: ['scheduler', 'kubelet', 'cluster-autoscaler'] });
  const client = new KeelsonClient({ url: cp.url, token: cp.creds.adminToken, ca: cp.creds.caPem });
  const procs: ServiceProcess[] = [];
  const bound = lowerBound(PODS);
  const ffd = offlineFfd(PODS);
  try {
    procs.push(await cp.startService('scheduler'));
    // A simulated kubelet whose own node takes no pods: every pod needs a provisioned node.
    procs.push(await cp.startService('kubelet', { env: { KEELSON_LEADER_ELECT: 'false', KEELSON_KUBELET_RUNTIME: 'simulated', NODE_NAME: 'sim', KEELSON_NODE_CPU: '1', KEELSON_NODE_MEMORY: '1Gi', KEELSON_NODE_PODS: '0', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet-sim') } }));
    procs.push(await cp.startService('cluster-autoscaler', { env: { KEELSON_AUTOSCALER_SCAN_INTERVAL_MS: '2000', KEELSON_AUTOSCALER_SCALE_DOWN_UNNEEDED_TIME_MS: '600000' } }));
    await client.create(POOLS, {
      apiVersion: 'autoscaling.keelson.dev/v1alpha1', kind: 'NodePool', metadata: { name: 'bench' },
      spec: { minNodes: 0, maxNodes: MAX_NODES, provider: 'simulated', nodeTemplate: { allocatable: { cpu: String(NODE_CPU_M / 1000), memory: `${NODE_MEM_MI}Mi`, pods: String(NODE_PODS) } } },
    });

    // Autoscaled: pods created, then every pod Running on provisioned nodes. The pool's nodes are
    // polled from the first create on (every 250 ms), beside the creates and the Running checks:
    // the first one is the first scale-up decision, the last new one the last node added.
    const poolNodes = async () => (await client.list(NODE_RES, undefined, { labelSelector: 'autoscaling.keelson.dev/node-pool=bench' })).items;
    const t0 = performance.now();
    let firstDecision = NaN;
    let lastAddS = NaN;
    let seen = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const n = (await poolNodes().catch(() => [])).length;
        const t = (performance.now() - t0) / 1000;
        if (n > 0 && Number.isNaN(firstDecision)) firstDecision = t;
        if (n > seen) [seen, lastAddS] = [n, t];
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const create = await measure(PODS, 16, async (i) => void (await client.create(POD_RES, podObj(`scale-${i}`, i, 'scale'))));
    const converge = await untilAll(client, 'scale', PODS, 900_000);
    const totalS = (performance.now() - t0) / 1000;
    polling = false;
    await poller;
    const nodes = await poolNodes();
    const used = new Set((await client.list<PodJson>(POD_RES, 'default', { labelSelector: 'app=scale' })).items.map((p) => p.spec?.nodeName)).size;
    for (const p of (await client.list<PodJson>(POD_RES, 'default', { labelSelector: 'app=scale' })).items) await client.delete(POD_RES, "default", String(p.metadata.name)).catch(() => undefined);

    // Baseline: as many nodes, registered up front by a second simulated kubelet; scheduler only.
    procs.push(await cp.startService('kubelet', { instance: 'static', env: { KEELSON_LEADER_ELECT: 'false', KEELSON_KUBELET_RUNTIME: 'simulated', NODE_NAME: 'static', NODE_COUNT: String(nodes.length), KEELSON_NODE_CPU: String(NODE_CPU_M / 1000), KEELSON_NODE_MEMORY: `${NODE_MEM_MI}Mi`, KEELSON_NODE_PODS: String(NODE_PODS), KEELSON_NODE_LABELS: 'bench=static', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet-static') } }));
    // The pool's nodes are cordoned for the baseline so it runs on the static ones only.
    for (const n of nodes) await client.patch(NODE_RES, undefined, String(n.metadata.name), { spec: { unschedulable: true } });
    const b0 = performance.now();
    await measure(PODS, 16, async (i) => void (await client.create(POD_RES, podObj(`base-${i}`, i, 'base'))));
    await untilAll(client, 'base', PODS, 900_000);
    const baseS = (performance.now() - b0) / 1000;

    printTable(
      ['measure', 'pods', 'nodes', 'seconds'],
      [
        ['baseline: pods → Running on pre-registered nodes (scheduler only)', PODS, nodes.length, round(baseS)],
        ['autoscaled: pods created → first node provisioned', PODS, '', round(firstDecision)],
        ['autoscaled: pods created → last node provisioned', PODS, nodes.length, round(lastAddS)],
        ['autoscaled: pods created → all Running', PODS, used, round(totalS)],
      ],
    );
    process.stdout.write(`nodes used ${used} / lower bound ${bound} = ${round(used / bound, 3)} (offline FFD: ${ffd}); autoscaled / baseline time: ${round(totalS / baseS, 3)}\n`);
    const file = writeResult('autoscaler', {
      benchmark: 'autoscaler', pods: PODS, pod_sizes: SIZES, node_shape: { cpu_m: NODE_CPU_M, memory_mi: NODE_MEM_MI, pods: NODE_PODS },
      create_per_s: create.per_s,
      first_scale_up_s: round(firstDecision),
      last_node_added_s: round(lastAddS),
      all_running_s: round(totalS),
      converge_poll_s: round(converge),
      nodes_provisioned: nodes.length,
      nodes_used: used,
      lower_bound_nodes: bound,
      offline_ffd_nodes: ffd,
      ratio_nodes_vs_lower_bound: round(used / bound, 3),
      baseline: 'same pods onto as many pre-registered simulated nodes, scheduler only',
      baseline_all_running_s: round(baseS),
      ratio_autoscaled_vs_baseline_s: round(totalS / baseS, 3),
      note: 'shared 2-core machine; other sessions were running',
    });
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    client.close();
    await cp.stop();
  }
}
