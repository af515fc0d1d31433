// The kubelet: one node (process runtime) or NODE_COUNT simulated nodes per process.
// Registers each Node, heartbeats its Lease, runs the pods bound to it, serves their logs
// (node-host.ts). Not leader-elected: every kubelet acts for its own nodes.
import { runManager } from '@keelson/controller-runtime';
import { kubeletConfig } from './config';
import { setupKubelet } from './node-host';

void runManager('kubelet', kubeletConfig, setupKubelet, {
  manager: (cfg) => ({ leaderElection: false, identity: cfg.nodeName }),
});
