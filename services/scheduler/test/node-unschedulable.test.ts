import { nodeUnschedulable } from '../src/plugins/node-unschedulable';
import { info, node, nodeInfo, pod } from './fixtures';

describe('NodeUnschedulable filter', () => {
  it('rejects a cordoned node', () => {
    expect(nodeUnschedulable.filter(info(pod('p')), nodeInfo(node('n', { unschedulable: true })))?.reasons).toEqual(['node(s) were unschedulable']);
  });
  it('admits a pod tolerating node.kubernetes.io/unschedulable, and any pod on a schedulable node', () => {
    const tolerant = pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
    expect(nodeUnschedulable.filter(info(tolerant), nodeInfo(node('n', { unschedulable: true })))).toBeUndefined();
    expect(nodeUnschedulable.filter(info(pod('p')), nodeInfo(node('n')))).toBeUndefined();
  });
});
