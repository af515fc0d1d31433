// NodeName: a pod that names its node fits only that node.
import type { FilterPlugin } from '../framework';

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export const nodeName: FilterPlugin = {
  name: 'NodeName',
  filter(pod, node) {
    if (!pod.nodeName || pod.nodeName === node.view.name) return undefined;
    return { plugin: this.name, reasons: [ERR_REASON_NODE_NAME], unresolvable: true };
  },
};
