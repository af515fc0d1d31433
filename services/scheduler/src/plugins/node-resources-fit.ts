// NodeResourcesFit (filter): the pod's requests must fit in the node's allocatable minus
// the requests of pods bound or assumed on it; the pod count against allocatable "pods".
// Every resource that does not fit is a reason ("Insufficient cpu", "Too many pods").
import type { FilterPlugin } from '../framework';

export const ERR_REASON_TOO_MANY_PODS = 'Too many pods';

export const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter(pod, node) {
    const reasons: string[] = [];
    const allowedPods = node.view.allocatable.get('pods') ?? 0;
    if (node.podCount + 1 > allowedPods) reasons.push(ERR_REASON_TOO_MANY_PODS);
    for (const [name, want] of pod.requests) {
      if (want <= 0 || name === 'pods') continue;
      const free = (node.view.allocatable.get(name) ?? 0) - (node.requested.get(name) ?? 0);
      if (want > free) reasons.push(`Insufficient ${name}`);
    }
    return reasons.length ? { plugin: this.name, reasons } : undefined;
  },
};
