import { matchesRequirement, nodeAffinityFilter, nodeAffinityScore } from '../src/plugins/node-affinity';
import { info, node, nodeInfo, pod } from './fixtures';

const required = (...terms: unknown[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });
const REASON = "node(s) didn't match Pod's node affinity/selector";

describe('NodeAffinity', () => {
  const labels = { zone: 'a', gen: '5' };

  it.each([
    ['In', ['a', 'b'], 'zone', true], ['In', ['b'], 'zone', false],
    ['NotIn', ['b'], 'zone', true], ['NotIn', ['a'], 'zone', false], ['NotIn', ['a'], 'missing', true],
    ['Exists', [], 'zone', true], ['Exists', [], 'missing', false],
    ['DoesNotExist', [], 'missing', true], ['DoesNotExist', [], 'zone', false],
    ['Gt', ['4'], 'gen', true], ['Gt', ['5'], 'gen', false], ['Lt', ['6'], 'gen', true], ['Lt', ['x'], 'gen', false], ['Gt', ['1'], 'zone', false],
  ] as const)('%s %j on %s → %s', (operator, values, key, want) => {
    expect(matchesRequirement({ key, operator, values: [...values] }, labels)).toBe(want);
  });

  it('requires every nodeSelector label', () => {
    const n = nodeInfo(node('n', { labels: { disk: 'ssd' } }));
    expect(nodeAffinityFilter.filter(info(pod('p', { nodeSelector: { disk: 'ssd' } })), n)).toBeUndefined();
    expect(nodeAffinityFilter.filter(info(pod('p', { nodeSelector: { disk: 'hdd' } })), n)?.reasons).toEqual([REASON]);
  });

  it('ORs terms and ANDs expressions; an empty term matches nothing; matchFields by metadata.name', () => {
    const n = nodeInfo(node('n1', { labels }));
    const p = (...terms: unknown[]) => info(pod('p', required(...terms)));
    expect(nodeAffinityFilter.filter(p({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['3'] }] }), n)).toBeUndefined();
    expect(nodeAffinityFilter.filter(p({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'gen', operator: 'Lt', values: ['3'] }] }), n)).toBeDefined();
    expect(nodeAffinityFilter.filter(p({}), n)).toBeDefined();
    expect(nodeAffinityFilter.filter(p({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }), n)).toBeUndefined();
  });

  it('scores by the summed weight of matching preferred terms, normalised to 100', () => {
    const p = info(pod('p', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
      { weight: 30, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
    ] } } }));
    const nodes = [node('a', { labels: { zone: 'a' } }), node('b', { labels: { disk: 'ssd' } }), node('c', { labels: { zone: 'a', disk: 'ssd' } }), node('d')];
    const scores = nodes.map((n) => nodeAffinityScore.score(p, nodeInfo(n)));
    nodeAffinityScore.normalize!(scores);
    expect(scores).toEqual([25, 75, 100, 0]);
  });
});
