// The sweepers this runtime brings: the runtime's own pod state (recorded container processes and
// the pod directory, runtime.removePod) and the pod cgroups (everything still running in them is
// killed, then the directories go). Network namespaces, veths and mounts register theirs from
// their own modules with GarbageSweep.register.
import type { PodCgroups } from '../cgroups/pod-cgroups';
import type { Runtime } from '../runtime';
import type { ResourceSweeper } from './garbage-sweep';

export function podStateSweeper(runtime: Runtime): ResourceSweeper {
  return {
    kind: 'pod-state',
    order: 10,
    list: async () => (await runtime.knownPodUids()).map((uid) => ({ kind: 'pod-state', id: uid, podUid: uid })),
    remove: (r) => runtime.removePod(r.id, 10_000),
  };
}

export function cgroupSweeper(cgroups: PodCgroups): ResourceSweeper {
  return {
    kind: 'cgroup',
    order: 30,
    list: async () => (await cgroups.listPods()).map((f) => ({ kind: 'cgroup', id: f.driver.dirs(f.path)[0], podUid: f.uid })),
    remove: async (r) => {
      for (const f of await cgroups.listPods()) if (f.uid === r.podUid && f.driver.dirs(f.path)[0] === r.id) await cgroups.removeFound(f);
    },
  };
}
