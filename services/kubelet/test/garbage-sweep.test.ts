import { createLogger } from '@keelson/telemetry';
import { GarbageSweep, type NodeResource, type ResourceSweeper } from '../src/runtime/sweep/garbage-sweep';

const log = createLogger('test', { level: 'error' });

function fake(kind: string, order: number, items: NodeResource[], calls: string[], fail?: string): ResourceSweeper {
  return {
    kind,
    order,
    list: async () => {
      calls.push(`list ${kind}`);
      return items;
    },
    remove: async (r) => {
      if (r.id === fail) throw new Error('busy');
      calls.push(`remove ${kind} ${r.id}`);
    },
  };
}

test('removes only resources of pods that are not live, kind by kind in order', async () => {
  const calls: string[] = [];
  const sweep = new GarbageSweep(log);
  sweep.register(fake('cgroup', 30, [{ kind: 'cgroup', id: 'podA', podUid: 'A' }, { kind: 'cgroup', id: 'podB', podUid: 'B' }], calls));
  sweep.register(fake('pod-state', 10, [{ kind: 'pod-state', id: 'A', podUid: 'A' }], calls));
  sweep.register(fake('veth', 40, [{ kind: 'veth', id: 'bridge0' }, { kind: 'veth', id: 'kvA', podUid: 'A' }], calls, 'kvA'));
  const report = await sweep.sweep((uid) => uid === 'B');
  expect(calls).toEqual(['list pod-state', 'remove pod-state A', 'list cgroup', 'remove cgroup podA', 'list veth']);
  expect(report.removed.map((r) => r.id)).toEqual(['A', 'podA']);
  expect(report.kept).toBe(2); // podB (live) and bridge0 (no pod)
  expect(report.failed).toEqual([{ resource: { kind: 'veth', id: 'kvA', podUid: 'A' }, error: 'Error: busy' }]);
  expect(sweep.kinds).toEqual(['pod-state', 'cgroup', 'veth']);
});

test('liveness is asked at removal time, and a kind registers once', async () => {
  const sweep = new GarbageSweep(log);
  const removed: string[] = [];
  let live = new Set<string>();
  sweep.register({
    kind: 'cgroup', order: 30,
    list: async () => {
      live = new Set(['late']); // a pod created while the sweep runs
      return [{ kind: 'cgroup', id: 'late', podUid: 'late' }];
    },
    remove: async (r) => void removed.push(r.id),
  });
  await sweep.sweep((uid) => live.has(uid));
  expect(removed).toEqual([]);
  expect(() => sweep.register({ kind: 'cgroup', order: 1, list: async () => [], remove: async () => undefined })).toThrow(/registered already/);
});
