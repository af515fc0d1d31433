// A DaemonSet's pod for one node (daemon_controller.go syncNodes + pkg/controller/daemon/util):
// the template with the revision's hash label, the automatic tolerations every daemon pod
// carries, and a required node affinity to exactly that node (matchFields metadata.name), so
// the default scheduler places it there, as upstream does since ScheduleDaemonSetPods.
import { copyJson, isRecord, newControllerRef, type Toleration } from '@keelson/api';
import { CONTROLLER_REVISION_HASH_LABEL } from '@keelson/controller-runtime';
import { DAEMONSET_KIND, POD_TEMPLATE_GENERATION_LABEL, type DaemonSet, type Pod } from './types';

const exists = (key: string, effect: 'NoSchedule' | 'NoExecute'): Toleration => ({ key, operator: 'Exists', effect });

/**
 * AddOrUpdateDaemonPodTolerations: a daemon keeps running on not-ready and unreachable nodes,
 * is placed despite disk, memory and PID pressure and cordoning, and, with hostNetwork, on
 * nodes whose pod network is not up yet.
 */
export function daemonPodTolerations(podSpec: Record<string, unknown> | undefined): Toleration[] {
  const auto = [
    exists('node.kubernetes.io/not-ready', 'NoExecute'),
    exists('node.kubernetes.io/unreachable', 'NoExecute'),
    exists('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/unschedulable', 'NoSchedule'),
  ];
  if (podSpec?.hostNetwork === true) auto.push(exists('node.kubernetes.io/network-unavailable', 'NoSchedule'));
  const own = Array.isArray(podSpec?.tolerations) ? (podSpec.tolerations.filter(isRecord) as Toleration[]) : [];
  // AddOrUpdateTolerationInPodSpec: one toleration per key/operator/effect, the automatic one replacing a namesake.
  const same = (a: Toleration, b: Toleration): boolean => a.key === b.key && (a.operator ?? 'Equal') === (b.operator ?? 'Equal') && (a.effect ?? '') === (b.effect ?? '');
  return [...own.filter((t) => !auto.some((a) => same(a, t))), ...auto];
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms become one matchFields term on the node's name. */
export function affinityToNode(affinity: Record<string, unknown> | undefined, nodeName: string): Record<string, unknown> {
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  const a = copyJson(affinity ?? {});
  const nodeAffinity = isRecord(a.nodeAffinity) ? a.nodeAffinity : {};
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [term] };
  a.nodeAffinity = nodeAffinity;
  return a;
}

/** The node a daemon pod is for: spec.nodeName once bound, else its affinity's metadata.name (GetTargetNodeName). */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const nodeAffinity = pod.spec?.affinity?.nodeAffinity;
  const required = isRecord(nodeAffinity) ? nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution : undefined;
  const terms = isRecord(required) && Array.isArray(required.nodeSelectorTerms) ? required.nodeSelectorTerms : [];
  for (const t of terms) {
    const fields = isRecord(t) && Array.isArray(t.matchFields) ? t.matchFields : [];
    for (const f of fields) {
      if (isRecord(f) && f.key === 'metadata.name' && f.operator === 'In' && Array.isArray(f.values) && f.values.length === 1) return String(f.values[0]);
    }
  }
  return undefined;
}

/** The pod syncNodes creates for `nodeName` at revision `hash`; the API names it `<ds>-xxxxx`. */
export function newDaemonPod(ds: DaemonSet, nodeName: string, hash: string): Pod {
  const t = ds.spec?.template ?? {};
  const spec = copyJson(t.spec ?? {});
  spec.affinity = affinityToNode(isRecord(spec.affinity) ? spec.affinity : undefined, nodeName);
  spec.tolerations = daemonPodTolerations(spec);
  const labels: Record<string, string> = { ...(t.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash };
  if (ds.metadata.generation !== undefined) labels[POD_TEMPLATE_GENERATION_LABEL] = String(ds.metadata.generation);
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: `${ds.metadata.name}-`, namespace: ds.metadata.namespace, labels, ownerReferences: [newControllerRef(ds, DAEMONSET_KIND)] },
    spec,
  };
  if (t.metadata?.annotations) pod.metadata.annotations = { ...t.metadata.annotations };
  if (t.metadata?.finalizers) pod.metadata.finalizers = [...t.metadata.finalizers];
  return pod;
}
