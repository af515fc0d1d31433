// The kubelet: one node (process runtime) or NODE_COUNT simulated nodes per process.
// Registers each Node, heartbeats its Lease, runs the pods bound to it, serves their logs.
import { EventRecorder, Manager } from '@keelson/controller-runtime';
import { kubeletConfigFromEnv } from './config';
import { Kubelet } from './kubelet';
import { LogServer } from './log-server';
import { NodeAgent } from './node-agent';
import { ProcessRuntime } from './runtime/process-runtime';
import { SimulatedRuntime } from './runtime/simulated-runtime';
import { StatusWriter } from './status-writer';
import { PODS, type Pod } from './types';

async function main(): Promise<void> {
  const cfg = kubeletConfigFromEnv();
  const mgr = await Manager.create('kubelet', { config: { leaderElection: false, identity: cfg.nodeName } });
  const log = mgr.log.child({ node: cfg.nodeName });
  const simulated = cfg.runtime === 'simulated';
  const names = simulated && cfg.nodeCount > 1 ? Array.from({ length: cfg.nodeCount }, (_, i) => `${cfg.nodeName}-${i}`) : [cfg.nodeName];
  const writer = new StatusWriter(mgr.client, log);
  const kubelets = new Map<string, Kubelet>(names.map((name, i) => [name, new Kubelet({
    nodeName: name,
    hostIP: cfg.address,
    runtime: simulated ? new SimulatedRuntime(i + 1) : new ProcessRuntime(cfg.root, log),
    client: mgr.client,
    statusWriter: writer,
    recorder: simulated ? undefined : new EventRecorder({ client: mgr.client, component: 'kubelet', host: name, logger: log }),
    backoffBaseMs: cfg.backoffBaseMs,
    backoffMaxMs: cfg.backoffMaxMs,
    log,
  })]));

  // The informer lists every pod (no field selector yet); each kubelet takes the ones bound to it.
  const pods = mgr.informer<Pod>(PODS);
  const kubeletOf = (p: Pod): Kubelet | undefined => (p.spec.nodeName ? kubelets.get(p.spec.nodeName) : undefined);
  pods.addEventHandler({
    onAdd: (p) => kubeletOf(p)?.upsert(p),
    onUpdate: (_, p) => kubeletOf(p)?.upsert(p),
    onDelete: (p) => kubeletOf(p)?.removed(p),
  });

  const logs = new LogServer({
    address: cfg.address, port: cfg.port, authToken: cfg.authToken,
    lookup: (ns, name, container) => {
      const pod = pods.cache.getByName(ns, name);
      const k = pod && kubeletOf(pod);
      return k ? k.logTarget(ns, name, container) : 'no-pod';
    },
  });
  await logs.start();
  const agents = names.map((name) => new NodeAgent({
    client: mgr.client, log,
    identity: { name, address: cfg.address, kubeletPort: logs.port, runtime: cfg.runtime, capacity: cfg.capacity, allocatable: cfg.allocatable, labels: cfg.labels, taints: cfg.taints },
    leaseDurationSeconds: cfg.leaseDurationSeconds, leaseRenewMs: cfg.leaseRenewMs, statusUpdateMs: cfg.nodeStatusUpdateMs,
  }));

  // Pods keep running when the kubelet stops: the next kubelet adopts them.
  process.once('SIGTERM', () => {
    agents.forEach((a) => a.stop());
    kubelets.forEach((k) => k.detach());
    writer.close();
    void logs.stop();
  });
  await Promise.all(agents.map((a) => a.start()));
  await mgr.run();
  const uids = new Set(pods.cache.list().map((p) => p.metadata.uid ?? ''));
  for (const k of kubelets.values()) await k.cleanupOrphans(uids);
  setInterval(() => kubelets.forEach((k) => k.resync()), cfg.resyncMs).unref();
  log.info('kubelet running', { runtime: cfg.runtime, nodes: names.length, logPort: logs.port });
}

main().catch((err: unknown) => {
  process.stderr.write(`kubelet failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
