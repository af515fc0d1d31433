// NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate
// the node.kubernetes.io/unschedulable:NoSchedule taint.
import type { FilterPlugin } from '../framework';
import { tolerates, type Taint } from '../pod-info';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter(pod, node) {
    if (!node.view.unschedulable) return undefined;
    if (pod.tolerations.some((t) => tolerates(t, UNSCHEDULABLE_TAINT))) return undefined;
    return { plugin: this.name, reasons: [ERR_REASON_UNSCHEDULABLE], unresolvable: true };
  },
};
