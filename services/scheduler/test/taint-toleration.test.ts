import { taintTolerationFilter, taintTolerationScore } from '../src/plugins/taint-toleration';
import { info, node, nodeInfo, pod } from './fixtures';

const tainted = (effect: string) => nodeInfo(node('n', { taints: [{ key: 'dedicated', value: 'gpu', effect }] }));

describe('TaintToleration', () => {
  it('rejects untolerated NoSchedule and NoExecute taints, naming the taint', () => {
    for (const effect of ['NoSchedule', 'NoExecute']) {
      expect(taintTolerationFilter.filter(info(pod('p')), tainted(effect))?.reasons).toEqual(['node(s) had untolerated taint {dedicated: gpu}']);
    }
    expect(taintTolerationFilter.filter(info(pod('p')), tainted('PreferNoSchedule'))).toBeUndefined();
  });

  it('accepts Equal and Exists tolerations, an empty effect matching every effect', () => {
    const equal = pod('p', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] });
    const exists = pod('p', { tolerations: [{ key: 'dedicated', operator: 'Exists' }] });
    const all = pod('p', { tolerations: [{ operator: 'Exists' }] });
    const wrong = pod('p', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'cpu' }] });
    expect(taintTolerationFilter.filter(info(equal), tainted('NoSchedule'))).toBeUndefined();
    expect(taintTolerationFilter.filter(info(equal), tainted('NoExecute'))).toBeDefined();
    expect(taintTolerationFilter.filter(info(exists), tainted('NoExecute'))).toBeUndefined();
    expect(taintTolerationFilter.filter(info(all), tainted('NoExecute'))).toBeUndefined();
    expect(taintTolerationFilter.filter(info(wrong), tainted('NoSchedule'))).toBeDefined();
  });

  it('scores nodes with fewer untolerated PreferNoSchedule taints higher', () => {
    const scores = [tainted('PreferNoSchedule'), nodeInfo(node('m'))].map((n) => taintTolerationScore.score(info(pod('p')), n));
    taintTolerationScore.normalize!(scores);
    expect(scores).toEqual([0, 100]);
  });
});
