// Pod status as the kubelet writes it (kubelet_pods.go generateAPIPodStatus / getPhase,
// status manager's condition handling): pure functions of the containers' observed state.
import { qosOf, type QOSClass } from './runtime/cgroups/resources';
import { incompleteInit, initPhase } from './init-containers';
import type { ContainerStatus, Pod, PodCondition, PodPhase, PodStatus } from './types';

/** kubelet getPhase for pods without init containers. */
export function podPhase(pod: Pod, statuses: ContainerStatus[], initStatuses: ContainerStatus[] = []): PodPhase {
  const init = initPhase(pod, initStatuses);
  if (init) return init;
  const policy = pod.spec.restartPolicy ?? 'Always';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  let unknown = 0;
  for (const c of pod.spec.containers) {
    const s = statuses.find((x) => x.name === c.name);
    if (!s) {
      unknown++;
      continue;
    }
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      // Waiting to restart after having run counts as stopped, not as pending.
      if (s.lastState.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return policy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, now: string, previous: PodCondition[] | undefined, reason?: string, message?: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = previous?.find((c) => c.type === type);
  // lastTransitionTime moves only when the status does.
  const c: PodCondition = { type, status, lastProbeTime: null, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

export interface StatusInputs {
  hostIP: string;
  podIP?: string;
  startTime: string;
  now: string;
  /** The conditions last written, for stable transition times. */
  previous?: PodCondition[];
  /** Init containers' statuses (init-containers.ts), in spec order. */
  initStatuses?: ContainerStatus[];
}

export function computePodStatus(pod: Pod, statuses: ContainerStatus[], inp: StatusInputs): PodStatus {
  const initStatuses = inp.initStatuses ?? [];
  const phase = podPhase(pod, statuses, initStatuses);
  const incomplete = incompleteInit(pod, initStatuses);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const unready = pod.spec.containers.filter((c) => !statuses.find((s) => s.name === c.name)?.ready).map((c) => c.name);
  const ready = !terminal && unready.length === 0;
  const reason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const message = terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const status: PodStatus = {
    phase,
    conditions: [
      condition('PodReadyToStartContainers', true, inp.now, inp.previous),
      condition('Initialized', incomplete.length === 0, inp.now, inp.previous, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
      condition('Ready', ready, inp.now, inp.previous, reason, message),
      condition('ContainersReady', ready, inp.now, inp.previous, reason, message),
      condition('PodScheduled', true, inp.now, inp.previous),
    ],
    hostIP: inp.hostIP,
    hostIPs: [{ ip: inp.hostIP }],
    startTime: inp.startTime,
    containerStatuses: pod.spec.containers.map((c) => statuses.find((s) => s.name === c.name)).filter((s): s is ContainerStatus => !!s),
    ...((pod.spec.initContainers ?? []).length ? { initContainerStatuses: initStatuses } : {}),
    qosClass: qosClass(pod),
  };
  if (inp.podIP) {
    status.podIP = inp.podIP;
    status.podIPs = [{ ip: inp.podIP }];
  }
  return status;
}

/** kube's GetPodQOS: Guaranteed, Burstable or BestEffort from every container's cpu/memory requests and limits (runtime/cgroups/resources.ts). */
export function qosClass(pod: Pod): QOSClass {
  return qosOf(pod);
}
