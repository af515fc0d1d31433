// Wires the streaming server (server.ts) to the kubelets of this process: node-host.ts calls
// `streamingServer` once and hands its `upgrade` to the log server's port.
import { join } from 'node:path';
import type { Logger } from '@keelson/telemetry';
import type { Kubelet } from '../kubelet';
import { stdinPath } from './container-stdin';
import { StreamingServer } from './server';
import { allContainers } from '../types';

export interface StreamingHookOptions {
  /** The kubelet's state root (KEELSON_KUBELET_ROOT): pods live in <root>/pods/<uid>. */
  root: string;
  authToken?: string;
  log: Logger;
  kubeletOf(namespace: string, name: string): Kubelet | undefined;
}

export function streamingServer(opts: StreamingHookOptions): StreamingServer {
  return new StreamingServer({
    authToken: opts.authToken,
    log: opts.log,
    lookup: {
      pod: (ns, name) => opts.kubeletOf(ns, name)?.streamTarget(ns, name),
      attach: (ns, name, container) => {
        const k = opts.kubeletOf(ns, name);
        const target = k?.streamTarget(ns, name);
        const log = k?.logTarget(ns, name, container);
        if (!target || !log || typeof log === 'string' || !log.running) return undefined;
        const logPath = log.path(log.restartCount);
        if (!logPath) return undefined;
        const spec = allContainers(target.pod).find((c) => c.name === container) as { stdin?: unknown; stdinOnce?: unknown } | undefined;
        const uid = target.pod.metadata.uid ?? '';
        return {
          logPath,
          stillRunning: () => log.stillRunning(),
          stdinPath: spec?.stdin === true ? stdinPath(join(opts.root, 'pods', uid), container) : undefined,
          stdinOnce: spec?.stdinOnce === true,
        };
      },
      // The pod's IP: its own network namespace's address, reached over the node's pod bridge;
      // on the host network that is the host (127.0.0.1).
      portForwardHost: (pod) => (typeof pod.status?.podIP === 'string' && pod.status.podIP ? pod.status.podIP : '127.0.0.1'),
    },
  });
}
