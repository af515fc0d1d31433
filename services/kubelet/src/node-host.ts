// Wires one kubelet process onto its Manager: one Kubelet per node it hosts (one with the
// process runtime, NODE_COUNT simulated ones), the pod informer that feeds them, the log
// server, and a NodeAgent per node registering the Node and heartbeating its Lease.
import { ENDPOINTSLICES, SERVICES } from '@keelson/api';
import { EventRecorder, type Manager } from '@keelson/controller-runtime';
import type { KubeletConfig } from './config';
import { Kubelet } from './kubelet';
import { LogServer } from './log-server';
import { streamingServer } from './streaming/kubelet-hooks';
import { KubeletMetrics } from './metrics';
import { NodeAgent } from './node-agent';
import { SimulatedRuntime } from './runtime/simulated-runtime';
import { StatusWriter } from './status-writer';
import { sandboxedProcessRuntime } from './volumes/pod-sandbox';
import { attachPodNetwork } from './runtime/network/attach';
import { podNetworkSweeper } from './runtime/network/sweeper';
import { NODES, PODS, type Node, type Pod } from './types';
import { PodCgroups } from './runtime/cgroups/pod-cgroups';
import { podIdentity } from './runtime/pod-identity';
import { GarbageSweep } from './runtime/sweep/garbage-sweep';
import { cgroupSweeper, podStateSweeper } from './runtime/sweep/sweepers';
import { statsRoute } from './stats/stats-server';
import { hostProvisionedNodes } from './runtime/simulated/host-provisioned';
import { ClusterZone } from './dns/cluster-zone';
import { ClusterDnsServer } from './dns/dns-server';

export async function setupKubelet(mgr: Manager, cfg: KubeletConfig): Promise<void> {
  const log = mgr.log.child({ node: cfg.nodeName });
  const simulated = cfg.runtime === 'simulated';
  const names = simulated && cfg.nodeCount > 1 ? Array.from({ length: cfg.nodeCount }, (_, i) => `${cfg.nodeName}-${i}`) : [cfg.nodeName];
  const writer = new StatusWriter(mgr.client, log);
  // Process pods get their projected volumes (ServiceAccount token) mounted (volumes/pod-sandbox.ts).
  // Their containers' service variables come from the Services this informer holds (runtime/service-env.ts).
  const services = simulated ? undefined : mgr.informer(SERVICES);
  const processRuntime = services && (await sandboxedProcessRuntime(cfg.root, mgr.client, log, (ns) => services.cache.byNamespace(ns)));
  // Each process pod's own network namespace and IP from the Node's podCIDR (runtime/network/).
  const podNetwork = processRuntime && (await attachPodNetwork(processRuntime, cfg, mgr.client, log));
  // Cluster DNS for this node's pods, on the bridge's address (dns/): names of Services and
  // their endpoints from these informers, other names relayed to the host's nameservers.
  const slices = podNetwork && cfg.clusterDns ? mgr.informer(ENDPOINTSLICES) : undefined;
  const dns = services && slices && new ClusterDnsServer({
    log,
    zone: new ClusterZone(cfg.clusterDomain, {
      service: (ns, name) => services.cache.getByName(ns, name),
      services: () => services.cache.list(),
      slicesOf: (ns, name) => slices.cache.byNamespace(ns).filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === name),
    }),
  });
  if (podNetwork && dns) podNetwork.dns = { server: dns, domain: cfg.clusterDomain };
  // Pod and container cgroups: resources.limits, QoS tiers, OOMKilled (runtime/cgroups/).
  const cgroups = processRuntime && (await PodCgroups.create({ nodeName: cfg.nodeName, stateDir: cfg.root, log, identity: podIdentity(), podPidsLimit: cfg.podPidsLimit }));
  if (processRuntime && cgroups) processRuntime.cgroups = cgroups;
  // The start-up sweep: each kind of pod resource registers a lister/remover (runtime/sweep/).
  const sweep = new GarbageSweep(log);
  if (processRuntime) sweep.register(podStateSweeper(processRuntime));
  if (cgroups) sweep.register(cgroupSweeper(cgroups));
  if (podNetwork) sweep.register(podNetworkSweeper(podNetwork));
  const newKubelet = (name: string, i: number): Kubelet => new Kubelet({
    nodeName: name,
    hostIP: cfg.address,
    runtime: processRuntime ?? new SimulatedRuntime(i + 1),
    client: mgr.client,
    statusWriter: writer,
    recorder: simulated ? undefined : new EventRecorder({ client: mgr.client, component: 'kubelet', host: name, logger: log }),
    backoffBaseMs: cfg.backoffBaseMs,
    backoffMaxMs: cfg.backoffMaxMs,
    log,
    metrics: KubeletMetrics.of(mgr.metrics.registry),
  });
  const kubelets = new Map<string, Kubelet>(names.map((name, i) => [name, newKubelet(name, i)]));

  // The informer lists every pod (no field selector yet); each kubelet takes the ones bound to it.
  const pods = mgr.informer<Pod>(PODS);
  const kubeletOf = (p: Pod): Kubelet | undefined => (p.spec.nodeName ? kubelets.get(p.spec.nodeName) : undefined);
  pods.addEventHandler({
    onAdd: (p) => kubeletOf(p)?.upsert(p),
    onUpdate: (_, p) => kubeletOf(p)?.upsert(p),
    onDelete: (p) => kubeletOf(p)?.removed(p),
  });

  const streaming = streamingServer({ root: cfg.root, authToken: cfg.authToken, log, kubeletOf: (ns, name) => {
    const pod = pods.cache.getByName(ns, name);
    return pod && kubeletOf(pod);
  } });
  const logs = new LogServer({
    address: cfg.address, port: cfg.port, authToken: cfg.authToken, upgrade: streaming.upgrade,
    routes: statsRoute({ nodeNames: names, simulated, cgroups, podsOf: (node) => pods.cache.list().filter((p) => p.spec.nodeName === node) }),
    lookup: (ns, name, container) => {
      const pod = pods.cache.getByName(ns, name);
      const k = pod && kubeletOf(pod);
      return k ? k.logTarget(ns, name, container) : 'no-pod';
    },
  });
  await logs.start();
  // Each NodeAgent compares NodeStatus with the Node as this informer shows it, not a GET per period.
  const nodeInformer = mgr.informer<Node>(NODES);
  const nodeSource = { hasSynced: () => nodeInformer.hasSynced(), get: (name: string) => nodeInformer.cache.getByName(undefined, name) };
  // Hosted together, the nodes' heartbeats are spread evenly over the period (phase).
  const agents = names.map((name, i) => new NodeAgent({
    client: mgr.client, log, nodes: nodeSource, statusReportMs: cfg.nodeStatusReportMs, phase: (i + 1) / names.length,
    identity: { name, address: cfg.address, kubeletPort: logs.port, runtime: cfg.runtime, capacity: cfg.capacity, allocatable: cfg.allocatable, labels: cfg.labels, taints: cfg.taints, extraConditions: podNetwork && (() => [podNetwork.condition()]) },
    leaseDurationSeconds: cfg.leaseDurationSeconds, leaseRenewMs: cfg.leaseRenewMs, statusUpdateMs: cfg.nodeStatusUpdateMs,
  }));
  await Promise.all(agents.map((a) => a.start()));
  // Simulated kubelets also host the nodes the cluster autoscaler provisions (runtime/simulated/pool-nodes.ts).
  if (simulated) hostProvisionedNodes(mgr, cfg, { kubelets, pods, newKubelet: (name) => newKubelet(name, names.length + kubelets.size), logPort: logs.port, log, nodeSource });

  let resync: NodeJS.Timeout | undefined;
  mgr.add({
    // Once the pod cache is complete: processes of pods that no longer exist are stopped,
    // and every pod is re-synced periodically (level-based safety net).
    start: async () => {
      const uids = new Set(pods.cache.list().map((p) => p.metadata.uid ?? ''));
      for (const k of kubelets.values()) await k.cleanupOrphans(uids);
      // Leftovers of pods deleted while no kubelet ran (kill -9): asked per resource, from the live cache.
      const live = (uid: string): boolean => pods.cache.list().some((p) => p.metadata.uid === uid && !!p.spec.nodeName && kubelets.has(p.spec.nodeName));
      const swept = await sweep.sweep(live);
      if (swept.removed.length || swept.failed.length) log.info('start-up sweep', { removed: swept.removed.length, failed: swept.failed.length, kinds: sweep.kinds });
      resync = setInterval(() => kubelets.forEach((k) => k.resync()), cfg.resyncMs);
      resync.unref();
      log.info('kubelet running', { runtime: cfg.runtime, nodes: names.length, logPort: logs.port });
    },
    // A graceful stop stops the node's process pods (SIGTERM, grace, SIGKILL) and removes their
    // cgroups; after a crash they keep running and the next kubelet adopts them.
    stop: async () => {
      clearInterval(resync);
      agents.forEach((a) => a.stop());
      if (processRuntime) await Promise.all([...kubelets.values()].map((k) => k.shutdown(cfg.shutdownGraceMs)));
      else kubelets.forEach((k) => k.detach());
      await processRuntime?.shutdown();
      await cgroups?.shutdown();
      await podNetwork?.shutdown();
      await dns?.close();
      writer.close();
      streaming.close();
      await logs.stop();
    },
  });
}
