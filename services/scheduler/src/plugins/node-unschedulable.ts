// NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate
// the node.kubernetes.io/unschedulable:NoSchedule taint.
import { TAINT_NODE_UNSCHEDULABLE, tolerationsTolerateTaint, type Taint } from '@keelson/api';
import type { FilterPlugin } from '../framework';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
const UNSCHEDULABLE_TAINT: Taint = { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' };

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter(pod, node) {
    if (!node.view.unschedulable) return undefined;
    if (tolerationsTolerateTaint(pod.tolerations, UNSCHEDULABLE_TAINT)) return undefined;
    return { plugin: this.name, reasons: [ERR_REASON_UNSCHEDULABLE], unresolvable: true };
  },
};
