// Init containers (kubelet's computeInitContainerActions, getPhase and GeneratePodInitializedCondition,
// reduced to this runtime): they run one at a time, in order, each to success before the next
// starts and before any app container; a failed one is restarted per restartPolicy (Never fails
// the pod). An init container with restartPolicy Always is a sidecar: once started, the next one
// may start, and it keeps running (and restarting) beside the app containers.
import type { Container, ContainerStatus, Pod } from './types';

/** A sidecar: kube's restartable init container. */
export function isSidecar(c: Container): boolean {
  return (c as { restartPolicy?: string }).restartPolicy === 'Always';
}

/** Whether an init container is finished (exited 0; a sidecar: started). */
export function initComplete(c: Container, s: ContainerStatus | undefined): boolean {
  if (!s) return false;
  if (isSidecar(c)) return !!s.state.running && s.started;
  return s.state.terminated?.exitCode === 0;
}

/** The init containers that keep the pod from being initialized. */
export function incompleteInit(pod: Pod, statuses: ContainerStatus[]): string[] {
  return (pod.spec.initContainers ?? []).filter((c) => !initComplete(c, statuses.find((s) => s.name === c.name))).map((c) => c.name);
}

/**
 * The phase while init containers decide it: Failed when one failed and may not restart
 * (restartPolicy Never), Pending while any is incomplete; undefined once all are done.
 */
export function initPhase(pod: Pod, statuses: ContainerStatus[]): 'Pending' | 'Failed' | undefined {
  const init = pod.spec.initContainers ?? [];
  if (!init.length) return undefined;
  const failed = init.some((c) => {
    if (isSidecar(c)) return false;
    const s = statuses.find((x) => x.name === c.name);
    const t = s?.state.terminated ?? (s?.state.waiting ? s.lastState.terminated : undefined);
    return !!t && t.exitCode !== 0;
  });
  if (failed && (pod.spec.restartPolicy ?? 'Always') === 'Never') return 'Failed';
  return incompleteInit(pod, statuses).length ? 'Pending' : undefined;
}
