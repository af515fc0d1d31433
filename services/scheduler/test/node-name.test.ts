import { nodeName } from '../src/plugins/node-name';
import { info, node, nodeInfo, pod } from './fixtures';

describe('NodeName filter', () => {
  it('admits only the named node when spec.nodeName is set', () => {
    const p = info(pod('p', { nodeName: 'n2' }));
    expect(nodeName.filter(p, nodeInfo(node('n1')))?.reasons).toEqual(["node(s) didn't match the requested node name"]);
    expect(nodeName.filter(p, nodeInfo(node('n2')))).toBeUndefined();
    expect(nodeName.filter(info(pod('q')), nodeInfo(node('n1')))).toBeUndefined();
  });
});
