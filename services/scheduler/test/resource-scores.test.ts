import { balancedAllocation } from '../src/plugins/balanced-allocation';
import { leastAllocated } from '../src/plugins/least-allocated';
import { selectorSpread } from '../src/plugins/selector-spread';
import { info, node, nodeInfo, pod } from './fixtures';

describe('LeastAllocated score (NodeResourcesFit)', () => {
  it('prefers the node with more free cpu and memory after placing the pod', () => {
    const p = info(pod('p', { cpu: '1', memory: '1Gi' }));
    const empty = nodeInfo(node('a', { cpu: '4', memory: '4Gi' }));
    const busy = nodeInfo(node('b', { cpu: '4', memory: '4Gi' }), [pod('x', { cpu: '2', memory: '2Gi' })]);
    expect(leastAllocated.score(p, empty)).toBe(75);
    expect(leastAllocated.score(p, busy)).toBe(25);
  });
  it('counts a pod without requests as 100m cpu and 200Mi memory', () => {
    expect(leastAllocated.score(info(pod('p')), nodeInfo(node('a', { cpu: '1', memory: '2000Mi' })))).toBe(Math.floor((90 + 90) / 2));
  });
});

describe('BalancedAllocation score', () => {
  it('prefers cpu and memory fractions that stay close', () => {
    const p = info(pod('p', { cpu: '1', memory: '1Gi' }));
    expect(balancedAllocation.score(p, nodeInfo(node('a', { cpu: '4', memory: '4Gi' })))).toBe(100);
    expect(balancedAllocation.score(p, nodeInfo(node('b', { cpu: '2', memory: '8Gi' })))).toBe(Math.floor((1 - (0.5 - 0.125) / 2) * 100));
  });
});

describe('SelectorSpread score', () => {
  it('prefers nodes with fewer pods of the same controller', () => {
    const owned = (name: string, uid: string) => pod(name, {}, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid, controller: true }] });
    const p = info(owned('new', 'rs-1'));
    const nodes = [nodeInfo(node('a'), [owned('x', 'rs-1'), owned('y', 'rs-1')]), nodeInfo(node('b'), [owned('z', 'rs-1'), owned('o', 'other')]), nodeInfo(node('c'), [owned('o2', 'other')])];
    const scores = nodes.map((n) => selectorSpread.score(p, n));
    selectorSpread.normalize!(scores);
    expect(scores).toEqual([0, 50, 100]);
  });
});
