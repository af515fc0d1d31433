// percentageOfNodesToScore: in a big cluster the scheduler stops filtering once enough nodes
// fit and scores only those, starting each search where the last one stopped (kube's
// numFeasibleNodesToFind and nextStartNodeIndex), so no node is favoured and none starves.
import { defaultSchedulerConfiguration, parseSchedulerConfiguration, SchedulerConfigurationError } from '../src/configuration/load';
import { numFeasibleNodesToFind, schedulePod, type NodeInfo } from '../src/framework';
import { SchedulerCache } from '../src/scheduler-cache';
import { info, node, pod } from './fixtures';

const HEADER = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';
const defaultProfile = () => defaultSchedulerConfiguration().profiles[0].profile;
const name = (i: number) => `n${String(i).padStart(4, '0')}`;

/** `count` 4-cpu nodes in cache order n0000, n0001, …; `busy` of them have 3 cpu requested already. */
function cluster(count: number, busy: (i: number) => boolean = () => false): NodeInfo[] {
  const cache = new SchedulerCache();
  for (let i = 0; i < count; i++) {
    cache.setNode(node(name(i), { cpu: '4' }));
    if (busy(i)) cache.setBoundPod(pod(`busy-${i}`, { cpu: '3', nodeName: name(i) }));
  }
  return cache.nodeInfos();
}

test('how many feasible nodes are enough: every node under 100, else the (adaptive) share, never under 100', () => {
  const cases: [number | undefined, number, number][] = [
    [undefined, 50, 50], // small clusters: all of them
    [undefined, 99, 99],
    [undefined, 100, 100], // 50 % of 100 = 50, raised to the floor of 100
    [undefined, 1000, 420], // adaptive: 50 - 1000/125 = 42 %
    [0, 1000, 420], // 0 means adaptive too
    [undefined, 5000, 500], // 50 - 40 = 10 %
    [undefined, 6000, 300], // 50 - 48 = 2 %, raised to 5 %
    [undefined, 10_000, 500], // 5 %
    [30, 1000, 300],
    [100, 1000, 1000],
    [1, 1000, 100], // 10, raised to the floor
    [50, 80, 80], // the floor of all nodes below 100 wins over any percentage
  ];
  for (const [pct, nodes, want] of cases) expect([pct, nodes, numFeasibleNodesToFind(pct, nodes)]).toEqual([pct, nodes, want]);
});

test('a 1,000-node cluster: filtering stops after 420 feasible nodes, so a better node past them is not seen', () => {
  // Every node but n0500 is busy; LeastAllocated would pick n0500 if it were scored.
  const nodes = cluster(1000, (i) => i !== 500);
  const p = info(pod('p', { cpu: '500m' }));
  const adaptive = schedulePod(defaultProfile(), p, nodes, { start: 0 });
  expect(adaptive).toMatchObject({ ok: true, evaluated: 420 });
  expect(adaptive.ok && Number(adaptive.node.slice(1))).toBeLessThan(420);
  // The same search started past n0500 wraps around and does reach it.
  expect(schedulePod(defaultProfile(), p, nodes, { start: 300 })).toEqual({ ok: true, node: 'n0500', evaluated: 420 });
  // Scoring every node (100 %) always finds it.
  expect(schedulePod({ ...defaultProfile(), percentageOfNodesToScore: 100 }, p, nodes, { start: 0 })).toEqual({ ok: true, node: 'n0500', evaluated: 1000 });
});

test('nodes that do not fit do not count: the search goes on until enough fit, or every node was tried', () => {
  // Only the last 150 nodes have room for a 2-cpu pod: all 1,000 are looked at, 150 scored.
  const nodes = cluster(1000, (i) => i < 850);
  const fits = schedulePod(defaultProfile(), info(pod('p', { cpu: '2' })), nodes, { start: 0 });
  expect(fits).toMatchObject({ ok: true, evaluated: 1000 });
  expect(fits.ok && Number(fits.node.slice(1))).toBeGreaterThanOrEqual(850);
  // A pod that fits nowhere was checked against every node, and every node says why.
  const none = schedulePod(defaultProfile(), info(pod('q', { cpu: '5' })), nodes, { start: 123 });
  expect(none.ok).toBe(false);
  if (!none.ok) expect([none.numAllNodes, none.failures.size]).toEqual([1000, 1000]);
});

test('each search starts where the last stopped, wrapping around', () => {
  const nodes = cluster(250); // 50 - 2 = 48 % of 250 = 120 per search
  const p = info(pod('p', { cpu: '100m' }));
  const windows: [number, number][] = [];
  let start = 0;
  for (let round = 0; round < 4; round++) {
    const r = schedulePod(defaultProfile(), p, nodes, { start });
    if (!r.ok) throw new Error('no fit');
    expect(r.evaluated).toBe(120);
    // The chosen node lies within the window searched.
    const chosen = Number(r.node.slice(1));
    expect((chosen - start + 250) % 250).toBeLessThan(120);
    windows.push([start, chosen]);
    start = (start + r.evaluated) % nodes.length;
  }
  expect(windows.map(([s]) => s)).toEqual([0, 120, 240, 110]);
});

describe('percentageOfNodesToScore in the profile file', () => {
  test('the configuration sets it for every profile; a profile’s own wins', () => {
    const cfg = parseSchedulerConfiguration(`${HEADER}percentageOfNodesToScore: 30\nprofiles:\n- schedulerName: a\n- schedulerName: b\n  percentageOfNodesToScore: 70\n`);
    expect(cfg.profiles.map((p) => [p.schedulerName, p.profile.percentageOfNodesToScore])).toEqual([['a', 30], ['b', 70]]);
    expect(cfg.ignored).toEqual([]); // honoured, not reported as ignored
    expect(defaultSchedulerConfiguration().profiles[0].profile.percentageOfNodesToScore).toBeUndefined();
    const nodes = cluster(1000);
    const p = info(pod('p', { cpu: '100m' }));
    expect(schedulePod(cfg.profiles[0].profile, p, nodes)).toMatchObject({ ok: true, evaluated: 300 });
    expect(schedulePod(cfg.profiles[1].profile, p, nodes)).toMatchObject({ ok: true, evaluated: 700 });
  });

  test('outside 0..100 is refused as kube refuses it', () => {
    let errors: string[] = [];
    try {
      parseSchedulerConfiguration(`${HEADER}percentageOfNodesToScore: 101\nprofiles:\n- schedulerName: a\n  percentageOfNodesToScore: -1\n- schedulerName: b\n  percentageOfNodesToScore: 12.5\n`, 'x.yaml');
    } catch (err) {
      if (!(err instanceof SchedulerConfigurationError)) throw err;
      errors = err.errors;
    }
    expect(errors.sort()).toEqual([
      'percentageOfNodesToScore: Invalid value: 101: not in valid range [0-100]',
      'profiles[0].percentageOfNodesToScore: Invalid value: -1: not in valid range [0-100]',
      'profiles[1].percentageOfNodesToScore: Invalid value: 12.5: must be an integer',
    ]);
  });
});
