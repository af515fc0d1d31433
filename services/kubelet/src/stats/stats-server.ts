// Serves GET /stats/summary on the kubelet's authenticated server (log-server.ts): one node's
// Summary; a kubelet process hosting several simulated nodes answers for the one named by
// `?nodeName=` (metrics-server sends it), or its only node.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pod } from '../types';
import type { PodCgroups } from '../runtime/cgroups/pod-cgroups';
import { cgroupUsage, machineUsage, SummaryBuilder, syntheticUsage, type UsageSource } from './summary';

export interface StatsServerOptions {
  nodeNames: string[];
  simulated: boolean;
  cgroups?: PodCgroups;
  /** The pods bound to a node (the kubelet's pod cache). */
  podsOf: (nodeName: string) => Pod[];
  env?: NodeJS.ProcessEnv;
}

/** A route handler for LogServer: true when it answered. */
export type ExtraRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

export function statsRoute(opts: StatsServerOptions): ExtraRoute {
  const env = opts.env ?? process.env;
  const source: UsageSource = opts.simulated
    ? syntheticUsage(Number(env.KEELSON_KUBELET_SIM_CPU_MILLICORES ?? 10), Number(env.KEELSON_KUBELET_SIM_MEMORY_BYTES ?? 16 * 1024 * 1024))
    : opts.cgroups
      ? cgroupUsage((uid, c) => opts.cgroups!.containerDirs(uid, c))
      : { container: async () => undefined, node: machineUsage };
  const builders = new Map(opts.nodeNames.map((n) => [n, new SummaryBuilder(source)]));
  return async (req, res, url) => {
    if (url.pathname !== '/stats/summary') return false;
    if (req.method !== 'GET') {
      res.writeHead(405, { 'Content-Type': 'text/plain' }).end('method not allowed');
      return true;
    }
    const name = url.searchParams.get('nodeName') ?? (opts.nodeNames.length === 1 ? opts.nodeNames[0] : '');
    const builder = builders.get(name);
    if (!builder) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`node ${name} is not served here`);
      return true;
    }
    const summary = await builder.build(name, opts.podsOf(name));
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(summary));
    return true;
  };
}
