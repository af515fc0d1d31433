// When a pod on a NoExecute-tainted node must go (kube's NoExecuteTaintManager): at once if
// some taint is not tolerated, else when the shortest matching tolerationSeconds runs out,
// counted from the taint's timeAdded; never when every match tolerates forever.
// Pods without their own toleration of the lifecycle taints get the defaults kube's
// DefaultTolerationSeconds admission plugin would have given them.
import { podTolerations, toleratesTaint, tolerationsTolerateTaint, type KubeObject, type Taint, type Toleration } from '@keelson/api';
import { TAINT_NOT_READY, TAINT_UNREACHABLE } from './node-health';

export interface DefaultTolerations {
  unreachableSeconds: number;
  notReadySeconds: number;
}

/** The pod's tolerations plus the admission defaults for the lifecycle taints it does not tolerate. */
export function tolerationsWithDefaults(pod: KubeObject, defaults: DefaultTolerations): Toleration[] {
  const own = podTolerations(pod);
  const withDefaults = [...own];
  for (const [key, seconds] of [[TAINT_NOT_READY, defaults.notReadySeconds], [TAINT_UNREACHABLE, defaults.unreachableSeconds]] as const) {
    if (!tolerationsTolerateTaint(own, { key, effect: 'NoExecute' })) withDefaults.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  }
  return withDefaults;
}

/** Epoch ms at which the pod is to be evicted, or undefined for never (kube's getMinTolerationTime). */
export function evictionTime(pod: KubeObject, taints: Taint[], defaults: DefaultTolerations, now: number): number | undefined {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return undefined;
  const tolerations = tolerationsWithDefaults(pod, defaults);
  const used = new Set<Toleration>();
  for (const taint of noExecute) {
    const matching = tolerations.filter((t) => toleratesTaint(t, taint));
    if (matching.length === 0) return now; // an untolerated NoExecute taint: evict now
    matching.forEach((t) => used.add(t));
  }
  const seconds = [...used].map((t) => t.tolerationSeconds).filter((s): s is number => typeof s === 'number');
  if (seconds.length === 0) return undefined; // tolerated forever
  // Counted from the newest taint: the pod has tolerated all of them only since then.
  const added = Math.max(...noExecute.map((t) => (t.timeAdded ? Date.parse(t.timeAdded) : now)).map((ms) => (Number.isFinite(ms) ? ms : now)));
  return added + Math.max(0, Math.min(...seconds)) * 1000;
}
