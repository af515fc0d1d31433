// NodeShouldRunDaemonPod (daemon_controller.go): whether a node should get a daemon pod, and
// whether one already there may keep running. The template's nodeName, nodeSelector and
// required node affinity must admit the node; its NoSchedule/NoExecute taints must be
// tolerated (with the automatic tolerations) to place a pod; a pod already placed keeps
// running unless a NoExecute taint is not tolerated.
import { findUntoleratedTaint, nodeTaints, podFitsNodeAffinity } from '@keelson/api';
import { daemonPodTolerations } from './daemon-pod';
import type { DaemonSet, Node } from './types';

export interface NodeVerdict {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodeVerdict {
  const spec = ds.spec?.template?.spec;
  const nodeName = typeof spec?.nodeName === 'string' ? spec.nodeName : '';
  if (nodeName && nodeName !== node.metadata.name) return { shouldRun: false, shouldContinueRunning: false };
  if (!podFitsNodeAffinity(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = daemonPodTolerations(spec);
  const taints = nodeTaints(node);
  if (findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')) {
    return { shouldRun: false, shouldContinueRunning: !findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute') };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}
