// Wires the pod network onto a process node's runtime (node-host.ts calls this once).
import type { KeelsonClient } from '@keelson/client';
import type { Logger } from '@keelson/telemetry';
import type { KubeletConfig } from '../../config';
import { SERVICES } from '@keelson/api';
import { NODES, type Node } from '../../types';
import type { ProcessRuntime } from '../process-runtime';
import { PodNetworks } from './pod-network';

export async function attachPodNetwork(runtime: ProcessRuntime, cfg: KubeletConfig, client: KeelsonClient, log: Logger): Promise<PodNetworks> {
  const network = await PodNetworks.create({
    root: cfg.root,
    hostIP: cfg.address,
    log,
    enabled: cfg.podNetwork === 'auto',
    podCidrWaitMs: cfg.podCidrWaitMs,
    apiUrl: client.config.url,
    readPodCidr: async () => {
      const node = await client.get<Node>(NODES, undefined, cfg.nodeName);
      const spec = (node.spec ?? {}) as { podCIDR?: unknown; podCIDRs?: unknown };
      const cidrs = Array.isArray(spec.podCIDRs) ? spec.podCIDRs : [spec.podCIDR];
      return cidrs.find((c): c is string => typeof c === 'string' && /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(c));
    },
    readApiService: async () => {
      const svc = await client.get(SERVICES, 'default', 'kubernetes');
      const spec = (svc.spec ?? {}) as { clusterIP?: unknown; ports?: Array<{ name?: string; port?: unknown }> };
      const port = (spec.ports?.find((p) => p.name === 'https') ?? spec.ports?.[0])?.port;
      return typeof spec.clusterIP === 'string' && /^\d+\.\d+\.\d+\.\d+$/.test(spec.clusterIP) && typeof port === 'number' ? { host: spec.clusterIP, port } : undefined;
    },
  });
  runtime.network = network;
  network.watchPodCidr();
  return network;
}
