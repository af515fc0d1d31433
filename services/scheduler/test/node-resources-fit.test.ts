import { nodeResourcesFit } from '../src/plugins/node-resources-fit';
import { info, node, nodeInfo, pod } from './fixtures';

describe('NodeResourcesFit filter', () => {
  it('fits a pod whose requests fit in allocatable minus what bound pods request', () => {
    const n = nodeInfo(node('n1', { cpu: '1', memory: '1Gi' }), [pod('a', { cpu: '500m', memory: '512Mi' })]);
    expect(nodeResourcesFit.filter(info(pod('b', { cpu: '500m', memory: '512Mi' })), n)).toBeUndefined();
  });

  it('names every insufficient resource', () => {
    const n = nodeInfo(node('n1', { cpu: '1', memory: '1Gi' }), [pod('a', { cpu: '600m', memory: '1000Mi' })]);
    expect(nodeResourcesFit.filter(info(pod('b', { cpu: '500m', memory: '100Mi' })), n)?.reasons).toEqual(['Insufficient cpu', 'Insufficient memory']);
  });

  it('counts pods against allocatable pods', () => {
    const n = nodeInfo(node('n1', { pods: '1' }), [pod('a')]);
    expect(nodeResourcesFit.filter(info(pod('b')), n)?.reasons).toEqual(['Too many pods']);
  });

  it('takes the larger of the app containers and an init container, plus overhead', () => {
    const p = pod('b', { cpu: '200m', initContainers: [{ name: 'i', image: 'x', resources: { requests: { cpu: '900m' } } }], overhead: { cpu: '100m' } });
    expect(info(p).requests.get('cpu')).toBe(1000);
    expect(nodeResourcesFit.filter(info(p), nodeInfo(node('n1', { cpu: '999m' })))?.reasons).toEqual(['Insufficient cpu']);
  });
});
