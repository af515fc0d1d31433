import { SchedulerCache } from '../src/scheduler-cache';
import { info, node, pod } from './fixtures';

const cpuOn = (c: SchedulerCache, name: string): number | undefined => c.nodeInfo(name)?.requested.get('cpu');

describe('SchedulerCache assumed pods', () => {
  it('keeps a bound pod counted on its node however long the watch takes to show it (no expiry by default, as kube-scheduler)', () => {
    const c = new SchedulerCache();
    c.setNode(node('n1', { cpu: '16' }));
    c.assume(info(pod('a', { cpu: '8' })), 'n1');
    c.finishBinding('default/a', 0);
    // An hour later, the watch still has not delivered the bound pod (a lagging, loaded relay).
    expect(c.cleanupExpired(3_600_000)).toEqual([]);
    expect(c.isAssumed('default/a')).toBe(true);
    expect(cpuOn(c, 'n1')).toBe(8000);
  });

  it('expires an unconfirmed assumption after the TTL when one is configured', () => {
    const c = new SchedulerCache(30_000);
    c.setNode(node('n1', { cpu: '16' }));
    c.assume(info(pod('a', { cpu: '8' })), 'n1');
    c.finishBinding('default/a', 0);
    expect(c.cleanupExpired(10_000)).toEqual([]);
    expect(c.cleanupExpired(31_000)).toEqual(['default/a']);
    expect(cpuOn(c, 'n1')).toBe(0);
  });

  it('counts a pod once when the watch confirms its assumption, and frees it when it is deleted', () => {
    const c = new SchedulerCache();
    c.setNode(node('n1', { cpu: '16' }));
    const p = pod('a', { cpu: '8' });
    c.assume(info(p), 'n1');
    c.setBoundPod({ ...p, spec: { ...p.spec, nodeName: 'n1' } });
    expect(c.isAssumed('default/a')).toBe(false);
    expect(cpuOn(c, 'n1')).toBe(8000);
    c.removePod('default/a');
    expect(cpuOn(c, 'n1')).toBe(0);
  });
});
